package pattern

import (
	"encoding/json"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// Compilation of the {"operator": operand} elements of a value list.

// operator compiles one {"op": operand} element of a value list.
func (c *compiler) operator(f *field, obj map[string]any) error {
	if len(obj) == 0 {
		return c.errorf("Empty objects are not allowed")
	}
	if len(obj) > 1 {
		return c.errorf("Only one key allowed in match expression")
	}
	var op string
	var arg any
	for k, v := range obj {
		op, arg = k, v
	}
	switch op {
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return c.errorf("exists match pattern must be either true or false.")
		}
		if b {
			f.existsTrue = true
		} else {
			f.existsFalse = true
		}
		return nil
	case "anything-but":
		m, err := c.anythingBut(arg)
		if err != nil {
			return err
		}
		f.ms = append(f.ms, m)
		return nil
	}
	m, err := c.positive(op, arg)
	if err != nil {
		return err
	}
	f.ms = append(f.ms, m)
	return nil
}

// positive compiles the operators that can also appear inside anything-but
// (except anything-but and exists themselves).
func (c *compiler) positive(op string, arg any) (matcher, error) {
	switch op {
	case "prefix", "suffix":
		s, fold, err := c.stringOrIgnoreCase(op, arg)
		if err != nil {
			return nil, err
		}
		if op == "prefix" {
			return prefixMatcher{s: s, fold: fold}, nil
		}
		return suffixMatcher{s: s, fold: fold}, nil
	case "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return nil, c.errorf("equals-ignore-case match pattern must be a string")
		}
		return ignoreCase(s), nil
	case "wildcard":
		if c.dialect == SNS {
			break // not an SNS operator
		}
		s, ok := arg.(string)
		if !ok {
			return nil, c.errorf("wildcard match pattern must be a string")
		}
		return c.wildcard(s)
	case "numeric":
		return c.numeric(arg)
	case "cidr":
		s, ok := arg.(string)
		if !ok {
			return nil, c.errorf("cidr match pattern must be a string")
		}
		return c.cidr(s)
	}
	return nil, c.errorf("Unrecognized match type %s", op)
}

// stringOrIgnoreCase reads the operand of prefix/suffix: a string, or
// {"equals-ignore-case": string} for the case-insensitive form.
func (c *compiler) stringOrIgnoreCase(op string, arg any) (string, bool, error) {
	switch x := arg.(type) {
	case string:
		return x, false, nil
	case map[string]any:
		if s, ok := x["equals-ignore-case"].(string); ok && len(x) == 1 {
			return strings.ToLower(s), true, nil
		}
	}
	return "", false, c.errorf("%s match pattern must be a string", op)
}

func (c *compiler) anythingBut(arg any) (matcher, error) {
	switch x := arg.(type) {
	case string, json.Number:
		m, err := c.exact(x)
		if err != nil {
			return nil, err
		}
		return anythingBut{m}, nil
	case []any:
		if len(x) == 0 {
			return nil, c.errorf("Empty arrays are not allowed")
		}
		out := make(anythingBut, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case string, json.Number:
			default:
				return nil, c.errorf("Inside anything but list, start|null|boolean is not supported.")
			}
			m, err := c.exact(e)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, nil
	case map[string]any:
		if len(x) != 1 {
			return nil, c.errorf("Only one key allowed in match expression")
		}
		for op, v := range x {
			switch op {
			case "prefix", "suffix", "equals-ignore-case", "wildcard":
			default:
				return nil, c.errorf("Unsupported anything-but pattern: %s", op)
			}
			// equals-ignore-case and wildcard also take a list of strings.
			if list, ok := v.([]any); ok && (op == "equals-ignore-case" || op == "wildcard") {
				if len(list) == 0 {
					return nil, c.errorf("Empty arrays are not allowed")
				}
				out := make(anythingBut, 0, len(list))
				for _, e := range list {
					m, err := c.positive(op, e)
					if err != nil {
						return nil, err
					}
					out = append(out, m)
				}
				return out, nil
			}
			if _, ok := v.(string); !ok {
				return nil, c.errorf("%s match pattern must be a string", op)
			}
			m, err := c.positive(op, v)
			if err != nil {
				return nil, err
			}
			return anythingBut{m}, nil
		}
	}
	return nil, c.errorf("Value of anything-but must be an array or single string/number value.")
}

