package iam

import (
	"encoding/json"
	"strings"
)

// TrustsService reports whether the role's trust policy lets an AWS
// service (a service principal such as "lambda.amazonaws.com") assume it:
// some Allow statement covering sts:AssumeRole names the service among its
// Service principals (or allows any principal), and no Deny statement
// covers it. Conditions are not evaluated; a statement with one counts
// as matching.
func (r RoleInfo) TrustsService(service string) bool {
	var doc map[string]any
	if json.Unmarshal([]byte(r.TrustPolicy), &doc) != nil {
		return false
	}
	statements, _ := statementsOf(doc["Statement"])
	allowed := false
	for _, st := range statements {
		if !coversAction(st, "sts:AssumeRole") || !namesService(st["Principal"], service) {
			continue
		}
		switch st["Effect"] {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// coversAction reports whether a statement's Action (or NotAction) applies
// to action, with IAM's case-insensitive * and ? wildcards.
func coversAction(st map[string]any, action string) bool {
	if v, ok := st["NotAction"]; ok {
		return !anyMatches(v, action)
	}
	return anyMatches(st["Action"], action)
}

// namesService reports whether a Principal element includes service.
func namesService(principal any, service string) bool {
	switch p := principal.(type) {
	case string:
		return p == "*"
	case map[string]any:
		if p["AWS"] == "*" {
			return true
		}
		return anyMatches(p["Service"], service)
	}
	return false
}

// anyMatches reports whether a string-or-list policy element has an entry
// matching s, ignoring case (as IAM matches actions and principals).
func anyMatches(v any, s string) bool {
	return anyMatching(v, strings.ToLower(s), strings.ToLower)
}

// anyMatching reports whether an entry of a string-or-list policy element,
// passed through norm, matches s.
func anyMatching(v any, s string, norm func(string) string) bool {
	switch v := v.(type) {
	case string:
		return wildcardMatch(norm(v), s)
	case []any:
		for _, e := range v {
			if str, ok := e.(string); ok && wildcardMatch(norm(str), s) {
				return true
			}
		}
	}
	return false
}

// wildcardMatch matches s against pattern, where * is any run of
// characters and ? any one character.
func wildcardMatch(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			pattern = strings.TrimLeft(pattern, "*")
			if pattern == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if wildcardMatch(pattern, s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
		}
		pattern, s = pattern[1:], s[1:]
	}
	return s == ""
}
