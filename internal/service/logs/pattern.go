package logs

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode"
)

// This file is CloudWatch Logs' filter pattern language, as FilterLogEvents
// (and metric and subscription filters) read it:
//
//   - "" matches every event;
//   - terms: ERROR Exception matches events holding every term
//     (case-sensitive); "exact phrase" is one term; ?ERROR ?WARN matches
//     events holding any ?-term; -DEBUG excludes events holding the term;
//   - JSON: { $.level = "error" && ($.ms > 100 || $.user.id NOT EXISTS) }
//     with =, !=, <, >, <=, >=, * as a wildcard in string values, IS NULL,
//     IS TRUE, IS FALSE, EXISTS / NOT EXISTS, && and || with parentheses,
//     and selectors $.a.b[0].c. A JSON pattern never matches a message that
//     is not a JSON object.
//
// Space-delimited patterns ([ip, user, ...]) and %regex% values are not
// supported; they are rejected rather than matched wrongly.

// matchFunc reports whether a message matches a pattern.
type matchFunc func(message string) bool

var errPattern = errors.New("invalid filter pattern")

// compilePattern parses a filter pattern.
func compilePattern(src string) (matchFunc, error) {
	src = strings.TrimSpace(src)
	switch {
	case src == "":
		return func(string) bool { return true }, nil
	case strings.HasPrefix(src, "{"):
		return compileJSONPattern(src)
	case strings.HasPrefix(src, "["):
		return nil, errPattern
	}
	return compileTerms(src)
}

// ---- terms ----

func compileTerms(src string) (matchFunc, error) {
	words, err := splitTerms(src)
	if err != nil {
		return nil, err
	}
	var all, anyOf, none []string
	for _, w := range words {
		switch w.mod {
		case '?':
			anyOf = append(anyOf, w.text)
		case '-':
			none = append(none, w.text)
		default:
			all = append(all, w.text)
		}
	}
	return func(msg string) bool {
		for _, t := range all {
			if !strings.Contains(msg, t) {
				return false
			}
		}
		for _, t := range none {
			if strings.Contains(msg, t) {
				return false
			}
		}
		if len(anyOf) == 0 {
			return true
		}
		for _, t := range anyOf {
			if strings.Contains(msg, t) {
				return true
			}
		}
		return false
	}, nil
}

// term is one word of a terms pattern with its modifier: 0, '?' or '-'.
type term struct {
	mod  byte
	text string
}

// splitTerms splits a terms pattern on blanks; a double-quoted term keeps
// its blanks, and \" inside it is a quote.
func splitTerms(src string) ([]term, error) {
	var out []term
	for src = strings.TrimSpace(src); src != ""; src = strings.TrimSpace(src) {
		var t term
		if src[0] == '?' || src[0] == '-' {
			t.mod, src = src[0], src[1:]
		}
		var err error
		if strings.HasPrefix(src, `"`) {
			t.text, src, err = cutQuoted(src)
		} else {
			end := strings.IndexFunc(src, unicode.IsSpace)
			if end < 0 {
				end = len(src)
			}
			t.text, src = src[:end], src[end:]
		}
		if err != nil || t.text == "" {
			return nil, errPattern
		}
		out = append(out, t)
	}
	return out, nil
}

// cutQuoted reads a double-quoted string at the start of s.
func cutQuoted(s string) (text, rest string, err error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case s[i] == '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", errPattern
}

// ---- JSON patterns ----

// jsonExpr is a compiled JSON condition on a decoded message.
type jsonExpr func(doc any) bool

func compileJSONPattern(src string) (matchFunc, error) {
	if !strings.HasSuffix(src, "}") {
		return nil, errPattern
	}
	p := &jsonParser{src: src[1 : len(src)-1]}
	expr, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.skip(); p.pos != len(p.src) {
		return nil, errPattern
	}
	return func(msg string) bool {
		doc, ok := decodeObject(msg)
		return ok && expr(doc)
	}, nil
}

// decodeObject decodes a message that is a JSON object, keeping numbers
// exact.
func decodeObject(msg string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(msg))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	_, isObject := doc.(map[string]any)
	return doc, isObject
}

// jsonParser is a recursive-descent parser over the inside of { }.
type jsonParser struct {
	src string
	pos int
}

func (p *jsonParser) skip() {
	for p.pos < len(p.src) && unicode.IsSpace(rune(p.src[p.pos])) {
		p.pos++
	}
}

