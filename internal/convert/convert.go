// Package convert moves values between the dynamic value trees that the
// codecs decode into and encode from (see package model for their forms) and
// the generated Go types that services implement their operations with.
//
// Struct fields name their member with an `aws:"MemberName"` tag; an
// untagged exported field stands for the member of its own name and
// `aws:"-"` skips a field. Conversion is by reflection, with the work of
// inspecting each Go type done once and cached, so a service call costs a
// walk over the value and nothing more.
package convert

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sync"
	"time"

	"github.com/kiricloud/kiri/internal/protocol"
)

// ToValue converts a Go value (typically a pointer to a generated structure)
// into its dynamic form: structures become map[string]any keyed by member
// name, slices []any, maps map[string]any, scalars their canonical type
// (string, int64, float64, bool, time.Time, []byte).
//
// Absent values are omitted: nil pointers, nil slices, nil maps and nil
// interfaces leave their member out. Empty but non-nil slices and maps are
// kept as empty lists and maps, because AWS tells `[]` from an absent member
// in its JSON protocols. A nil or absent top-level value converts to nil.
func ToValue(v any) any {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	out, ok := encoderOf(rv.Type())(rv)
	if !ok {
		return nil
	}
	return out
}

// FromValue decodes a dynamic value into dst, which must be a non-nil
// pointer (typically to a generated structure). Members that dst's type does
// not have are ignored; nil values leave the destination untouched. Numbers
// convert between integer and floating forms when no precision is lost.
func FromValue(v any, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("convert: FromValue needs a non-nil pointer, got %T", dst)
	}
	return decoderOf(rv.Type().Elem())(v, rv.Elem())
}

// Bind adapts a typed operation to a protocol.Handler: the decoded input
// value becomes an *I, and the *O the operation returns becomes the output
// value (a nil *O an empty one). Errors pass through unchanged, so a service
// returns *protocol.Error values to answer with AWS errors.
func Bind[I, O any](fn func(context.Context, *I) (*O, error)) protocol.Handler {
	return func(ctx context.Context, input map[string]any) (map[string]any, error) {
		in := new(I)
		if err := FromValue(input, in); err != nil {
			// The codec has already checked the input against the same
			// model the Go types come from, so a mismatch here is a kiri
			// bug rather than the client's fault.
			return nil, &protocol.Error{Type: "InternalFailure", Code: "InternalFailure", Status: 500, Message: err.Error()}
		}
		out, err := fn(ctx, in)
		if err != nil {
			return nil, err
		}
		if m, ok := ToValue(out).(map[string]any); ok {
			return m, nil
		}
		return map[string]any{}, nil
	}
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesType = reflect.TypeFor[[]byte]()
)

// field is one member of a Go structure.
type field struct {
	name  string // the member name
	index int
	typ   reflect.Type
}

// fields lists the members of a struct type in declaration order.
func fields(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := sf.Name
		if tag, ok := sf.Tag.Lookup("aws"); ok {
			if tag == "-" {
				continue
			}
			name = tag
		}
		fs = append(fs, field{name: name, index: i, typ: sf.Type})
	}
	return fs
}

// cached returns the function cache holds for t, building it with build the
// first time. Recursive types (DynamoDB's AttributeValue holds maps and lists
// of itself) reach their own entry while it is being built; they get a
// forwarder that waits for the real function, as encoding/json does.
func cached[F any](cache *sync.Map, t reflect.Type, build func(reflect.Type) F, forward func(get func() F) F) F {
	if f, ok := cache.Load(t); ok {
		return f.(F)
	}
	var (
		wg sync.WaitGroup
		f  F
	)
	wg.Add(1)
	fwd := forward(func() F { wg.Wait(); return f })
	if actual, loaded := cache.LoadOrStore(t, fwd); loaded {
		return actual.(F)
	}
	f = build(t)
	wg.Done()
	cache.Store(t, f)
	return f
}

// An encoder converts a Go value to its dynamic form; ok is false when the
// value is absent (a nil pointer, slice, map or interface).
type encoder func(v reflect.Value) (out any, ok bool)

var encoders sync.Map // reflect.Type → encoder

func encoderOf(t reflect.Type) encoder {
	return cached(&encoders, t, newEncoder, func(get func() encoder) encoder {
		return func(v reflect.Value) (any, bool) { return get()(v) }
	})
}