// wildcard splits on unescaped '*'. The only escapes are \* and \\, and two
// adjacent stars are rejected, both as AWS does.
func (c *compiler) wildcard(s string) (matcher, error) {
	var parts []string
	var cur strings.Builder
	prevStar := false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '*' && s[i+1] != '\\') {
				return nil, c.errorf("Invalid escape character at pos %d", i)
			}
			i++
			cur.WriteByte(s[i])
			prevStar = false
		case '*':
			if prevStar {
				return nil, c.errorf("Consecutive wildcard characters at pos %d", i)
			}
			parts = append(parts, cur.String())
			cur.Reset()
			prevStar = true
		default:
			cur.WriteByte(ch)
			prevStar = false
		}
	}
	parts = append(parts, cur.String())
	// parts has one more entry than there are stars; an empty first/last
	// part means the pattern starts/ends with a star.
	m := wildcardMatcher{anchoredStart: true, anchoredEnd: true}
	if len(parts) > 1 {
		if parts[0] == "" {
			m.anchoredStart = false
			parts = parts[1:]
		}
		if parts[len(parts)-1] == "" {
			m.anchoredEnd = false
			parts = parts[:len(parts)-1]
		}
	}
	m.parts = parts
	return m, nil
}

// numeric accepts [op, n] or [">"|">=", lo, "<"|"<=", hi]; "=" only alone.
func (c *compiler) numeric(arg any) (matcher, error) {
	arr, ok := arg.([]any)
	if !ok {
		return nil, c.errorf("Value of numeric must be an array.")
	}
	if len(arr) == 0 {
		return nil, c.errorf("Empty arrays are not allowed")
	}
	if len(arr) != 2 && len(arr) != 4 {
		return nil, c.errorf("Numeric expression must have 2 or 4 elements, got %d", len(arr))
	}
	m := numericMatcher{lo: math.Inf(-1), hi: math.Inf(1), loInc: true, hiInc: true}
	hasLo, hasHi := false, false
	for i := 0; i < len(arr); i += 2 {
		op, ok := arr[i].(string)
		if !ok {
			return nil, c.errorf("Invalid member in numeric match: %v", arr[i])
		}
		num, ok := arr[i+1].(json.Number)
		if !ok {
			return nil, c.errorf("Value of %s must be numeric", op)
		}
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil {
			return nil, c.errorf("Value of %s must be numeric", op)
		}
		if f < -c.numLimit || f > c.numLimit {
			return nil, c.errorf("Value of %s must be between -%s and %s, got %s", op, c.numLimitTx, c.numLimitTx, num)
		}
		switch op {
		case "=":
			if len(arr) != 2 {
				return nil, c.errorf("Bad numeric range: \"=\" can not be combined with other operators")
			}
			m.lo, m.hi = f, f
		case ">", ">=":
			if hasLo || hasHi {
				return nil, c.errorf("Bad numeric range: lower bound must come first and only once")
			}
			m.lo, m.loInc, hasLo = f, op == ">=", true
		case "<", "<=":
			if hasHi {
				return nil, c.errorf("Bad numeric range: only one upper bound allowed")
			}
			if len(arr) == 4 && !hasLo {
				return nil, c.errorf("Bad numeric range: lower bound must come first")
			}
			m.hi, m.hiInc, hasHi = f, op == "<=", true
		default:
			return nil, c.errorf("Unrecognized numeric range operator: %s", op)
		}
	}
	if m.lo > m.hi || (m.lo == m.hi && !(m.loInc && m.hiInc)) {
		return nil, c.errorf("Bad numeric range: bottom must be less than top")
	}
	return m, nil
}

func (c *compiler) cidr(s string) (matcher, error) {
	if !strings.Contains(s, "/") {
		// A bare address is accepted as a single-host block.
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, c.errorf("Nonstandard IP address: %s", s)
		}
		return cidrMatcher{netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())}, nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || p.Addr().Zone() != "" {
		return nil, c.errorf("Malformed CIDR, one '/' required, and an IPv4 or IPv6 address with a prefix length: %s", s)
	}
	if p.Addr().Is4In6() {
		bits := p.Bits() - 96
		if bits < 0 {
			return nil, c.errorf("Malformed CIDR: %s", s)
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), bits)
	}
	return cidrMatcher{p.Masked()}, nil
}
