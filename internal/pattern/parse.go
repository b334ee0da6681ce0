package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"strconv"
)

// SNS filter policy scopes (the subscription's FilterPolicyScope attribute).
const (
	ScopeMessageAttributes = "MessageAttributes"
	ScopeMessageBody       = "MessageBody"
)

// Limits documented for SNS filter policies ("Filter policy constraints in
// Amazon SNS", https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html).
const (
	snsMaxKeys         = 5
	snsMaxCombinations = 150
	snsNumericLimit    = 1e9
	// EventBridge's documented numeric range ("Content filtering in Amazon
	// EventBridge event patterns", numeric matching).
	ebNumericLimit = 5e9
)

// Pattern is a compiled EventBridge event pattern or SNS filter policy. It
// is immutable and safe for concurrent use.
type Pattern struct {
	root    *node
	dialect Dialect
	scope   string // "" for EventBridge
}

// node is one object level of the pattern: every field must match (AND) and,
// for each "$or" group, at least one alternative must match the same object.
type node struct {
	fields []field
	ors    [][]*node
}

// field is one key of a pattern object: either a nested object (sub) or a
// list of acceptable values (ms plus the exists flags), ORed together.
type field struct {
	name        string
	sub         *node
	ms          []matcher
	existsTrue  bool
	existsFalse bool
	values      int // size of the pattern's value list, for SNS complexity
}

type compiler struct {
	dialect    Dialect
	scope      string
	numLimit   float64
	numLimitTx string
}

// Compile parses an EventBridge event pattern (PutRule's EventPattern,
// TestEventPattern, Pipes/ESM filter criteria).
func Compile(pattern []byte) (*Pattern, error) {
	c := &compiler{dialect: EventBridge, numLimit: ebNumericLimit, numLimitTx: "5.0E9"}
	v, err := decodeJSON(pattern)
	if err != nil {
		return nil, c.errorf("%s", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, c.errorf("Filter is not an object")
	}
	root, err := c.object(obj)
	if err != nil {
		return nil, err
	}
	return &Pattern{root: root, dialect: EventBridge}, nil
}

// CompileFilterPolicy parses an SNS subscription filter policy for the given
// FilterPolicyScope ("" means MessageAttributes, SNS's default).
//
// Differences from Compile, following the SNS documentation:
//   - "{}" is accepted and matches every message (SNS uses it to clear a
//     policy); EventBridge rejects empty objects.
//   - "wildcard" is not an SNS operator and is rejected.
//   - numeric operands must lie in [-1e9, 1e9] (EventBridge: [-5e9, 5e9]).
//   - at most 5 keys and 150 value combinations (per "$or" branch).
//   - scope MessageAttributes rejects nested objects: keys are attribute
//     names and values are matched against the attribute value (see
//     MatchAttributes).
func CompileFilterPolicy(policy []byte, scope string) (*Pattern, error) {
	c := &compiler{dialect: SNS, scope: scope, numLimit: snsNumericLimit, numLimitTx: "1.0E9"}
	switch scope {
	case "":
		c.scope = ScopeMessageAttributes
	case ScopeMessageAttributes, ScopeMessageBody:
	default:
		return nil, &Error{Dialect: SNS, Reason: "FilterPolicyScope: Invalid value [" + scope + "]. Please use either MessageBody or MessageAttributes"}
	}
	v, err := decodeJSON(policy)
	if err != nil {
		return nil, c.errorf("failed to parse JSON. %s", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, c.errorf("Filter policy must be a JSON object")
	}
	p := &Pattern{dialect: SNS, scope: c.scope}
	if len(obj) == 0 {
		p.root = &node{} // matches everything
		return p, nil
	}
	if p.root, err = c.object(obj); err != nil {
		return nil, err
	}
	if keys(p.root) > snsMaxKeys {
		return nil, c.errorf("Filter policy can not have more than %d keys", snsMaxKeys)
	}
	if combinations(p.root) > snsMaxCombinations {
		return nil, c.errorf("Filter policy is too complex")
	}
	return p, nil
}

// Dialect reports which service's language the pattern was compiled as.
func (p *Pattern) Dialect() Dialect { return p.dialect }

// Scope is the SNS FilterPolicyScope ("" for EventBridge patterns).
func (p *Pattern) Scope() string { return p.scope }

// decodeJSON keeps numbers as json.Number so "5" and 5.0 stay
// distinguishable from strings and large integers are not rounded before we
// decide how to compare them.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON document")
	}
	return v, nil
}

func (c *compiler) object(obj map[string]any) (*node, error) {
	if len(obj) == 0 {
		return nil, c.errorf("Empty objects are not allowed")
	}
	n := &node{}
	// Sorted so that errors and match order are deterministic.
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		v := obj[k]
		if k == "$or" {
			if alts, ok := orAlternatives(v); ok {
				group := make([]*node, 0, len(alts))
				for _, a := range alts {
					sub, err := c.object(a)
					if err != nil {
						return nil, err
					}
					group = append(group, sub)
				}
				n.ors = append(n.ors, group)
				continue
			}
			// Not an array of objects: AWS keeps "$or" usable as an
			// ordinary field name for backward compatibility.
		}
		f := field{name: k}
		switch x := v.(type) {
		case map[string]any:
			if c.dialect == SNS && c.scope == ScopeMessageAttributes {
				return nil, c.errorf("Filter policy scope MessageAttributes does not support nested filter policy")
			}
			sub, err := c.object(x)
			if err != nil {
				return nil, err
			}
			f.sub = sub
		case []any:
			if err := c.valueList(&f, x); err != nil {
				return nil, err
			}
		default:
			return nil, c.errorf("%q must be an object or an array", k)
		}
		n.fields = append(n.fields, f)
	}
	return n, nil
}

// orAlternatives recognises the "$or" form: a non-empty array of objects.
func orAlternatives(v any) ([]map[string]any, bool) {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return nil, false
	}
	out := make([]map[string]any, 0, len(arr))
	for _, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		out = append(out, m)
	}
	return out, true
}

func (c *compiler) valueList(f *field, arr []any) error {
	if len(arr) == 0 {
		return c.errorf("Empty arrays are not allowed")
	}
	f.values = len(arr)
	for _, e := range arr {
		switch x := e.(type) {
		case map[string]any:
			if err := c.operator(f, x); err != nil {
				return err
			}
		case []any:
			return c.errorf("Match value must be String, number, true, false, or null")
		default:
			m, err := c.exact(x)
			if err != nil {
				return err
			}
			f.ms = append(f.ms, m)
		}
	}
	return nil
}

func (c *compiler) exact(v any) (matcher, error) {
	switch x := v.(type) {
	case string:
		return exactString(x), nil
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil, c.errorf("Invalid number %s", x)
		}
		return exactNumber(f), nil
	case bool:
		return exactBool(x), nil
	case nil:
		return exactNull{}, nil
	}
	return nil, c.errorf("Match value must be String, number, true, false, or null")
}
