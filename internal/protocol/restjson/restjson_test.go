package restjson

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/prototest"
)

func loadAPI(t testing.TB, service string) *model.API { return prototest.LoadAPI(t, service) }

// decode runs a request through Operation and Decode.
func decode(t *testing.T, api *model.API, r *http.Request, body string) (*model.Operation, map[string]any, error) {
	t.Helper()
	var c Codec
	op, err := c.Operation(api, r, []byte(body))
	if err != nil {
		return nil, nil, err
	}
	in, err := c.Decode(api, op, r, []byte(body))
	return op, in, err
}

func TestLambdaInvoke(t *testing.T) {
	api := loadAPI(t, "lambda")
	body := `{"key":"value"}`
	r := httptest.NewRequest("POST", "/2015-03-31/functions/my-function/invocations?Qualifier=prod", strings.NewReader(body))
	r.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	r.Header.Set("X-Amz-Log-Type", "Tail")
	op, in, err := decode(t, api, r, body)
	if err != nil {
		t.Fatal(err)
	}
	if op.Name != "Invoke" || in["FunctionName"] != "my-function" || in["Qualifier"] != "prod" ||
		in["InvocationType"] != "RequestResponse" || in["LogType"] != "Tail" || string(in["Payload"].([]byte)) != body {
		t.Fatalf("%s %v", op.Name, in)
	}

	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, op, map[string]any{
		"StatusCode": int64(200), "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST",
		"Payload": []byte(`{"errorMessage":"boom"}`),
	}, "req-1")
	if rec.Code != 200 || rec.Body.String() != `{"errorMessage":"boom"}` ||
		rec.Header().Get("X-Amz-Function-Error") != "Unhandled" || rec.Header().Get("X-Amz-Executed-Version") != "$LATEST" ||
		rec.Header().Get("X-Amzn-RequestId") != "req-1" {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, rec.Header())
	}

	// An asynchronous invocation answers 202 through the statusCode member.
	rec = httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, op, map[string]any{"StatusCode": int64(202)}, "req-2")
	if rec.Code != 202 || rec.Body.Len() != 0 {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
}

func TestLambdaGetFunctionAndModelledStatus(t *testing.T) {
	api := loadAPI(t, "lambda")
	r := httptest.NewRequest("GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af?Qualifier=1", nil)
	op, in, err := decode(t, api, r, "")
	if err != nil {
		t.Fatal(err)
	}
	if op.Name != "GetFunction" || in["FunctionName"] != "arn:aws:lambda:us-east-1:000000000000:function:f" || in["Qualifier"] != "1" {
		t.Fatalf("%s %v", op.Name, in)
	}
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, api.Operations["CreateFunction"], map[string]any{"FunctionName": "f", "Timeout": int64(3)}, "req-3")
	if rec.Code != 201 || rec.Body.String() != `{"FunctionName":"f","Timeout":3}` || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, rec.Header())
	}
	rec = httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, api.Operations["DeleteFunction"], nil, "req-4")
	if rec.Code != 204 || rec.Body.Len() != 0 {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
}

func TestLambdaErrors(t *testing.T) {
	api := loadAPI(t, "lambda")
	rec := httptest.NewRecorder()
	e := protocol.ModelError(api.Shapes["ResourceNotFoundException"], "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f")
	Codec{}.EncodeError(rec, api, api.Operations["GetFunction"], e, "req-5")
	want := `{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:f"}`
	if rec.Code != 404 || rec.Body.String() != want || rec.Header().Get("X-Amzn-ErrorType") != "ResourceNotFoundException" ||
		rec.Header().Get("X-Amzn-RequestId") != "req-5" {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, rec.Header())
	}

	// Members bound to headers go there, also in errors.
	rec = httptest.NewRecorder()
	e = protocol.ModelError(api.Shapes["TooManyRequestsException"], "Rate exceeded")
	e.Fields = map[string]any{"retryAfterSeconds": "1", "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"}
	Codec{}.EncodeError(rec, api, api.Operations["Invoke"], e, "req-6")
	want = `{"Type":"User","message":"Rate exceeded","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}`
	if rec.Code != 429 || rec.Body.String() != want || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, rec.Header())
	}

	// Validation and unknown paths.
	r := httptest.NewRequest("POST", "/2015-03-31/functions/f/invocations?Qualifier=", nil)
	r.Header.Set("X-Amz-Invocation-Type", "Sometimes")
	_, _, err := decode(t, api, r, "")
	rec = httptest.NewRecorder()
	Codec{}.EncodeError(rec, api, nil, protocol.AsError(err), "req-7")
	if rec.Code != 400 || rec.Header().Get("X-Amzn-ErrorType") != "ValidationException" ||
		!strings.Contains(rec.Body.String(), `"message":"2 validation errors detected: Value 'Sometimes' at 'invocationType'`) {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, rec.Header())
	}
	_, _, err = decode(t, api, httptest.NewRequest("GET", "/2015-03-31/nothing", nil), "")
	if e, ok := err.(*protocol.Error); !ok || e.Status != 404 {
		t.Fatalf("unknown path: %v", err)
	}
}

