package rest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/prototest"
)

func loadAPI(t testing.TB, service string) *model.API { return prototest.LoadAPI(t, service) }

func TestMatchS3MostSpecific(t *testing.T) {
	api := loadAPI(t, "s3")
	for _, c := range []struct{ method, uri, op string }{
		{"GET", "/", "ListBuckets"},
		{"GET", "/bucket", "ListObjects"},
		{"GET", "/bucket?acl", "GetBucketAcl"},
		{"GET", "/bucket?acl=", "GetBucketAcl"},
		{"GET", "/bucket?list-type=2&prefix=a", "ListObjectsV2"},
		{"GET", "/bucket?uploads", "ListMultipartUploads"},
		{"PUT", "/bucket", "CreateBucket"},
		{"PUT", "/bucket/a/b/c.txt", "PutObject"},
		{"GET", "/bucket/a/b/c.txt", "GetObject"},
		{"GET", "/bucket/a/b/c.txt?acl", "GetObjectAcl"},
		{"POST", "/bucket/key?uploads", "CreateMultipartUpload"},
		{"HEAD", "/bucket/key", "HeadObject"},
		{"DELETE", "/bucket/key", "DeleteObject"},
	} {
		op, _, err := Match(api, httptest.NewRequest(c.method, c.uri, nil))
		if err != nil || op.Name != c.op {
			t.Errorf("%s %s: got %v, %v; want %s", c.method, c.uri, opName(op), err, c.op)
		}
	}
}

// S3 tells apart operations sharing a template by required members.
func TestMatchS3RequiredMembers(t *testing.T) {
	api := loadAPI(t, "s3")
	for _, c := range []struct {
		method, uri, copySource, op string
	}{
		{"PUT", "/b/k", "", "PutObject"},
		{"PUT", "/b/k", "/src/key", "CopyObject"},
		{"PUT", "/b/k?partNumber=1&uploadId=u", "", "UploadPart"},
		{"PUT", "/b/k?partNumber=1&uploadId=u", "/src/key", "UploadPartCopy"},
		{"DELETE", "/b/k?uploadId=u", "", "AbortMultipartUpload"},
		{"POST", "/b/k?uploadId=u", "", "CompleteMultipartUpload"},
		{"POST", "/b?delete", "", "DeleteObjects"},
	} {
		r := httptest.NewRequest(c.method, c.uri, nil)
		if c.copySource != "" {
			r.Header.Set("X-Amz-Copy-Source", c.copySource)
		}
		op, _, err := Match(api, r)
		if err != nil || op.Name != c.op {
			t.Errorf("%s %s (copy source %q): got %v, %v; want %s", c.method, c.uri, c.copySource, opName(op), err, c.op)
		}
	}
}

func TestMatchS3GreedyKeyKeepsSlashes(t *testing.T) {
	api := loadAPI(t, "s3")
	_, labels, err := Match(api, httptest.NewRequest("GET", "/my-bucket/dir/sub%2Fpart/file%20name.txt", nil))
	if err != nil {
		t.Fatal(err)
	}
	if labels["Bucket"] != "my-bucket" || labels["Key"] != "dir/sub/part/file name.txt" {
		t.Fatalf("labels %v", labels)
	}
	_, labels, _ = Match(api, httptest.NewRequest("PUT", "/b/folder/", nil))
	if labels["Key"] != "folder/" {
		t.Fatalf("trailing slash of a key lost: %q", labels["Key"])
	}
	op, labels, _ := Match(api, httptest.NewRequest("GET", "/b//leading-slash", nil))
	if op.Name != "GetObject" || labels["Key"] != "/leading-slash" {
		t.Fatalf("key with a leading slash: %v %q", opName(op), labels["Key"])
	}
}

