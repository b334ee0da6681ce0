package jsonbody

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
)

// Marshal encodes the dynamic value v of ref's shape as JSON.
func Marshal(ref *model.ShapeRef, v any) ([]byte, error) {
	// Most AWS responses fit; starting there saves the early regrowths.
	return Append(make([]byte, 0, 512), ref, v)
}

// Append appends the JSON encoding of v, a dynamic value of ref's shape, to
// dst. Structure members come out in model order and map keys sorted, so
// the output is stable. A value of the wrong Go type for its shape is an
// error naming the member path.
func Append(dst []byte, ref *model.ShapeRef, v any) ([]byte, error) {
	e := encoder{buf: dst}
	if err := e.value(ref, v); err != nil {
		return dst, err
	}
	return e.buf, nil
}

// AppendAny appends the JSON encoding of a generic value (as a document
// shape holds it).
func AppendAny(dst []byte, v any) ([]byte, error) {
	e := encoder{buf: dst}
	if err := e.any(v); err != nil {
		return dst, err
	}
	return e.buf, nil
}

type encoder struct {
	buf []byte
}

// EncodeError is a value that does not fit its shape.
type EncodeError struct {
	Path string // where, e.g. ".Table.KeySchema[0].KeyType"
	Want string // the shape type
	Have any
}

func (e *EncodeError) Error() string {
	return fmt.Sprintf("jsonbody: value%s: a %s cannot hold a %T", e.Path, e.Want, e.Have)
}