func newEncoder(t reflect.Type) encoder {
	switch {
	case t == timeType:
		return func(v reflect.Value) (any, bool) { return v.Interface(), true }
	case t == bytesType || (t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8):
		return func(v reflect.Value) (any, bool) {
			if v.IsNil() {
				return nil, false
			}
			return v.Bytes(), true
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := encoderOf(t.Elem())
		return func(v reflect.Value) (any, bool) {
			if v.IsNil() {
				return nil, false
			}
			return elem(v.Elem())
		}
	case reflect.Interface:
		return func(v reflect.Value) (any, bool) {
			if v.IsNil() {
				return nil, false
			}
			return jsonValue(v.Elem().Interface()), true
		}
	case reflect.Struct:
		return structEncoder(t)
	case reflect.Slice:
		elem := encoderOf(t.Elem())
		return func(v reflect.Value) (any, bool) {
			if v.IsNil() {
				return nil, false
			}
			out := make([]any, v.Len())
			for i := range out {
				out[i], _ = elem(v.Index(i))
			}
			return out, true
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic("convert: map keys must be strings: " + t.String())
		}
		elem := encoderOf(t.Elem())
		return func(v reflect.Value) (any, bool) {
			if v.IsNil() {
				return nil, false
			}
			out := make(map[string]any, v.Len())
			for it := v.MapRange(); it.Next(); {
				if e, ok := elem(it.Value()); ok {
					out[it.Key().String()] = e
				}
			}
			return out, true
		}
	case reflect.String:
		return func(v reflect.Value) (any, bool) { return v.String(), true }
	case reflect.Bool:
		return func(v reflect.Value) (any, bool) { return v.Bool(), true }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) (any, bool) { return v.Int(), true }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(v reflect.Value) (any, bool) { return int64(v.Uint()), true }
	case reflect.Float32, reflect.Float64:
		return func(v reflect.Value) (any, bool) { return v.Float(), true }
	}
	// Only hand-written types can get here; the generator never emits them.
	panic("convert: cannot convert values of type " + t.String())
}

func structEncoder(t reflect.Type) encoder {
	type fieldEncoder struct {
		field
		enc encoder
	}
	fs := fields(t)
	encs := make([]fieldEncoder, len(fs))
	for i, f := range fs {
		encs[i] = fieldEncoder{f, encoderOf(f.typ)}
	}
	return func(v reflect.Value) (any, bool) {
		out := make(map[string]any, min(len(encs), 8))
		for _, f := range encs {
			if e, ok := f.enc(v.Field(f.index)); ok {
				out[f.name] = e
			}
		}
		return out, true
	}
}

