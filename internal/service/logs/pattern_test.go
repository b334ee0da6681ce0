package logs

import "testing"

func TestFilterPatterns(t *testing.T) {
	const (
		plain = `[ERROR] 2026-11-22 Exception in thread "main" java.lang.NullPointerException`
		warn  = `WARN disk almost full`
		debug = `DEBUG ERROR-ish noise`
		doc   = `{"level":"error","ms":150,"user":{"id":7,"name":"kiri","tags":["a","b"]},"ip":"10.0.3.4","ok":false,"gone":null}`
	)
	tests := []struct {
		pattern string
		message string
		want    bool
	}{
		{"", plain, true},
		{"   ", warn, true},
		{"ERROR", plain, true},
		{"error", plain, false}, // case-sensitive
		{"ERROR Exception", plain, true},
		{"ERROR WARN", plain, false},
		{`"in thread"`, plain, true},
		{`"thread in"`, plain, false},
		{`"\"main\""`, plain, true},
		{"?ERROR ?WARN", warn, true},
		{"?ERROR ?WARN", "INFO fine", false},
		{"ERROR -DEBUG", plain, true},
		{"ERROR -DEBUG", debug, false},
		{"-DEBUG", warn, true},
		{`-"almost full"`, warn, false},

		{`{ $.level = "error" }`, doc, true},
		{`{ $.level = error }`, doc, true},
		{`{ $.level = "ERROR" }`, doc, false},
		{`{$.level="error"}`, doc, true},
		{`{ $.level != "error" }`, doc, false},
		{`{ $.level = "err*" }`, doc, true},
		{`{ $.level = "*ro*" }`, doc, true},
		{`{ $.level = "*x*" }`, doc, false},
		{`{ $.ip = 10.0.* }`, doc, true},
		{`{ $.ip != 10.0.* }`, doc, false},
		{`{ $.ms > 100 }`, doc, true},
		{`{ $.ms >= 150 }`, doc, true},
		{`{ $.ms < 150 }`, doc, false},
		{`{ $.ms <= 150 }`, doc, true},
		{`{ $.ms = 150 }`, doc, true},
		{`{ $.ms = 150.0 }`, doc, true},
		{`{ $.ms != 150 }`, doc, false},
		{`{ $.level > 1 }`, doc, false}, // ordering needs a number
		{`{ $.user.id = 7 }`, doc, true},
		{`{ $.user.name = "kiri" }`, doc, true},
		{`{ $.user.tags[1] = "b" }`, doc, true},
		{`{ $.user.tags[2] = "b" }`, doc, false},
		{`{ $.missing = "x" }`, doc, false},
		{`{ $.missing != "x" }`, doc, false},
		{`{ $.level = "error" && $.ms > 100 }`, doc, true},
		{`{ $.level = "error" && $.ms > 200 }`, doc, false},
		{`{ $.level = "info" || $.ms > 100 }`, doc, true},
		{`{ ($.level = "info" || $.ms > 100) && $.user.id = 7 }`, doc, true},
		{`{ ($.level = "info" || $.ms > 200) && $.user.id = 7 }`, doc, false},
		{`{ $.level = "info" || ($.ms > 100 && $.user.id = 8) }`, doc, false},
		{`{ $.gone IS NULL }`, doc, true},
		{`{ $.level IS NULL }`, doc, false},
		{`{ $.ok IS FALSE }`, doc, true},
		{`{ $.ok IS TRUE }`, doc, false},
		{`{ $.missing NOT EXISTS }`, doc, true},
		{`{ $.level NOT EXISTS }`, doc, false},
		{`{ $.level EXISTS }`, doc, true},
		{`{ $.level = "error" }`, plain, false}, // not JSON
		{`{ $.level = "error" }`, `["level"]`, false},
	}
	for _, tt := range tests {
		match, err := compilePattern(tt.pattern)
		if err != nil {
			t.Errorf("%s: %v", tt.pattern, err)
			continue
		}
		if got := match(tt.message); got != tt.want {
			t.Errorf("%s on %s = %v, want %v", tt.pattern, tt.message, got, tt.want)
		}
	}
}

func TestFilterPatternSyntaxErrors(t *testing.T) {
	for _, bad := range []string{
		`"unterminated`,
		`{ $.a = "x" `,
		`{ $.a "x" }`,
		`{ a = 1 }`,
		`{ $.a = }`,
		`{ ($.a = 1 }`,
		`{ $.a = 1 && }`,
		`{ $.a IS MAYBE }`,
		`{ $.a[x] = 1 }`,
		`[ip, user, status]`,
		`?`,
	} {
		if _, err := compilePattern(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"a*", "abc", true},
		{"*c", "abc", true},
		{"a*c", "abbbc", true},
		{"a*c", "ac", true},
		{"a*b*c", "acb", false},
		{"*", "", true},
		{"a*a", "a", false},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}