func (e *encoder) value(ref *model.ShapeRef, v any) error {
	if v == nil {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	s := ref.Shape
	var ok bool
	switch s.Type {
	case "structure":
		if s.Document {
			return e.any(v)
		}
		var m map[string]any
		if m, ok = v.(map[string]any); ok {
			return e.structure(s, m)
		}
	case "list":
		return e.list(s.Member, v)
	case "map":
		var m map[string]any
		if m, ok = v.(map[string]any); ok {
			return e.mapValue(s.Value, m)
		}
	case "string", "character":
		if ref.JSONValue {
			return e.jsonValue(v)
		}
		var str string
		if str, ok = v.(string); ok {
			e.buf = appendString(e.buf, str)
		}
	case "integer", "long":
		var n int64
		if n, ok = protocol.Int64(v); ok {
			e.buf = strconv.AppendInt(e.buf, n, 10)
		}
	case "float", "double":
		var f float64
		if f, ok = protocol.Float64(v); ok {
			e.buf = appendFloat(e.buf, f, s.Type == "float")
		}
	case "boolean":
		var b bool
		if b, ok = v.(bool); ok {
			e.buf = strconv.AppendBool(e.buf, b)
		}
	case "timestamp":
		var t time.Time
		if t, ok = v.(time.Time); ok {
			e.timestamp(ref, t)
		}
	case "blob":
		ok = e.blob(v)
	default:
		return e.any(v)
	}
	if !ok {
		return &EncodeError{Want: s.Type, Have: v}
	}
	return nil
}

func (e *encoder) structure(s *model.Shape, v map[string]any) error {
	e.buf = append(e.buf, '{')
	first := true
	for i := range s.Members {
		m := &s.Members[i]
		mv, present := v[m.Name]
		if !present || mv == nil || m.Location != "" {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = appendString(e.buf, m.NameOr(m.Name))
		e.buf = append(e.buf, ':')
		if err := e.value(m.ShapeRef, mv); err != nil {
			return within(err, "."+m.Name)
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// list accepts []any, and the slices of strings and structures a service
// may build directly.
func (e *encoder) list(member *model.ShapeRef, v any) error {
	e.buf = append(e.buf, '[')
	var err error
	switch l := v.(type) {
	case []any:
		for i := 0; i < len(l) && err == nil; i++ {
			err = e.element(i, member, l[i])
		}
	case []string:
		for i := 0; i < len(l) && err == nil; i++ {
			err = e.element(i, member, l[i])
		}
	case []map[string]any:
		for i := 0; i < len(l) && err == nil; i++ {
			err = e.element(i, member, l[i])
		}
	default:
		return &EncodeError{Want: "list", Have: v}
	}
	e.buf = append(e.buf, ']')
	return err
}

func (e *encoder) element(i int, member *model.ShapeRef, v any) error {
	if i > 0 {
		e.buf = append(e.buf, ',')
	}
	if err := e.value(member, v); err != nil {
		return within(err, "["+strconv.Itoa(i)+"]")
	}
	return nil
}

func (e *encoder) mapValue(value *model.ShapeRef, m map[string]any) error {
	e.buf = append(e.buf, '{')
	var small [16]string // keeps the keys of typical maps off the heap
	for i, k := range sortedKeys(small[:0], m) {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, k)
		e.buf = append(e.buf, ':')
		if err := e.value(value, m[k]); err != nil {
			return within(err, "["+strconv.Quote(k)+"]")
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// jsonValue writes a jsonvalue member: its JSON text as a JSON string.
func (e *encoder) jsonValue(v any) error {
	text, err := AppendAny(nil, v)
	if err != nil {
		return err
	}
	e.buf = appendString(e.buf, string(text))
	return nil
}

func (e *encoder) timestamp(ref *model.ShapeRef, t time.Time) {
	format := ref.TimestampFormatOf(protocol.UnixTimestamp)
	if format == protocol.UnixTimestamp {
		e.buf = append(e.buf, protocol.FormatEpoch(t)...)
		return
	}
	e.buf = appendString(e.buf, protocol.FormatTime(t, format))
}

func (e *encoder) blob(v any) bool {
	var b []byte
	switch x := v.(type) {
	case []byte:
		b = x
	case string:
		b = []byte(x)
	default:
		return false
	}
	e.buf = append(e.buf, '"')
	e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
	e.buf = append(e.buf, '"')
	return true
}

// any writes a generic value: the forms of a document, plus the Go types a
// service may put in one.
func (e *encoder) any(v any) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		e.buf = appendString(e.buf, x)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case float64:
		e.buf = appendFloat(e.buf, x, false)
	case []any:
		return e.list(anyRef, x)
	case map[string]any:
		return e.mapValue(anyRef, x)
	case time.Time:
		e.buf = append(e.buf, protocol.FormatEpoch(x)...)
	case []byte:
		e.blob(x)
	default:
		if n, ok := protocol.Int64(v); ok {
			e.buf = strconv.AppendInt(e.buf, n, 10)
			return nil
		}
		return e.reflectJSON(v)
	}
	return nil
}

// anyRef stands for a value of any JSON kind.
var anyRef = &model.ShapeRef{Shape: &model.Shape{Type: "structure", Document: true}}

// reflectJSON falls back to encoding/json for Go types outside the value
// forms, without its HTML escaping.
func (e *encoder) reflectJSON(v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return &EncodeError{Want: "document", Have: v}
	}
	e.buf = append(e.buf, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
	return nil
}

// within prefixes the path of an EncodeError with the step that led to it,
// so paths cost nothing until something fails.
func within(err error, step string) error {
	if ee, ok := err.(*EncodeError); ok {
		ee.Path = step + ee.Path
	}
	return err
}

func sortedKeys(keys []string, m map[string]any) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendFloat writes a number as encoding/json does (no exponent between
// 1e-6 and 1e21), and the non-finite values as Smithy's strings. A float
// shape is printed at single precision so that 1.2 stays "1.2".
func appendFloat(b []byte, f float64, single bool) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	bits := 64
	if single {
		bits = 32
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// Shorten "1e-07" to "1e-7", as encoding/json does.
		n := len(b) - start
		if n >= 4 && b[len(b)-4] == 'e' && b[len(b)-3] == '-' && b[len(b)-2] == '0' {
			b[len(b)-2] = b[len(b)-1]
			b = b[:len(b)-1]
		}
	}
	return b
}

// appendString writes s as a JSON string. Unlike encoding/json it leaves
// <, > and & alone, as AWS's services do; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscaped(b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendEscaped(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	}
	const hex = "0123456789abcdef"
	return append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
}
