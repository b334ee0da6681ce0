package pattern

import (
	"encoding/json"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// matcher tests one leaf value of the event: a string, a number
// (json.Number, float64 or any Go integer when the caller decoded the event
// itself), a bool or nil (JSON null). Objects and arrays never reach a
// matcher: the field walker flattens arrays and skips objects, which is how
// AWS's engine sees events (as a set of leaf paths).
type matcher interface {
	match(v any) bool
}

// exactString is a plain string in the pattern's value list. Matching is
// case-sensitive and never matches numbers: "5" does not match 5.
type exactString string

func (m exactString) match(v any) bool {
	s, ok := v.(string)
	return ok && s == string(m)
}

// exactNumber compares numerically, so 5 matches 5.0 and 5e0, as AWS does.
type exactNumber float64

func (m exactNumber) match(v any) bool {
	f, ok := toFloat(v)
	return ok && f == float64(m)
}

type exactBool bool

func (m exactBool) match(v any) bool {
	b, ok := v.(bool)
	return ok && b == bool(m)
}

// exactNull matches a JSON null leaf; an absent field is not null.
type exactNull struct{}

func (exactNull) match(v any) bool { return v == nil }

// prefixMatcher and suffixMatcher hold the lowered operand when fold is set
// so only the event side is lowered per match.
type prefixMatcher struct {
	s    string
	fold bool
}

func (m prefixMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if m.fold {
		s = strings.ToLower(s)
	}
	return strings.HasPrefix(s, m.s)
}

type suffixMatcher struct {
	s    string
	fold bool
}

func (m suffixMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if m.fold {
		s = strings.ToLower(s)
	}
	return strings.HasSuffix(s, m.s)
}

// ignoreCase is "equals-ignore-case". EqualFold does Unicode simple folding,
// close enough to the Java toLowerCase comparison AWS uses.
type ignoreCase string

func (m ignoreCase) match(v any) bool {
	s, ok := v.(string)
	return ok && strings.EqualFold(s, string(m))
}

// wildcardMatcher is "wildcard": '*' matches any run of characters
// (including none); the literal parts between stars are kept unescaped.
// anchoredStart/End are false when the pattern begins/ends with '*'.
type wildcardMatcher struct {
	parts         []string
	anchoredStart bool
	anchoredEnd   bool
}

func (m wildcardMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	parts := m.parts
	if len(parts) == 1 && m.anchoredStart && m.anchoredEnd {
		return s == parts[0] // no star at all
	}
	if m.anchoredStart {
		if !strings.HasPrefix(s, parts[0]) {
			return false
		}
		s = s[len(parts[0]):]
		parts = parts[1:]
	}
	var last string
	if m.anchoredEnd && len(parts) > 0 {
		last = parts[len(parts)-1]
		parts = parts[:len(parts)-1]
		if len(s) < len(last) {
			return false
		}
	}
	// Greedy left-most placement of each middle part is optimal for '*'-only
	// globs, so this is linear-ish rather than backtracking.
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	if m.anchoredEnd {
		return strings.HasSuffix(s, last)
	}
	return true
}

// numericMatcher is "numeric": an optional lower and upper bound. Only JSON
// numbers match; a numeric-looking string does not (AWS treats "5" as text).
type numericMatcher struct {
	lo, hi       float64
	loInc, hiInc bool
}

func (m numericMatcher) match(v any) bool {
	f, ok := toFloat(v)
	if !ok {
		return false
	}
	if f < m.lo || (f == m.lo && !m.loInc) {
		return false
	}
	if f > m.hi || (f == m.hi && !m.hiInc) {
		return false
	}
	return true
}

// cidrMatcher is "cidr" (EventBridge) / IP address matching (SNS).
type cidrMatcher struct{ prefix netip.Prefix }

func (m cidrMatcher) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	// An IPv4-mapped IPv6 event address should still hit an IPv4 block.
	return m.prefix.Contains(a.Unmap())
}

// anythingBut inverts a set of matchers. It only sees leaf values that are
// present, so an absent field never matches anything-but (AWS behaviour).
// A non-string leaf never matches a string operator, so it is "anything but"
// that operator and matches, as in AWS where numbers never begin with a
// string prefix.
type anythingBut []matcher

func (m anythingBut) match(v any) bool {
	for _, inner := range m {
		if inner.match(v) {
			return false
		}
	}
	return true
}

// toFloat accepts every numeric representation a caller of MatchValue may
// hand us, plus json.Number from our own decoder.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil && !math.IsNaN(f)
	case float64:
		return n, !math.IsNaN(n)
	case float32:
		return float64(n), !math.IsNaN(float64(n))
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}