func TestMatchLambdaQualifier(t *testing.T) {
	api := loadAPI(t, "lambda")
	r := httptest.NewRequest("POST", "/2015-03-31/functions/my-fn/invocations?Qualifier=live", strings.NewReader(`{"a":1}`))
	r.Header.Set("X-Amz-Invocation-Type", "Event")
	op, labels, err := Match(api, r)
	if err != nil || op.Name != "Invoke" || labels["FunctionName"] != "my-fn" {
		t.Fatalf("got %v %v %v", opName(op), labels, err)
	}
	in, err := DecodeInput(api, op, r, []byte(`{"a":1}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if in["FunctionName"] != "my-fn" || in["Qualifier"] != "live" || in["InvocationType"] != "Event" || string(in["Payload"].([]byte)) != `{"a":1}` {
		t.Fatalf("input %v", in)
	}

	// An ARN with colons, URL-encoded by the SDKs, is one label.
	r = httptest.NewRequest("GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/configuration?Qualifier=%24LATEST", nil)
	op, labels, err = Match(api, r)
	if err != nil || op.Name != "GetFunctionConfiguration" || labels["FunctionName"] != "arn:aws:lambda:us-east-1:000000000000:function:f" {
		t.Fatalf("got %v %v %v", opName(op), labels, err)
	}
	in, _ = DecodeInput(api, op, r, nil, nil)
	if in["Qualifier"] != "$LATEST" {
		t.Fatalf("qualifier %v", in["Qualifier"])
	}

	for _, c := range []struct{ method, uri, op string }{
		{"GET", "/2015-03-31/functions/", "ListFunctions"},
		{"GET", "/2015-03-31/functions", "ListFunctions"},
		{"POST", "/2015-03-31/functions", "CreateFunction"},
		{"GET", "/2015-03-31/functions/f", "GetFunction"},
		{"GET", "/2015-03-31/functions/f/policy", "GetPolicy"},
		{"DELETE", "/2015-03-31/functions/f", "DeleteFunction"},
		{"POST", "/2014-11-13/functions/f/invoke-async/", "InvokeAsync"},
	} {
		op, _, err := Match(api, httptest.NewRequest(c.method, c.uri, nil))
		if err != nil || op.Name != c.op {
			t.Errorf("%s %s: got %v, %v; want %s", c.method, c.uri, opName(op), err, c.op)
		}
	}
}

func TestMatchErrors(t *testing.T) {
	api := loadAPI(t, "lambda")
	_, _, err := Match(api, httptest.NewRequest("GET", "/nothing/here", nil))
	if e, ok := err.(*protocol.Error); !ok || e.Status != 404 || e.Type != "UnknownOperationException" {
		t.Fatalf("unknown path: %v", err)
	}
	_, _, err = Match(api, httptest.NewRequest("PATCH", "/2015-03-31/functions/f", nil))
	if e, ok := err.(*protocol.Error); !ok || e.Status != http.StatusMethodNotAllowed {
		t.Fatalf("wrong method: %v", err)
	}
	// An empty label does not match.
	if op, _, err := Match(api, httptest.NewRequest("GET", "/2015-03-31/functions//policy", nil)); err == nil {
		t.Fatalf("empty label matched %s", op.Name)
	}
}

// TestSpecificityRouting runs the cases of Smithy's
// http-uri-conflict-resolution protocol tests.
func TestSpecificityRouting(t *testing.T) {
	api := &model.API{Operations: map[string]*model.Operation{}, Shapes: map[string]*model.Shape{}}
	for name, uri := range map[string]string{
		"AbcBcdLabel":     "/abc/bcd/{xyz}",
		"AbcLabelCde":     "/abc/{xyz}/cde",
		"LabelBcdCde":     "/{xyz}/bcd/cde",
		"LabelBcdCdeQ":    "/{xyz}/bcd/cde?def=efg",
		"AbcLiteral":      "/abc/def",
		"AbcLabel":        "/abc/{xyz}",
		"AbcGreedyLabel":  "/abc/{xyz+}",
		"GreedyInTheMid":  "/portals/{portalArn+}/browserSettings",
		"PortalsAndLabel": "/portals/{portalArn}",
	} {
		api.Operations[name] = &model.Operation{Name: name, HTTP: model.HTTPBinding{Method: "GET", RequestURI: uri}}
	}
	for _, c := range []struct{ uri, op, xyz string }{
		{"/abc/bcd/cde", "AbcBcdLabel", "cde"},
		{"/abc/bcd/cde?def=efg", "AbcBcdLabel", "cde"},
		{"/abc/foo/cde", "AbcLabelCde", "foo"},
		{"/abc/foo/cde?def=efg", "AbcLabelCde", "foo"},
		{"/foo/bcd/cde", "LabelBcdCde", "foo"},
		{"/foo/bcd/cde?def=efg", "LabelBcdCdeQ", "foo"},
		{"/abc/def", "AbcLiteral", ""},
		{"/abc/foo", "AbcLabel", "foo"},
		{"/abc/foo/bar", "AbcGreedyLabel", "foo/bar"},
	} {
		op, labels, err := Match(api, httptest.NewRequest("GET", c.uri, nil))
		if err != nil || op.Name != c.op || labels["xyz"] != c.xyz {
			t.Errorf("%s: got %v %v %v; want %s xyz=%q", c.uri, opName(op), labels, err, c.op, c.xyz)
		}
	}
	op, labels, err := Match(api, httptest.NewRequest("GET", "/portals/arn:aws:x/p/1/browserSettings", nil))
	if err != nil || op.Name != "GreedyInTheMid" || labels["portalArn"] != "arn:aws:x/p/1" {
		t.Errorf("greedy label in the middle: %v %v %v", opName(op), labels, err)
	}
}

func opName(op *model.Operation) string {
	if op == nil {
		return "<nil>"
	}
	return op.Name
}
