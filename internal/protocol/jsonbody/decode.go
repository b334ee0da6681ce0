// Package jsonbody reads and writes the JSON documents of AWS's JSON
// protocols (awsJson 1.0/1.1 and the body of rest-json), guided by the
// model's shapes, to and from the dynamic value forms of package model.
//
// The wire rules are the ones AWS's JSON services follow:
//
//   - structure members travel under their locationName (else their name),
//     in model order; absent and nil members are omitted; unknown keys are
//     ignored on decode; members bound to a location (headers, URI, …) are
//     not part of the document;
//   - timestamps are epoch seconds as a JSON number unless the member or
//     shape names another timestampFormat (iso8601 / rfc822 strings);
//   - blobs are base64 strings; floats may be the strings "NaN",
//     "Infinity" and "-Infinity";
//   - a jsonvalue string member travels as a JSON string holding JSON text
//     and is decoded into that JSON value; a document is any JSON value.
//
// Integers are read exactly into int64. Decoding errors are *Error, phrased
// as AWS's JSON front end phrases its SerializationException.
package jsonbody

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
)

// Error is a document that is not JSON, or JSON whose value does not fit
// the shape it is read as.
type Error struct {
	Message string
	Offset  int // byte offset in the document where reading failed
}

func (e *Error) Error() string { return e.Message }

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 1000

// Unmarshal decodes a JSON document into the dynamic value of ref's shape.
// A JSON null gives nil. Trailing data after the value is an error.
func Unmarshal(ref *model.ShapeRef, data []byte) (any, error) {
	d := &decoder{data: data}
	v, err := d.value(ref)
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos < len(d.data) {
		return nil, d.fail("Unexpected character after the JSON value")
	}
	return v, nil
}

// UnmarshalAny decodes a JSON document into a generic value (nil, bool,
// float64, string, []any, map[string]any), as for a document shape.
func UnmarshalAny(data []byte) (any, error) {
	return Unmarshal(&model.ShapeRef{Shape: &model.Shape{Type: "structure", Document: true}}, data)
}

type decoder struct {
	data  []byte
	pos   int
	depth int
}

func (d *decoder) fail(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...), Offset: d.pos}
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value reads the next value as ref's shape.
func (d *decoder) value(ref *model.ShapeRef) (any, error) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return nil, d.fail("Unexpected end of JSON input")
	}
	if d.data[d.pos] == 'n' {
		return nil, d.literal("null")
	}
	s := ref.Shape
	switch s.Type {
	case "structure":
		if s.Document {
			return d.any()
		}
		return d.structure(s)
	case "list":
		return d.list(s.Member)
	case "map":
		return d.mapValue(s.Value)
	case "string", "character":
		if ref.JSONValue {
			return d.jsonValue()
		}
		return d.str("String")
	case "integer", "long":
		return d.integer(s.Type)
	case "float", "double":
		return d.float()
	case "boolean":
		return d.boolean()
	case "timestamp":
		return d.timestamp(ref)
	case "blob":
		return d.blob()
	}
	return d.any()
}

// mismatch reports a value whose JSON kind does not fit the shape.
func (d *decoder) mismatch(want string) error {
	switch d.data[d.pos] {
	case '{':
		return d.fail("Start of structure or map found where not expected.")
	case '[':
		return d.fail("Start of list found where not expected.")
	case '"':
		return d.fail("STRING_VALUE cannot be converted to %s", want)
	case 't', 'f':
		return d.fail("BOOLEAN_VALUE cannot be converted to %s", want)
	}
	return d.fail("NUMBER_VALUE cannot be converted to %s", want)
}

// open consumes the opening delimiter of an object or array.
func (d *decoder) open(delim byte, want string) error {
	if d.data[d.pos] != delim {
		return d.mismatch(want)
	}
	if d.depth++; d.depth > maxDepth {
		return d.fail("JSON nested too deeply")
	}
	d.pos++
	return nil
}

