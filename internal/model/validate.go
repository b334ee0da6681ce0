package model

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Violation is one failed constraint, phrased as AWS phrases it.
type Violation struct {
	Path    string // 'tableName', 'keySchema.1.member.attributeName'
	Value   any    // the offending value (nil when missing)
	Message string // "Member must not be null"
}

// String renders the violation as in AWS's validation messages:
// "Value null at 'tableName' failed to satisfy constraint: Member must not be null".
func (v Violation) String() string {
	return fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", renderValue(v.Value), v.Path, v.Message)
}

// ValidationMessage joins violations the way AWS's front end does:
// "1 validation error detected: …" / "2 validation errors detected: …; …".
func ValidationMessage(vs []Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	noun := "errors"
	if len(vs) == 1 {
		noun = "error"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(vs), noun, strings.Join(parts, "; "))
}

// MustNotBeNull is the message of a violation for an absent required member.
const MustNotBeNull = "Member must not be null"

// Validate checks a decoded input value against the constraints of its shape:
// required members, enums, lengths, ranges and patterns.
func Validate(s *Shape, v any) []Violation {
	var vs []Violation
	validateStruct(s, v, nil, &vs)
	return vs
}

// path is where a value sits in the input, kept as a chain of steps so that
// the string AWS prints is built only when a violation is found: valid input
// (nearly all of it) then costs no allocations for paths.
type path struct {
	parent *path
	name   string // member name ('tableName') or map key
	index  int    // list position, 1-based, when name is ""
}

func (p *path) String() string {
	if p == nil {
		return ""
	}
	step := p.name
	if step == "" {
		step = strconv.Itoa(p.index) + ".member"
	}
	if p.parent == nil {
		return step
	}
	return p.parent.String() + "." + step
}

func validateStruct(s *Shape, v any, at *path, vs *[]Violation) {
	m, _ := v.(map[string]any)
	for _, mem := range s.Members {
		val, present := m[mem.Name]
		if !present || val == nil {
			if s.IsRequired(mem.Name) {
				p := &path{parent: at, name: LowerFirst(mem.Name)}
				*vs = append(*vs, Violation{Path: p.String(), Message: MustNotBeNull})
			}
			continue
		}
		validateValue(mem.ShapeRef, val, &path{parent: at, name: LowerFirst(mem.Name)}, vs)
	}
}

func validateValue(r *ShapeRef, v any, at *path, vs *[]Violation) {
	s := r.Shape
	switch s.Type {
	case "structure":
		validateStruct(s, v, at, vs)
	case "list":
		l, _ := v.([]any)
		checkLength(s, v, len(l), at, vs)
		for i, e := range l {
			if e != nil {
				validateValue(s.Member, e, &path{parent: at, index: i + 1}, vs)
			}
		}
	case "map":
		m, _ := v.(map[string]any)
		checkLength(s, v, len(m), at, vs)
		for k, e := range m {
			validateValue(s.Key, k, at, vs)
			if e != nil {
				validateValue(s.Value, e, &path{parent: at, name: k}, vs)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok || r.JSONValue {
			return
		}
		checkLength(s, v, utf8.RuneCountInString(str), at, vs)
		checkEnum(s, str, at, vs)
		checkPattern(s, str, at, vs)
	case "blob":
		b, _ := v.([]byte)
		checkLength(s, v, len(b), at, vs)
	case "integer", "long":
		if n, ok := v.(int64); ok {
			checkRange(s, v, float64(n), at, vs)
		}
	case "float", "double":
		if f, ok := v.(float64); ok {
			checkRange(s, v, f, at, vs)
		}
	}
}

func checkLength(s *Shape, v any, n int, at *path, vs *[]Violation) {
	if s.Min != nil && float64(n) < *s.Min {
		*vs = append(*vs, Violation{at.String(), v, "Member must have length greater than or equal to " + num(*s.Min)})
	}
	if s.Max != nil && float64(n) > *s.Max {
		*vs = append(*vs, Violation{at.String(), v, "Member must have length less than or equal to " + num(*s.Max)})
	}
}

func checkRange(s *Shape, v any, f float64, at *path, vs *[]Violation) {
	if s.Min != nil && f < *s.Min {
		*vs = append(*vs, Violation{at.String(), v, "Member must have value greater than or equal to " + num(*s.Min)})
	}
	if s.Max != nil && f > *s.Max {
		*vs = append(*vs, Violation{at.String(), v, "Member must have value less than or equal to " + num(*s.Max)})
	}
}

func checkEnum(s *Shape, str string, at *path, vs *[]Violation) {
	if len(s.Enum) == 0 {
		return
	}
	for _, e := range s.Enum {
		if e == str {
			return
		}
	}
	*vs = append(*vs, Violation{at.String(), str, "Member must satisfy enum value set: [" + strings.Join(s.Enum, ", ") + "]"})
}

func checkPattern(s *Shape, str string, at *path, vs *[]Violation) {
	if s.Pattern == "" {
		return
	}
	re := compilePattern(s.Pattern)
	if re != nil && !re.MatchString(str) {
		*vs = append(*vs, Violation{at.String(), str, "Member must satisfy regular expression pattern: " + s.Pattern})
	}
}

var patterns sync.Map // pattern string → *regexp.Regexp, or nil when RE2 cannot express it

// compilePattern compiles a model pattern once. The models hold Java regular
// expressions; the few that RE2 cannot express (look-arounds) are not checked
// rather than rejected, since refusing valid input would be the worse error.
func compilePattern(p string) *regexp.Regexp {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(`^(?:` + javaToRE2(p) + `)$`)
	if err != nil {
		re = nil
	}
	patterns.Store(p, re)
	return re
}

// javaToRE2 rewrites the Java-only escapes that appear in AWS models.
func javaToRE2(p string) string {
	r := strings.NewReplacer(`\p{Alnum}`, `[\p{L}\p{N}]`, `\p{Punct}`, `[!-/:-@\[-`+"`"+`{-~]`,
		`\p{XDigit}`, `[0-9a-fA-F]`, `\p{Alpha}`, `\p{L}`, `\p{ASCII}`, `[\x00-\x7F]`)
	return r.Replace(p)
}

func num(f float64) string {
	if f == math.Trunc(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// renderValue prints a value as AWS's messages do: null, 'text', 5, '[a, b]'.
func renderValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "'" + x + "'"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return "'" + x.UTC().Format(time.RFC3339) + "'"
	case []byte:
		return "'java.nio.HeapByteBuffer[pos=0 lim=" + strconv.Itoa(len(x)) + " cap=" + strconv.Itoa(len(x)) + "]'"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = strings.Trim(renderValue(e), "'")
		}
		return "'[" + strings.Join(parts, ", ") + "]'"
	case map[string]any:
		return "'{...}'"
	}
	return fmt.Sprint(v)
}
