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

// Validate checks a decoded input value against the constraints of its shape:
// required members, enums, lengths, ranges and patterns.
func Validate(s *Shape, v any) []Violation {
	var vs []Violation
	validateStruct(s, v, "", &vs)
	return vs
}

func validateStruct(s *Shape, v any, path string, vs *[]Violation) {
	m, _ := v.(map[string]any)
	for _, mem := range s.Members {
		p := joinPath(path, LowerFirst(mem.Name))
		val, present := m[mem.Name]
		if !present || val == nil {
			if s.IsRequired(mem.Name) {
				*vs = append(*vs, Violation{Path: p, Message: "Member must not be null"})
			}
			continue
		}
		validateValue(mem.ShapeRef, val, p, vs)
	}
}

func validateValue(r *ShapeRef, v any, path string, vs *[]Violation) {
	s := r.Shape
	switch s.Type {
	case "structure":
		validateStruct(s, v, path, vs)
	case "list":
		l, _ := v.([]any)
		checkLength(s, v, len(l), path, vs)
		for i, e := range l {
			if e != nil {
				validateValue(s.Member, e, fmt.Sprintf("%s.%d.member", path, i+1), vs)
			}
		}
	case "map":
		m, _ := v.(map[string]any)
		checkLength(s, v, len(m), path, vs)
		for k, e := range m {
			validateValue(s.Key, k, path, vs)
			if e != nil {
				validateValue(s.Value, e, path+"."+k, vs)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok || r.JSONValue {
			return
		}
		checkLength(s, v, utf8.RuneCountInString(str), path, vs)
		checkEnum(s, str, path, vs)
		checkPattern(s, str, path, vs)
	case "blob":
		b, _ := v.([]byte)
		checkLength(s, v, len(b), path, vs)
	case "integer", "long":
		if n, ok := v.(int64); ok {
			checkRange(s, v, float64(n), path, vs)
		}
	case "float", "double":
		if f, ok := v.(float64); ok {
			checkRange(s, v, f, path, vs)
		}
	}
}

func checkLength(s *Shape, v any, n int, path string, vs *[]Violation) {
	if s.Min != nil && float64(n) < *s.Min {
		*vs = append(*vs, Violation{path, v, "Member must have length greater than or equal to " + num(*s.Min)})
	}
	if s.Max != nil && float64(n) > *s.Max {
		*vs = append(*vs, Violation{path, v, "Member must have length less than or equal to " + num(*s.Max)})
	}
}

func checkRange(s *Shape, v any, f float64, path string, vs *[]Violation) {
	if s.Min != nil && f < *s.Min {
		*vs = append(*vs, Violation{path, v, "Member must have value greater than or equal to " + num(*s.Min)})
	}
	if s.Max != nil && f > *s.Max {
		*vs = append(*vs, Violation{path, v, "Member must have value less than or equal to " + num(*s.Max)})
	}
}

func checkEnum(s *Shape, str, path string, vs *[]Violation) {
	if len(s.Enum) == 0 {
		return
	}
	for _, e := range s.Enum {
		if e == str {
			return
		}
	}
	*vs = append(*vs, Violation{path, str, "Member must satisfy enum value set: [" + strings.Join(s.Enum, ", ") + "]"})
}

func checkPattern(s *Shape, str, path string, vs *[]Violation) {
	if s.Pattern == "" {
		return
	}
	re := compilePattern(s.Pattern)
	if re != nil && !re.MatchString(str) {
		*vs = append(*vs, Violation{path, str, "Member must satisfy regular expression pattern: " + s.Pattern})
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

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
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
