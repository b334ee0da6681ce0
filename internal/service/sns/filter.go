package sns

import (
	"encoding/json"
	"strings"
)

// filterKey identifies a compiled filter policy; compiled policies are
// cached because every publish evaluates them.
type filterKey struct{ policy, scope string }

// compileFilter compiles policy for scope, cached; with no FilterCompiler
// configured every policy matches everything.
func (s *Service) compileFilter(policy, scope string) (Matcher, error) {
	if s.cfg.Filter == nil {
		return func(map[string]MessageAttribute, string) bool { return true }, nil
	}
	key := filterKey{policy, scope}
	s.filtersMu.Lock()
	m, ok := s.filters[key]
	s.filtersMu.Unlock()
	if ok {
		return m, nil
	}
	m, err := s.cfg.Filter.CompileFilter(policy, scope)
	if err != nil {
		return nil, err
	}
	s.filtersMu.Lock()
	if len(s.filters) > 10000 { // a crude bound: policies rarely change
		s.filters = map[filterKey]Matcher{}
	}
	s.filters[key] = m
	s.filtersMu.Unlock()
	return m, nil
}

// matches reports whether a message passes sub's filter policy.
func (s *Service) matches(sub *subRec, attrs map[string]MessageAttribute, body string) bool {
	policy := sub.Attrs["FilterPolicy"]
	if policy == "" {
		return true
	}
	scope := sub.Attrs["FilterPolicyScope"]
	if scope == "" {
		scope = "MessageAttributes"
	}
	m, err := s.compileFilter(policy, scope)
	if err != nil {
		// Policies are checked when set; one that no longer compiles
		// (the matcher changed) lets nothing through, like a policy
		// that matches nothing.
		s.logf("sns: filter policy of %s/%s: %v", sub.Topic, sub.ID, err)
		return false
	}
	return m(attrs, body)
}

func isJSONObject(s string) bool {
	var v map[string]json.RawMessage
	return strings.HasPrefix(strings.TrimSpace(s), "{") && json.Unmarshal([]byte(s), &v) == nil
}