// eat consumes tok if it comes next.
func (p *jsonParser) eat(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.src[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

// eatWord consumes a keyword (case-insensitive) followed by a non-letter.
func (p *jsonParser) eatWord(word string) bool {
	p.skip()
	end := p.pos + len(word)
	if end > len(p.src) || !strings.EqualFold(p.src[p.pos:end], word) {
		return false
	}
	if end < len(p.src) && unicode.IsLetter(rune(p.src[end])) {
		return false
	}
	p.pos = end
	return true
}

func (p *jsonParser) or() (jsonExpr, error) {
	left, err := p.and()
	for err == nil && p.eat("||") {
		var right jsonExpr
		if right, err = p.and(); err == nil {
			l := left
			left = func(doc any) bool { return l(doc) || right(doc) }
		}
	}
	return left, err
}

func (p *jsonParser) and() (jsonExpr, error) {
	left, err := p.unary()
	for err == nil && p.eat("&&") {
		var right jsonExpr
		if right, err = p.unary(); err == nil {
			l := left
			left = func(doc any) bool { return l(doc) && right(doc) }
		}
	}
	return left, err
}

func (p *jsonParser) unary() (jsonExpr, error) {
	if !p.eat("(") {
		return p.condition()
	}
	inner, err := p.or()
	if err != nil {
		return nil, err
	}
	if !p.eat(")") {
		return nil, errPattern
	}
	return inner, nil
}

// condition is selector followed by a comparison or an IS / EXISTS test.
func (p *jsonParser) condition() (jsonExpr, error) {
	sel, err := p.selector()
	if err != nil {
		return nil, err
	}
	switch {
	case p.eatWord("IS"):
		return p.isTest(sel)
	case p.eatWord("NOT"):
		if !p.eatWord("EXISTS") {
			return nil, errPattern
		}
		return func(doc any) bool { _, found := sel.lookup(doc); return !found }, nil
	case p.eatWord("EXISTS"):
		return func(doc any) bool { _, found := sel.lookup(doc); return found }, nil
	}
	op, err := p.operator()
	if err != nil {
		return nil, err
	}
	val, err := p.value()
	if err != nil {
		return nil, err
	}
	return func(doc any) bool {
		field, found := sel.lookup(doc)
		return found && compare(field, op, val)
	}, nil
}

func (p *jsonParser) isTest(sel selector) (jsonExpr, error) {
	var want func(v any) bool
	switch {
	case p.eatWord("NULL"):
		want = func(v any) bool { return v == nil }
	case p.eatWord("TRUE"):
		want = func(v any) bool { return v == true }
	case p.eatWord("FALSE"):
		want = func(v any) bool { return v == false }
	default:
		return nil, errPattern
	}
	return func(doc any) bool { v, found := sel.lookup(doc); return found && want(v) }, nil
}

func (p *jsonParser) operator() (string, error) {
	for _, op := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if p.eat(op) {
			return op, nil
		}
	}
	return "", errPattern
}

// patternValue is the right side of a comparison. Quoted values are always
// strings; unquoted ones are numbers when they parse as one.
type patternValue struct {
	text     string
	num      float64
	isNumber bool
}

func (p *jsonParser) value() (patternValue, error) {
	p.skip()
	rest := p.src[p.pos:]
	if strings.HasPrefix(rest, `"`) {
		text, after, err := cutQuoted(rest)
		p.pos = len(p.src) - len(after)
		return patternValue{text: text}, err
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == ')' || r == '&' || r == '|' })
	if end < 0 {
		end = len(rest)
	}
	if end == 0 {
		return patternValue{}, errPattern
	}
	p.pos += end
	v := patternValue{text: rest[:end]}
	if n, err := strconv.ParseFloat(v.text, 64); err == nil {
		v.num, v.isNumber = n, true
	}
	return v, nil
}

// selector is a parsed $.a.b[0] path: object keys (string) and array
// indexes (int).
type selector []any

func (p *jsonParser) selector() (selector, error) {
	if !p.eat("$") {
		return nil, errPattern
	}
	var sel selector
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '.':
			p.pos++
			start := p.pos
			for p.pos < len(p.src) && isKeyByte(p.src[p.pos]) {
				p.pos++
			}
			if p.pos == start {
				return nil, errPattern
			}
			sel = append(sel, p.src[start:p.pos])
		case '[':
			end := strings.IndexByte(p.src[p.pos:], ']')
			if end < 0 {
				return nil, errPattern
			}
			i, err := strconv.Atoi(p.src[p.pos+1 : p.pos+end])
			if err != nil || i < 0 {
				return nil, errPattern
			}
			sel, p.pos = append(sel, i), p.pos+end+1
		default:
			return sel, nil
		}
	}
	return sel, nil
}

func isKeyByte(c byte) bool {
	return c == '_' || c == '-' || c == '@' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// lookup follows the path through a decoded document.
func (s selector) lookup(doc any) (any, bool) {
	cur := doc
	for _, step := range s {
		switch step := step.(type) {
		case string:
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = obj[step]; !ok {
				return nil, false
			}
		case int:
			arr, ok := cur.([]any)
			if !ok || step >= len(arr) {
				return nil, false
			}
			cur = arr[step]
		}
	}
	return cur, true
}

// compare applies op to a field and a pattern value. Ordering needs two
// numbers; equality is numeric for two numbers and otherwise compares the
// field's text with the value, * being a wildcard.
func compare(field any, op string, val patternValue) bool {
	num, isNum := field.(json.Number)
	if isNum && val.isNumber {
		f, err := num.Float64()
		if err != nil {
			return false
		}
		return compareNumbers(f, op, val.num)
	}
	if op != "=" && op != "!=" {
		return false
	}
	text, ok := fieldText(field)
	if !ok {
		return false
	}
	return wildcardMatch(val.text, text) == (op == "=")
}

func compareNumbers(a float64, op string, b float64) bool {
	switch op {
	case "=":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case ">":
		return a > b
	case "<=":
		return a <= b
	}
	return a >= b
}

// fieldText is a scalar field as text; objects, arrays and null have none.
func fieldText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// wildcardMatch matches s against pattern, where * stands for any run of
// characters.
func wildcardMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