// next steps over the separator before the next element of an object or
// array and reports whether there is one; first says whether none has been
// read yet.
func (d *decoder) next(closing byte, first bool) (bool, error) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return false, d.fail("Unexpected end of JSON input")
	}
	c := d.data[d.pos]
	if c == closing {
		d.pos++
		d.depth--
		return false, nil
	}
	if first {
		return true, nil
	}
	if c != ',' {
		return false, d.fail("Expected ',' or '%c'", closing)
	}
	d.pos++
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == closing {
		return false, d.fail("Unexpected '%c' after ','", closing)
	}
	return true, nil
}

// key reads an object key and the colon after it. The bytes may alias the
// input; callers copy them when they keep them.
func (d *decoder) key() ([]byte, error) {
	d.skipSpace()
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return nil, d.fail("Expected a string key")
	}
	k, err := d.stringBytes()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos >= len(d.data) || d.data[d.pos] != ':' {
		return nil, d.fail("Expected ':' after a key")
	}
	d.pos++
	return k, nil
}

func (d *decoder) structure(s *model.Shape) (any, error) {
	if err := d.open('{', "Structure"); err != nil {
		return nil, err
	}
	out := make(map[string]any, min(len(s.Members), 8))
	for first := true; ; first = false {
		more, err := d.next('}', first)
		if err != nil || !more {
			return out, err
		}
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		m := bodyMember(s, k)
		if m == nil {
			if err := d.skip(); err != nil {
				return nil, err
			}
			continue
		}
		v, err := d.value(m.ShapeRef)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[m.Name] = v
		}
	}
}

// bodyMember finds the member of s that travels in the document under key.
// A linear scan beats a map for the sizes of AWS shapes and allocates
// nothing.
func bodyMember(s *model.Shape, key []byte) *model.Member {
	for i := range s.Members {
		m := &s.Members[i]
		if m.Location == "" && string(key) == m.NameOr(m.Name) {
			return m
		}
	}
	return nil
}