func TestBadInputIsSerializationException(t *testing.T) {
	api := loadAPI(t, "lambda")
	for _, c := range []struct{ method, uri, body string }{
		{"GET", "/2015-03-31/functions/?MaxItems=many", ""},
		{"POST", "/2015-03-31/functions", `{"FunctionName": 5}`},
		{"POST", "/2015-03-31/functions", `{"FunctionName": "f"`},
	} {
		_, _, err := decode(t, api, httptest.NewRequest(c.method, c.uri, strings.NewReader(c.body)), c.body)
		if e, ok := err.(*protocol.Error); !ok || e.Type != "SerializationException" || e.Status != 400 {
			t.Errorf("%s %s %s: %v", c.method, c.uri, c.body, err)
		}
	}
}

// IoT data plane publishes a raw payload to a topic whose '/' the SDKs
// encode as %2F in the label.
func TestIoTDataPublish(t *testing.T) {
	api := loadAPI(t, "iot-data")
	body := `{"temperature": 21.5}`
	r := httptest.NewRequest("POST", "/topics/%24aws%2Fthings%2Fsensor-1%2Fshadow%2Fupdate?qos=1&retain=true", strings.NewReader(body))
	r.Header.Set("x-amz-mqtt5-user-properties", "W3siYSI6ImIifV0=") // base64 of [{"a":"b"}]
	op, in, err := decode(t, api, r, body)
	if err != nil {
		t.Fatal(err)
	}
	if op.Name != "Publish" || in["topic"] != "$aws/things/sensor-1/shadow/update" || in["qos"] != int64(1) ||
		in["retain"] != true || string(in["payload"].([]byte)) != body {
		t.Fatalf("%s %v", op.Name, in)
	}
	props, _ := in["userProperties"].([]any)
	if len(props) != 1 || props[0].(map[string]any)["a"] != "b" {
		t.Fatalf("user properties %v", in["userProperties"])
	}
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, op, nil, "req-8")
	if rec.Code != 200 || rec.Body.Len() != 0 {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
}

func TestIoTTimestampsAreEpochSeconds(t *testing.T) {
	api := loadAPI(t, "iot")
	op := api.Operations["DescribeCertificate"]
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, op, map[string]any{"certificateDescription": map[string]any{
		"certificateId": "abc", "creationDate": time.Unix(1486425445, 500e6).UTC(),
	}}, "req-9")
	if rec.Body.String() != `{"certificateDescription":{"certificateId":"abc","creationDate":1486425445.5}}` {
		t.Fatalf("%s", rec.Body)
	}
}

func BenchmarkGetFunction(b *testing.B) {
	api := loadAPI(b, "lambda")
	var c Codec
	out := map[string]any{
		"Configuration": map[string]any{
			"FunctionName": "my-function", "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:my-function",
			"Runtime": "python3.12", "Role": "arn:aws:iam::000000000000:role/lambda-role", "Handler": "app.handler",
			"CodeSize": int64(4096), "Timeout": int64(30), "MemorySize": int64(128),
			"LastModified": "2026-11-22T16:20:51.000+0000", "Version": "$LATEST", "State": "Active",
			"Environment":   map[string]any{"Variables": map[string]any{"TABLE": "items", "STAGE": "dev"}},
			"Architectures": []any{"x86_64"},
		},
		"Code": map[string]any{"RepositoryType": "S3", "Location": "http://localhost:4566/code.zip"},
		"Tags": map[string]any{"team": "iot"},
	}
	r := httptest.NewRequest("GET", "/2015-03-31/functions/my-function?Qualifier=%24LATEST", nil)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		op, err := c.Operation(api, r, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Decode(api, op, r, nil); err != nil {
			b.Fatal(err)
		}
		c.EncodeOutput(w, api, op, out, "req")
		if w.status != 200 {
			b.Fatal(w.status)
		}
	}
}

// discard is a ResponseWriter that keeps only the status, so benchmarks
// measure the codec rather than a recorder.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(status int)      { d.status = status }

// FuzzDecode feeds arbitrary paths, queries, headers and bodies to the
// Lambda model: the codec must answer with a value or an *Error, never
// panic.
func FuzzDecode(f *testing.F) {
	api := loadAPI(f, "lambda")
	for _, seed := range []struct{ method, target, header, body string }{
		{"POST", "/2015-03-31/functions/f/invocations?Qualifier=1", "Event", `{"a":1}`},
		{"POST", "/2015-03-31/functions", "", `{"FunctionName":"f","Code":{"ZipFile":"UEsDBA=="},"Timeout":3}`},
		{"GET", "/2015-03-31/functions/?MaxItems=10&Marker=x", "", ""},
		{"PUT", "/2017-03-31/tags/arn%3Aaws", "", `{"Tags":{"a":"b"}}`},
		{"GET", "/2015-03-31/functions/%zz", "", ""},
	} {
		f.Add(seed.method, seed.target, seed.header, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, method, target, header string, body []byte) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !validMethod(method) {
			return
		}
		r := &http.Request{Method: method, URL: u, Header: http.Header{}, Host: "localhost"}
		r.Header.Set("X-Amz-Invocation-Type", header)
		var c Codec
		op, err := c.Operation(api, r, body)
		if err == nil {
			_, err = c.Decode(api, op, r, body)
		}
		if err != nil {
			if _, ok := err.(*protocol.Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			c.EncodeError(httptest.NewRecorder(), api, op, err.(*protocol.Error), "r")
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "PUT", "POST", "DELETE", "HEAD", "PATCH":
		return true
	}
	return false
}
