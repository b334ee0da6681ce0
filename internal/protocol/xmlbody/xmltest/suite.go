package xmltest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/prototest"
)

// Request builds the request a client sends for an input case. A case
// that names no method uses its operation's (op.HTTP.Method), else POST.
func Request(s *prototest.Serialized, op *model.Operation) *http.Request {
	method := s.Method
	if method == "" {
		method = op.HTTP.Method
	}
	if method == "" {
		method = http.MethodPost
	}
	uri := s.URI
	if uri == "" {
		uri = "/"
	}
	r := httptest.NewRequest(method, uri, strings.NewReader(s.Body))
	if s.Host != "" {
		r.Host = s.Host
	}
	for k, v := range s.Headers {
		r.Header.Set(k, v)
	}
	if method == http.MethodPost && r.Header.Get("Content-Type") == "" && looksLikeForm(s.Body) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	return r
}

func looksLikeForm(body string) bool {
	return strings.HasPrefix(body, "Action=")
}

// Normalize converts a suite's JSON value to the value form of its shape:
// JSON numbers to int64 or float64, epoch seconds to time.Time, blob text to
// bytes; nulls are dropped, as absent members are.
func Normalize(ref *model.ShapeRef, v any) any {
	if v == nil {
		return nil
	}
	s := ref.Shape
	switch s.Type {
	case "structure":
		return normalizeStruct(s, v)
	case "list":
		l, _ := v.([]any)
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = Normalize(s.Member, e)
		}
		return out
	case "map":
		m, _ := v.(map[string]any)
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = Normalize(s.Value, e)
		}
		return out
	}
	return normalizeScalar(s.Type, v)
}

func normalizeStruct(s *model.Shape, v any) map[string]any {
	m, _ := v.(map[string]any)
	out := make(map[string]any, len(m))
	for k, e := range m {
		ref := s.Members.Get(k)
		if ref == nil || e == nil {
			continue
		}
		out[k] = Normalize(ref, e)
	}
	return out
}

func normalizeScalar(typ string, v any) any {
	f, isNum := v.(float64)
	switch typ {
	case "integer", "long":
		if isNum {
			return int64(f)
		}
	case "timestamp":
		if isNum {
			return protocol.EpochTime(f)
		}
	case "blob":
		if str, ok := v.(string); ok {
			return []byte(str)
		}
	}
	return v
}

// Diff describes how got differs from want, or returns "". Times compare
// as instants and NaNs equal each other.
func Diff(got, want any) string {
	return diff(got, want, "$")
}

func diff(got, want any, path string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %T %v, want a structure or map", path, got, got)
		}
		return diffMaps(g, w, path)
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: got %#v, want %#v", path, got, want)
		}
		for i := range w {
			if d := diff(g[i], w[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case time.Time:
		if g, ok := got.(time.Time); ok && g.Equal(w) {
			return ""
		}
	case float64:
		if g, ok := got.(float64); ok && (g == w || math.IsNaN(g) && math.IsNaN(w)) {
			return ""
		}
	default:
		if reflect.DeepEqual(got, want) {
			return ""
		}
	}
	return fmt.Sprintf("%s: got %T %#v, want %T %#v", path, got, got, want, want)
}

func diffMaps(g, w map[string]any, path string) string {
	keys := map[string]bool{}
	for k := range g {
		keys[k] = true
	}
	for k := range w {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if d := diff(g[k], w[k], path+"."+k); d != "" {
			return d
		}
	}
	return ""
}

// JSON renders a value for failure messages.
func JSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

var apis sync.Map // service → *model.API

// LoadAPI is prototest.LoadAPI, loaded once per process: callers must not
// modify the models.
func LoadAPI(t testing.TB, service string) *model.API {
	t.Helper()
	if api, ok := apis.Load(service); ok {
		return api.(*model.API)
	}
	api := prototest.LoadAPI(t, service)
	apis.Store(service, api)
	return api
}

// Handlers answer operations by name in a test server.
type Handlers map[string]func(in map[string]any) (map[string]any, error)

// Serve starts a server that runs codec over api as the gateway does —
// Operation, Decode, a handler, EncodeOutput or EncodeError — so real SDK
// clients can be pointed at it. It returns the server's URL.
func Serve(t testing.TB, codec protocol.Codec, api *model.API, handlers Handlers) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		const requestID = "11111111-2222-3333-4444-555555555555"
		op, err := codec.Operation(api, r, body)
		if err == nil {
			var in, out map[string]any
			if in, err = codec.Decode(api, op, r, body); err == nil {
				if h := handlers[op.Name]; h != nil {
					out, err = h(in)
				} else {
					err = protocol.Errorf("NotImplemented", http.StatusNotImplemented, "no handler for %s", op.Name)
				}
			}
			if err == nil {
				codec.EncodeOutput(w, api, op, out, requestID)
				return
			}
		}
		codec.EncodeError(w, api, op, protocol.AsError(err), requestID)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
