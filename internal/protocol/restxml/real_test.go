package restxml

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody/xmltest"
)

func s3API(t testing.TB) *model.API { return xmltest.LoadAPI(t, "s3") }

func TestS3ListBucketsOutput(t *testing.T) {
	api := s3API(t)
	out := map[string]any{
		"Buckets": []any{
			map[string]any{"Name": "alpha", "CreationDate": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
			map[string]any{"Name": "beta", "CreationDate": time.Date(2024, 2, 3, 4, 5, 6, 789e6, time.UTC)},
		},
		"Owner": map[string]any{"ID": "abc123", "DisplayName": "kiri"},
	}
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, api.Operations["ListBuckets"], out, "REQ1")
	want := `<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets>` +
		`<Bucket><Name>alpha</Name><CreationDate>2024-01-02T03:04:05Z</CreationDate></Bucket>` +
		`<Bucket><Name>beta</Name><CreationDate>2024-02-03T04:05:06.789Z</CreationDate></Bucket></Buckets>` +
		`<Owner><DisplayName>kiri</DisplayName><ID>abc123</ID></Owner></ListAllMyBucketsResult>`
	if got := rec.Body.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	h := rec.Header()
	if rec.Code != 200 || h.Get("Content-Type") != "application/xml" || h.Get("x-amz-request-id") != "REQ1" || h.Get("x-amz-id-2") == "" {
		t.Fatalf("status %d, headers %v", rec.Code, h)
	}
}

func TestS3NoSuchKeyError(t *testing.T) {
	api := s3API(t)
	e := protocol.ModelError(api.Shapes["NoSuchKey"], "The specified key does not exist.")
	e.Fields = map[string]any{"Key": "missing.txt"}

	rec := httptest.NewRecorder()
	Codec{}.EncodeError(rec, api, api.Operations["GetObject"], e, "REQ2")
	want := `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing.txt</Key>` +
		`<RequestId>REQ2</RequestId><HostId>` + hostID("REQ2") + `</HostId></Error>`
	if got := rec.Body.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if rec.Code != 404 || rec.Header().Get("x-amz-request-id") != "REQ2" || rec.Header().Get("x-amz-id-2") != hostID("REQ2") {
		t.Fatalf("status %d, headers %v", rec.Code, rec.Header())
	}

	rec = httptest.NewRecorder()
	Codec{}.EncodeError(rec, api, api.Operations["HeadObject"], e, "REQ3")
	if rec.Code != 404 || rec.Body.Len() != 0 || rec.Header().Get("x-amz-request-id") != "REQ3" {
		t.Fatalf("HEAD: status %d, body %q", rec.Code, rec.Body.String())
	}
}

func TestS3GetObjectOutput(t *testing.T) {
	api := s3API(t)
	modified := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	out := map[string]any{
		"Body": []byte("hello"), "ContentLength": int64(5), "ContentType": "text/plain",
		"ETag": `"5d41402abc4b2a76b9719d911017c592"`, "LastModified": modified,
		"Metadata": map[string]any{"color": "blue"},
	}
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, api.Operations["GetObject"], out, "REQ4")
	h := rec.Header()
	if rec.Body.String() != "hello" || h.Get("Content-Length") != "5" || h.Get("Content-Type") != "text/plain" ||
		h.Get("ETag") != `"5d41402abc4b2a76b9719d911017c592"` || h.Get("Last-Modified") != "Mon, 04 Mar 2024 05:06:07 GMT" ||
		h.Get("x-amz-meta-color") != "blue" {
		t.Fatalf("body %q, headers %v", rec.Body.String(), h)
	}
}

func TestS3GetBucketLocationOutput(t *testing.T) {
	api := s3API(t)
	for region, want := range map[string]string{
		"eu-west-1": `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>`,
		"":          `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`,
	} {
		out := map[string]any{}
		if region != "" {
			out["LocationConstraint"] = region
		}
		rec := httptest.NewRecorder()
		Codec{}.EncodeOutput(rec, api, api.Operations["GetBucketLocation"], out, "REQ")
		if got := rec.Body.String(); got != xmlDeclaration+want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

const xmlDeclaration = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// An output with only header members has an empty body.
func TestS3HeaderOnlyOutput(t *testing.T) {
	api := s3API(t)
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, api.Operations["PutObject"], map[string]any{"ETag": `"abc"`}, "REQ")
	if rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("ETag") != `"abc"` || rec.Header().Get("Content-Length") != "0" {
		t.Fatalf("status %d, body %q, headers %v", rec.Code, rec.Body.String(), rec.Header())
	}
}

func TestS3DecodeCreateBucketAndDeleteObjects(t *testing.T) {
	api := s3API(t)
	body := `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`
	in := decode(t, api, http.MethodPut, "/my-bucket", body, "CreateBucket")
	want := map[string]any{"Bucket": "my-bucket", "CreateBucketConfiguration": map[string]any{"LocationConstraint": "eu-west-1"}}
	if d := xmltest.Diff(in, want); d != "" {
		t.Fatal(d)
	}

	body = `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key>b/c d</Key></Object><Quiet>false</Quiet></Delete>`
	in = decode(t, api, http.MethodPost, "/my-bucket?delete", body, "DeleteObjects")
	want = map[string]any{"Bucket": "my-bucket", "Delete": map[string]any{
		"Objects": []any{map[string]any{"Key": "a"}, map[string]any{"Key": "b/c d"}}, "Quiet": false}}
	if d := xmltest.Diff(in, want); d != "" {
		t.Fatal(d)
	}
}

func TestS3DecodeErrors(t *testing.T) {
	api := s3API(t)
	r := httptest.NewRequest(http.MethodPost, "/my-bucket?delete", strings.NewReader("<Delete><Object>"))
	op, err := Codec{}.Operation(api, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Codec{}.Decode(api, op, r, []byte("<Delete><Object>"))
	var e *protocol.Error
	if !errors.As(err, &e) || e.Code != "MalformedXML" || e.Status != 400 {
		t.Fatalf("got %v", err)
	}
	r = httptest.NewRequest(http.MethodPut, "/my-bucket?tagging", nil)
	op, _ = Codec{}.Operation(api, r, nil)
	_, err = Codec{}.Decode(api, op, r, nil)
	if !errors.As(err, &e) || e.Code != "MissingRequestBodyError" || e.Status != 400 {
		t.Fatalf("got %v", err)
	}
	r = httptest.NewRequest(http.MethodGet, "/my-bucket?list-type=2&max-keys=lots", nil)
	op, _ = Codec{}.Operation(api, r, nil)
	_, err = Codec{}.Decode(api, op, r, nil)
	if !errors.As(err, &e) || e.Code != "InvalidArgument" || e.Status != 400 {
		t.Fatalf("got %v", err)
	}
}

func decode(t *testing.T, api *model.API, method, target, body, wantOp string) map[string]any {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	op, err := Codec{}.Operation(api, r, []byte(body))
	if err != nil || op.Name != wantOp {
		t.Fatalf("Operation = %v, %v; want %s", op, err, wantOp)
	}
	in, err := Codec{}.Decode(api, op, r, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return in
}