// jsonValue brings a document or jsonvalue member into the JSON value form
// the codecs expect (nil, bool, float64, string, []any, map[string]any).
// Values already in that form, the common case, pass through untouched;
// anything else a service put there (a struct, []string…) goes through
// encoding/json once.
func jsonValue(v any) any {
	switch v.(type) {
	case nil, bool, float64, string, []any, map[string]any:
		return v
	case int64:
		return float64(v.(int64))
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if json.Unmarshal(data, &out) != nil {
		return nil
	}
	return out
}

// A decoder stores a dynamic value into a settable Go value.
type decoder func(src any, dst reflect.Value) error

var decoders sync.Map // reflect.Type → decoder

func decoderOf(t reflect.Type) decoder {
	return cached(&decoders, t, newDecoder, func(get func() decoder) decoder {
		return func(src any, dst reflect.Value) error { return get()(src, dst) }
	})
}

func newDecoder(t reflect.Type) decoder {
	switch {
	case t == timeType:
		return func(src any, dst reflect.Value) error {
			switch s := src.(type) {
			case nil:
				return nil
			case time.Time:
				dst.Set(reflect.ValueOf(s))
				return nil
			}
			return mismatch(src, t)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return func(src any, dst reflect.Value) error {
			switch s := src.(type) {
			case nil:
				return nil
			case []byte:
				dst.SetBytes(s)
				return nil
			case string:
				dst.SetBytes([]byte(s))
				return nil
			}
			return mismatch(src, t)
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := decoderOf(t.Elem())
		return func(src any, dst reflect.Value) error {
			if src == nil {
				return nil
			}
			p := reflect.New(t.Elem())
			if err := elem(src, p.Elem()); err != nil {
				return err
			}
			dst.Set(p)
			return nil
		}
	case reflect.Interface:
		return func(src any, dst reflect.Value) error {
			if src == nil {
				return nil
			}
			v := reflect.ValueOf(src)
			if !v.Type().AssignableTo(t) {
				return mismatch(src, t)
			}
			dst.Set(v)
			return nil
		}
	case reflect.Struct:
		return structDecoder(t)
	case reflect.Slice:
		elem := decoderOf(t.Elem())
		return func(src any, dst reflect.Value) error {
			if src == nil {
				return nil
			}
			list, ok := src.([]any)
			if !ok {
				return mismatch(src, t)
			}
			out := reflect.MakeSlice(t, len(list), len(list))
			for i, e := range list {
				if err := elem(e, out.Index(i)); err != nil {
					return atPath(fmt.Sprintf("[%d]", i), err)
				}
			}
			dst.Set(out)
			return nil
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic("convert: map keys must be strings: " + t.String())
		}
		elem := decoderOf(t.Elem())
		return func(src any, dst reflect.Value) error {
			if src == nil {
				return nil
			}
			m, ok := src.(map[string]any)
			if !ok {
				return mismatch(src, t)
			}
			out := reflect.MakeMapWithSize(t, len(m))
			for k, e := range m {
				v := reflect.New(t.Elem()).Elem()
				if err := elem(e, v); err != nil {
					return atPath(fmt.Sprintf("[%q]", k), err)
				}
				out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), v)
			}
			dst.Set(out)
			return nil
		}
	case reflect.String:
		return func(src any, dst reflect.Value) error {
			switch s := src.(type) {
			case nil:
				return nil
			case string:
				dst.SetString(s)
				return nil
			}
			return mismatch(src, t)
		}
	case reflect.Bool:
		return func(src any, dst reflect.Value) error {
			switch s := src.(type) {
			case nil:
				return nil
			case bool:
				dst.SetBool(s)
				return nil
			}
			return mismatch(src, t)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(src any, dst reflect.Value) error {
			if src == nil {
				return nil
			}
			n, ok := asInt(src)
			if !ok || dst.OverflowInt(n) {
				return mismatch(src, t)
			}
			dst.SetInt(n)
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(src any, dst reflect.Value) error {
			if src == nil {
				return nil
			}
			n, ok := asInt(src)
			if !ok || n < 0 || dst.OverflowUint(uint64(n)) {
				return mismatch(src, t)
			}
			dst.SetUint(uint64(n))
			return nil
		}
	case reflect.Float32, reflect.Float64:
		return func(src any, dst reflect.Value) error {
			var f float64
			switch s := src.(type) {
			case nil:
				return nil
			case float64:
				f = s
			case int64:
				f = float64(s)
			case int:
				f = float64(s)
			case float32:
				f = float64(s)
			default:
				return mismatch(src, t)
			}
			dst.SetFloat(f)
			return nil
		}
	}
	panic("convert: cannot convert values of type " + t.String())
}

func structDecoder(t reflect.Type) decoder {
	type fieldDecoder struct {
		index int
		dec   decoder
	}
	fs := fields(t)
	byName := make(map[string]fieldDecoder, len(fs))
	for _, f := range fs {
		byName[f.name] = fieldDecoder{f.index, decoderOf(f.typ)}
	}
	return func(src any, dst reflect.Value) error {
		if src == nil {
			return nil
		}
		m, ok := src.(map[string]any)
		if !ok {
			return mismatch(src, t)
		}
		// Inputs set few of a structure's members, so walk the value's
		// members rather than the type's fields.
		for name, v := range m {
			f, ok := byName[name]
			if !ok {
				continue
			}
			if err := f.dec(v, dst.Field(f.index)); err != nil {
				return atPath("."+name, err)
			}
		}
		return nil
	}
}

// asInt reads an integral number of any numeric form.
func asInt(src any) (int64, bool) {
	switch s := src.(type) {
	case int64:
		return s, true
	case int:
		return int64(s), true
	case int32:
		return int64(s), true
	case float64:
		if s != math.Trunc(s) || s < math.MinInt64 || s >= math.MaxInt64 {
			return 0, false
		}
		return int64(s), true
	}
	return 0, false
}

// pathError says where in a value a conversion failed: ".Items[2].Name".
type pathError struct {
	path string
	msg  string
}

func (e *pathError) Error() string {
	if e.path == "" {
		return "convert: " + e.msg
	}
	return "convert: " + e.path + ": " + e.msg
}

func mismatch(src any, t reflect.Type) error {
	return &pathError{msg: fmt.Sprintf("cannot store %T in %s", src, t)}
}

func atPath(step string, err error) error {
	if pe, ok := err.(*pathError); ok {
		pe.path = step + pe.path
	}
	return err
}