func (d *decoder) list(member *model.ShapeRef) (any, error) {
	if err := d.open('[', "List"); err != nil {
		return nil, err
	}
	out := []any{}
	for first := true; ; first = false {
		more, err := d.next(']', first)
		if err != nil || !more {
			return out, err
		}
		v, err := d.value(member)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// mapValue reads a map; null values are dropped, as AWS's maps are dense.
func (d *decoder) mapValue(value *model.ShapeRef) (any, error) {
	if err := d.open('{', "Map"); err != nil {
		return nil, err
	}
	out := make(map[string]any)
	for first := true; ; first = false {
		more, err := d.next('}', first)
		if err != nil || !more {
			return out, err
		}
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		v, err := d.value(value)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[string(k)] = v
		}
	}
}

func (d *decoder) str(want string) (string, error) {
	if d.data[d.pos] != '"' {
		return "", d.mismatch(want)
	}
	b, err := d.stringBytes()
	return string(b), err
}

// jsonValue reads a string holding JSON text and decodes that text.
func (d *decoder) jsonValue() (any, error) {
	at := d.pos
	s, err := d.str("String")
	if err != nil {
		return nil, err
	}
	v, err := UnmarshalAny([]byte(s))
	if err != nil {
		return nil, &Error{Message: "Invalid JSON in a jsonvalue string: " + err.Error(), Offset: at}
	}
	return v, nil
}

func (d *decoder) integer(typ string) (any, error) {
	want := "Integer"
	if typ == "long" {
		want = "Long"
	}
	if !isNumberStart(d.data[d.pos]) {
		return nil, d.mismatch(want)
	}
	at := d.pos
	num, err := d.number()
	if err != nil {
		return nil, err
	}
	n, ok := parseInt(num)
	if !ok || typ == "integer" && int64(int32(n)) != n {
		return nil, &Error{Message: fmt.Sprintf("NUMBER_VALUE %s cannot be converted to %s", num, want), Offset: at}
	}
	return n, nil
}

// parseInt reads an integer; an integral number written with a fraction or
// an exponent ("5.0", "1e3") is accepted too, as Java front ends do.
func parseInt(num []byte) (int64, bool) {
	if n, err := strconv.ParseInt(string(num), 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil || f != float64(int64(f)) || f >= 1<<63 || f < -(1<<63) {
		return 0, false
	}
	return int64(f), true
}

func (d *decoder) float() (any, error) {
	if d.data[d.pos] == '"' {
		// Smithy carries the non-finite values as strings.
		at := d.pos
		s, _ := d.str("Double")
		switch s {
		case "NaN", "Infinity", "-Infinity":
			f, _ := strconv.ParseFloat(s, 64)
			return f, nil
		}
		d.pos = at
		return nil, d.mismatch("Double")
	}
	if !isNumberStart(d.data[d.pos]) {
		return nil, d.mismatch("Double")
	}
	num, err := d.number()
	if err != nil {
		return nil, err
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		// Only overflow gets here; the grammar was checked.
		return nil, d.fail("NUMBER_VALUE %s is out of range for Double", num)
	}
	return f, nil
}

func (d *decoder) boolean() (any, error) {
	switch d.data[d.pos] {
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	}
	return nil, d.mismatch("Boolean")
}

func (d *decoder) timestamp(ref *model.ShapeRef) (any, error) {
	at := d.pos
	switch c := d.data[d.pos]; {
	case isNumberStart(c):
		num, err := d.number()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil {
			return nil, &Error{Message: "NUMBER_VALUE cannot be converted to Timestamp", Offset: at}
		}
		return protocol.EpochTime(f), nil
	case c == '"':
		s, err := d.str("Timestamp")
		if err != nil {
			return nil, err
		}
		t, err := protocol.ParseTime(s, ref.TimestampFormatOf(protocol.UnixTimestamp))
		if err != nil {
			return nil, &Error{Message: fmt.Sprintf("STRING_VALUE %q cannot be converted to Timestamp", s), Offset: at}
		}
		return t, nil
	}
	return nil, d.mismatch("Timestamp")
}

func (d *decoder) blob() (any, error) {
	if d.data[d.pos] != '"' {
		return nil, d.mismatch("Blob")
	}
	at := d.pos
	src, err := d.stringBytes()
	if err != nil {
		return nil, err
	}
	b, ok := decodeBase64(src)
	if !ok {
		return nil, &Error{Message: "Base64 encoded value is not valid", Offset: at}
	}
	return b, nil
}

// decodeBase64 accepts padded and unpadded standard base64.
func decodeBase64(src []byte) ([]byte, bool) {
	// Room for a final partial quantum too: Decode writes whole quanta.
	dst := make([]byte, (len(src)+3)/4*3)
	if n, err := base64.StdEncoding.Decode(dst, src); err == nil {
		return dst[:n], true
	}
	for len(src) > 0 && src[len(src)-1] == '=' {
		src = src[:len(src)-1]
	}
	n, err := base64.RawStdEncoding.Decode(dst, src)
	return dst[:n], err == nil
}

// any reads a value of any JSON kind into its generic Go form.
func (d *decoder) any() (any, error) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return nil, d.fail("Unexpected end of JSON input")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.anyObject()
	case c == '[':
		return d.anyArray()
	case c == '"':
		return d.str("String")
	case c == 't' || c == 'f':
		return d.boolean()
	case c == 'n':
		return nil, d.literal("null")
	case isNumberStart(c):
		return d.float()
	}
	return nil, d.fail("Unexpected character '%c'", d.data[d.pos])
}

func (d *decoder) anyObject() (any, error) {
	if err := d.open('{', "Map"); err != nil {
		return nil, err
	}
	out := make(map[string]any)
	for first := true; ; first = false {
		more, err := d.next('}', first)
		if err != nil || !more {
			return out, err
		}
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		v, err := d.any()
		if err != nil {
			return nil, err
		}
		out[string(k)] = v
	}
}

func (d *decoder) anyArray() (any, error) {
	if err := d.open('[', "List"); err != nil {
		return nil, err
	}
	out := []any{}
	for first := true; ; first = false {
		more, err := d.next(']', first)
		if err != nil || !more {
			return out, err
		}
		v, err := d.any()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// skip steps over a value of any kind, checking its syntax, without
// building it.
func (d *decoder) skip() error {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return d.fail("Unexpected end of JSON input")
	}
	switch c := d.data[d.pos]; {
	case c == '{' || c == '[':
		return d.skipContainer(c)
	case c == '"':
		_, err := d.stringBytes()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case isNumberStart(c):
		_, err := d.number()
		return err
	}
	return d.fail("Unexpected character '%c'", d.data[d.pos])
}

func (d *decoder) skipContainer(open byte) error {
	closing := byte(']')
	if open == '{' {
		closing = '}'
	}
	if err := d.open(open, ""); err != nil {
		return err
	}
	for first := true; ; first = false {
		more, err := d.next(closing, first)
		if err != nil || !more {
			return err
		}
		if open == '{' {
			if _, err := d.key(); err != nil {
				return err
			}
		}
		if err := d.skip(); err != nil {
			return err
		}
	}
}

func (d *decoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return d.fail("Unexpected character '%c'", d.data[d.pos])
	}
	d.pos += len(word)
	return nil
}

