package pattern

import (
	"encoding/json"
	"strings"
)

// Match reports whether the JSON document event matches. Invalid JSON and
// non-object documents never match.
//
// For an EventBridge pattern and an SNS MessageBody policy, event is the
// event / message body. For an SNS MessageAttributes policy, event is the
// attribute map as SNS serialises it in notifications,
// {"name": {"Type": "String", "Value": "x"}, ...} (the API's
// {"DataType": ..., "StringValue": ...} spelling is accepted too).
func (p *Pattern) Match(event []byte) bool {
	if p == nil || p.root == nil {
		return false
	}
	v, err := decodeJSON(event)
	if err != nil {
		return false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return false
	}
	if p.scope == ScopeMessageAttributes {
		return p.root.matchObject(attributesFromJSON(obj))
	}
	return p.root.matchObject(obj)
}

// MatchValue matches an already-decoded JSON document, as produced by
// encoding/json into an any (numbers may be float64, json.Number or Go
// integers). For an SNS MessageAttributes policy, v is a map from attribute
// name to its decoded value (see MatchAttributes for the raw form).
func (p *Pattern) MatchValue(v any) bool {
	if p == nil || p.root == nil {
		return false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return false
	}
	return p.root.matchObject(obj)
}

// Attribute is an SNS message attribute as given to Publish.
type Attribute struct {
	DataType string // "String", "Number", "String.Array" or "Binary"
	Value    string // StringValue; Binary attributes are ignored by filtering
}

// MatchAttributes matches SNS message attributes against a policy compiled
// with scope MessageAttributes. "String.Array" values are JSON arrays and
// match when any element matches; "Number" values match numerically; Binary
// attributes are invisible to filter policies, as in SNS.
func (p *Pattern) MatchAttributes(attrs map[string]Attribute) bool {
	if p == nil || p.root == nil {
		return false
	}
	obj := make(map[string]any, len(attrs))
	for name, a := range attrs {
		if v, ok := attributeValue(a.DataType, a.Value); ok {
			obj[name] = v
		}
	}
	return p.root.matchObject(obj)
}

// attributeValue turns an SNS attribute into the JSON leaf (or array) the
// matcher compares. Custom types such as "Number.float" or
// "String.custom" keep their base type, as SNS allows.
func attributeValue(dataType, value string) (any, bool) {
	switch base, _, _ := strings.Cut(dataType, "."); {
	case dataType == "String.Array":
		v, err := decodeJSON([]byte(value))
		if arr, ok := v.([]any); err == nil && ok {
			return arr, true
		}
		return value, true // not an array: compare as text
	case base == "Number":
		var n json.Number
		if err := json.Unmarshal([]byte(value), &n); err == nil {
			return n, true
		}
		return value, true
	case base == "String":
		return value, true
	}
	return nil, false
}

// attributesFromJSON converts the notification-style attribute map.
func attributesFromJSON(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for name, raw := range obj {
		a, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		typ, _ := firstString(a, "Type", "DataType")
		val, _ := firstString(a, "Value", "StringValue")
		if v, ok := attributeValue(typ, val); ok {
			out[name] = v
		}
	}
	return out
}

func firstString(m map[string]any, keys ...string) (string, bool) {
	for _, k := range keys {
		if s, ok := m[k].(string); ok {
			return s, true
		}
	}
	return "", false
}

// matchObject checks every field and every "$or" group against obj; obj may
// be nil, meaning "no such object", so only absence-tolerant patterns
// (exists: false) can match.
func (n *node) matchObject(obj map[string]any) bool {
	for i := range n.fields {
		f := &n.fields[i]
		v, present := obj[f.name]
		if f.sub != nil {
			if !f.sub.matchNested(v, present) {
				return false
			}
		} else if !f.matchLeaves(v, present) {
			return false
		}
	}
	for _, group := range n.ors {
		ok := false
		for _, alt := range group {
			if alt.matchObject(obj) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchNested applies a nested pattern object to an event value. An array
// of objects matches if one element matches the whole sub-pattern (fields
// are not mixed across elements); a value with no object in it behaves as
// an absent object.
func (n *node) matchNested(v any, present bool) bool {
	if !present {
		return n.matchObject(nil)
	}
	matched, sawObject := n.matchInArray(v)
	if sawObject {
		return matched
	}
	return n.matchObject(nil)
}

func (n *node) matchInArray(v any) (matched, sawObject bool) {
	switch x := v.(type) {
	case map[string]any:
		return n.matchObject(x), true
	case []any:
		for _, e := range x {
			m, s := n.matchInArray(e)
			if m {
				return true, true
			}
			sawObject = sawObject || s
		}
	}
	return false, sawObject
}

// matchLeaves applies a value list. Arrays in the event are flattened and
// match if any element does; objects are not leaves, so {"exists": true}
// does not match a field holding an object and {"exists": false} does.
func (f *field) matchLeaves(v any, present bool) bool {
	if f.existsTrue || f.existsFalse {
		has := present && hasLeaf(v)
		if (f.existsTrue && has) || (f.existsFalse && !has) {
			return true
		}
	}
	return present && anyLeaf(f.ms, v)
}

func anyLeaf(ms []matcher, v any) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if anyLeaf(ms, e) {
				return true
			}
		}
		return false
	case map[string]any:
		return false
	}
	for _, m := range ms {
		if m.match(v) {
			return true
		}
	}
	return false
}

func hasLeaf(v any) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if hasLeaf(e) {
				return true
			}
		}
		return false
	case map[string]any:
		return false
	}
	return true
}
