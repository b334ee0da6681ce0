package main

import (
	"strconv"
	"strings"
)

// reserved are the identifiers every generated package declares; a shape
// whose name collides with one (API Gateway has a shape named Model) gets a
// suffix instead.
var reserved = []string{
	"API", "APIVersion", "EndpointPrefix", "Handlers", "Implemented", "Model",
	"Operations", "Protocol", "QueryModel", "ServiceID", "ServiceName",
	"SigningName", "TargetPrefix",
}

// namespace hands out the package-level identifiers of one generated
// package, so that types, constants and functions never collide.
type namespace struct {
	taken   map[string]bool
	renamed []string // "wanted → got", for the generator's -v report
}

func newNamespace() *namespace {
	ns := &namespace{taken: map[string]bool{}}
	for _, name := range reserved {
		ns.taken[name] = true
	}
	return ns
}

// claim returns ident, or ident with suffix (and then a number) appended
// when ident is taken, and marks the result taken.
func (ns *namespace) claim(ident, suffix string) string {
	name := ident
	for i := 1; ns.taken[name]; i++ {
		name = ident + suffix
		if i > 1 {
			name += strconv.Itoa(i)
		}
	}
	ns.taken[name] = true
	if name != ident {
		ns.renamed = append(ns.renamed, ident+" → "+name)
	}
	return name
}

// exportedName turns a model name (of a shape or member) into an exported
// Go identifier: characters that cannot appear in one are dropped and the
// first letter is upper-cased.
func exportedName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r == '_' && b.Len() == 0 {
			continue // a leading underscore would keep the name unexported
		}
		if isASCIIAlnum(r) || r == '_' {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		s = "X" + s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// enumValueName turns an enum value into the tail of a constant name the way
// the AWS SDKs do: words split at any non-alphanumeric, an all-capitals word
// capitalised ("PAY_PER_REQUEST" → "PayPerRequest"), others keep their case
// ("m5.2xlarge" → "M52xlarge", "s3:ObjectCreated:*" → "S3ObjectCreated").
func enumValueName(value string) string {
	var b strings.Builder
	words := strings.FieldsFunc(value, func(r rune) bool { return !isASCIIAlnum(r) })
	for _, w := range words {
		if strings.ToUpper(w) == w {
			w = strings.ToLower(w)
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

func isASCIIAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
