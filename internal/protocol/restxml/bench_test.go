package restxml

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
)

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func benchRoundTrip(b *testing.B, api *model.API, method, target string, out map[string]any) {
	r := httptest.NewRequest(method, target, nil)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		op, err := Codec{}.Operation(api, r, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := (Codec{}).Decode(api, op, r, nil); err != nil {
			b.Fatal(err)
		}
		Codec{}.EncodeOutput(w, api, op, out, "4442587FB7D0A2F9")
	}
}

// BenchmarkS3ListBuckets routes GET /, decodes it and encodes two buckets.
func BenchmarkS3ListBuckets(b *testing.B) {
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	out := map[string]any{
		"Buckets": []any{map[string]any{"Name": "alpha", "CreationDate": created}, map[string]any{"Name": "beta", "CreationDate": created}},
		"Owner":   map[string]any{"ID": "abc123", "DisplayName": "kiri"},
	}
	benchRoundTrip(b, s3API(b), http.MethodGet, "/", out)
}

// BenchmarkS3GetObject routes and decodes a GetObject and encodes a small
// object with its headers.
func BenchmarkS3GetObject(b *testing.B) {
	out := map[string]any{
		"Body": []byte("hello world"), "ContentLength": int64(11), "ContentType": "text/plain",
		"ETag": `"5eb63bbbe01eeed093cb22bb8f5acdc3"`, "LastModified": time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC),
		"Metadata": map[string]any{"color": "blue"},
	}
	benchRoundTrip(b, s3API(b), http.MethodGet, "/my-bucket/photos/2024/cat.jpg", out)
}
