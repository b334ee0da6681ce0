// Package jsontest helps run AWS's protocol test suites against the JSON
// codecs in the server direction: it turns a case's params and results
// (written as a client's test sees them) into model value trees, builds
// the HTTP request of an input case, compares values and JSON documents
// semantically, and restores the traits the suites place where package
// model has no field for them.
package jsontest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/prototest"
)

// Value converts a case's params or result, as the suite's JSON holds them
// (numbers as float64, timestamps as epoch seconds, blobs as their text),
// into the value tree of ref's shape. Null members are dropped, as a server
// never sees them.
func Value(ref *model.ShapeRef, v any) any {
	if v == nil {
		return nil
	}
	s := ref.Shape
	if ref.JSONValue || s.Document {
		return v
	}
	switch s.Type {
	case "structure":
		in, _ := v.(map[string]any)
		out := make(map[string]any, len(in))
		for _, m := range s.Members {
			if x, ok := in[m.Name]; ok && x != nil {
				out[m.Name] = Value(m.ShapeRef, x)
			}
		}
		return out
	case "list":
		in, _ := v.([]any)
		out := make([]any, len(in))
		for i, x := range in {
			out[i] = Value(s.Member, x)
		}
		return out
	case "map":
		in, _ := v.(map[string]any)
		out := make(map[string]any, len(in))
		for k, x := range in {
			out[k] = Value(s.Value, x)
		}
		return out
	case "integer", "long":
		if f, ok := v.(float64); ok {
			return int64(f)
		}
	case "timestamp":
		if f, ok := v.(float64); ok {
			return protocol.EpochTime(f)
		}
	case "blob":
		if str, ok := v.(string); ok {
			return []byte(str)
		}
	}
	return v
}

// Equal compares two value trees, treating equal instants and equal bytes
// as equal whatever their Go representation.
func Equal(a, b any) bool {
	return reflect.DeepEqual(canonical(a), canonical(b))
}

func canonical(v any) any {
	switch x := v.(type) {
	case time.Time:
		return "timestamp:" + x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return "blob:" + string(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = canonical(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = canonical(e)
		}
		return out
	}
	return v
}

// Show renders a value tree for failure messages.
func Show(v any) string {
	b, err := json.Marshal(canonical(v))
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// Request builds the request an input case's client sends to op. The
// suites mostly leave the method out: it is then the operation's modelled
// method, else POST. body replaces the case's body when the caller must
// supply one.
func Request(ser *prototest.Serialized, op *model.Operation, body string) *http.Request {
	method := ser.Method
	if method == "" {
		method = op.HTTP.Method
	}
	if method == "" {
		method = http.MethodPost
	}
	r := httptest.NewRequest(method, ser.URI, strings.NewReader(body))
	for k, v := range ser.Headers {
		r.Header.Set(k, v)
	}
	if ser.Host != "" {
		r.Host = ser.Host
	}
	return r
}

// EqualJSON reports whether two JSON documents have the same meaning:
// objects compare without regard to key order, numbers by value.
func EqualJSON(a, b []byte) (bool, error) {
	va, err := decodeNumbers(a)
	if err != nil {
		return false, fmt.Errorf("first document: %w", err)
	}
	vb, err := decodeNumbers(b)
	if err != nil {
		return false, fmt.Errorf("second document: %w", err)
	}
	return equalJSONValues(va, vb), nil
}

func decodeNumbers(doc []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return v, nil
}

func equalJSONValues(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		fx, _, errx := big.ParseFloat(string(x), 10, 200, big.ToNearestEven)
		fy, _, erry := big.ParseFloat(string(y), 10, 200, big.ToNearestEven)
		return errx == nil && erry == nil && fx.Cmp(fy) == 0
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, e := range x {
			if f, ok := y[k]; !ok || !equalJSONValues(e, f) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSONValues(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// LostTraits are traits the suites write where package model keeps no
// field: "payload" on an operation's input or output reference (real
// api-2.json models put it on the shape) and "location" on a shape (real
// models put it on member references). Apply moves them to where the
// codecs look.
type LostTraits struct {
	refPayload    map[[2]int]map[string]string // suite, case → "input"/"output" → payload member
	shapeLocation []map[string]string          // per suite: shape name → location
}

// LoadLostTraits reads them from the raw suite file.
func LoadLostTraits(t testing.TB, direction, proto string) *LostTraits {
	t.Helper()
	dir, err := prototest.ModelsDir()
	if err != nil {
		t.Skipf("protocol tests unavailable: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "protocol_tests", direction, proto+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw []struct {
		Shapes map[string]struct {
			Location string `json:"location"`
		} `json:"shapes"`
		Cases []struct {
			Given map[string]json.RawMessage `json:"given"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	lt := &LostTraits{refPayload: map[[2]int]map[string]string{}}
	for si, s := range raw {
		locs := map[string]string{}
		for name, sh := range s.Shapes {
			if sh.Location != "" {
				locs[name] = sh.Location
			}
		}
		lt.shapeLocation = append(lt.shapeLocation, locs)
		for ci, c := range s.Cases {
			for _, io := range []string{"input", "output"} {
				var ref struct {
					Payload string `json:"payload"`
				}
				if json.Unmarshal(c.Given[io], &ref) == nil && ref.Payload != "" {
					if lt.refPayload[[2]int{si, ci}] == nil {
						lt.refPayload[[2]int{si, ci}] = map[string]string{}
					}
					lt.refPayload[[2]int{si, ci}][io] = ref.Payload
				}
			}
		}
	}
	return lt
}

// Apply restores the traits of suite si, case ci into the case's model and
// describes what it changed (nothing for most cases).
func (lt *LostTraits) Apply(si, ci int, api *model.API, op *model.Operation) []string {
	var notes []string
	for io, member := range lt.refPayload[[2]int{si, ci}] {
		ref := op.Input
		if io == "output" {
			ref = op.Output
		}
		if ref != nil && ref.Shape.Payload == "" {
			ref.Shape.Payload = member
			notes = append(notes, fmt.Sprintf("%s payload %q", io, member))
		}
	}
	locs := lt.shapeLocation[si]
	for _, name := range sortedShapeNames(api) {
		for _, m := range api.Shapes[name].Members {
			if loc := locs[m.ShapeName]; loc != "" && m.Location == "" {
				m.Location = loc
				notes = append(notes, fmt.Sprintf("%s.%s location %s", name, m.Name, loc))
			}
		}
	}
	return notes
}

func sortedShapeNames(api *model.API) []string {
	names := make([]string, 0, len(api.Shapes))
	for n := range api.Shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