func isNumberStart(c byte) bool { return c == '-' || c >= '0' && c <= '9' }

// number scans a JSON number and returns its text.
func (d *decoder) number() ([]byte, error) {
	start := d.pos
	if d.peekIs('-') {
		d.pos++
	}
	switch {
	case d.peekIs('0'):
		d.pos++
	case d.digits() == 0:
		return nil, d.fail("Invalid number")
	}
	if d.peekIs('.') {
		d.pos++
		if d.digits() == 0 {
			return nil, d.fail("Invalid number")
		}
	}
	if d.peekIs('e') || d.peekIs('E') {
		d.pos++
		if d.peekIs('+') || d.peekIs('-') {
			d.pos++
		}
		if d.digits() == 0 {
			return nil, d.fail("Invalid number")
		}
	}
	return d.data[start:d.pos], nil
}

func (d *decoder) peekIs(c byte) bool { return d.pos < len(d.data) && d.data[d.pos] == c }

func (d *decoder) digits() int {
	start := d.pos
	for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
		d.pos++
	}
	return d.pos - start
}

// stringBytes reads a JSON string. Without escapes the result aliases the
// input; invalid UTF-8 becomes U+FFFD, as encoding/json does.
func (d *decoder) stringBytes() ([]byte, error) {
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			s := d.data[start:i]
			if !utf8.Valid(s) {
				s = []byte(string([]rune(string(s))))
			}
			return s, nil
		case c == '\\':
			return d.unescape(start, i)
		case c < 0x20:
			d.pos = i
			return nil, d.fail("Control character in a string")
		}
	}
	d.pos = len(d.data)
	return nil, d.fail("Unterminated string")
}

// unescape continues reading a string from its first backslash at i.
func (d *decoder) unescape(start, i int) ([]byte, error) {
	buf := append([]byte(nil), d.data[start:i]...)
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			if !utf8.Valid(buf) {
				buf = []byte(string([]rune(string(buf))))
			}
			return buf, nil
		case c < 0x20:
			d.pos = i
			return nil, d.fail("Control character in a string")
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(d.data) {
			break
		}
		var n int
		var ok bool
		buf, n, ok = appendEscape(buf, d.data[i:])
		if !ok {
			d.pos = i
			return nil, d.fail("Invalid escape in a string")
		}
		i += n
	}
	d.pos = len(d.data)
	return nil, d.fail("Unterminated string")
}

// appendEscape decodes the escape sequence at the start of src (which
// begins with a backslash), returning how many bytes it took.
func appendEscape(buf, src []byte) ([]byte, int, bool) {
	switch src[1] {
	case '"', '\\', '/':
		return append(buf, src[1]), 2, true
	case 'b':
		return append(buf, '\b'), 2, true
	case 'f':
		return append(buf, '\f'), 2, true
	case 'n':
		return append(buf, '\n'), 2, true
	case 'r':
		return append(buf, '\r'), 2, true
	case 't':
		return append(buf, '\t'), 2, true
	case 'u':
		r, ok := hex4(src[2:])
		if !ok {
			return buf, 0, false
		}
		n := 6
		if utf16.IsSurrogate(r) {
			r2, ok2 := rune(-1), false
			if len(src) >= 12 && src[6] == '\\' && src[7] == 'u' {
				r2, ok2 = hex4(src[8:])
			}
			if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
				r, n = dec, 12
			} else {
				r = utf8.RuneError
			}
		}
		return utf8.AppendRune(buf, r), n, true
	}
	return buf, 0, false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
