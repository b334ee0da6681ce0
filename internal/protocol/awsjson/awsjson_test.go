package awsjson

import (
	"encoding/json"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/prototest"
)

func loadAPI(t testing.TB, service string) *model.API { return prototest.LoadAPI(t, service) }

func request(target, body string) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", target)
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	return r
}

// decodeError runs a request through Operation and Decode and writes the
// error it yields.
func decodeError(t *testing.T, api *model.API, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	var c Codec
	r := request(target, body)
	op, err := c.Operation(api, r, []byte(body))
	if err == nil {
		_, err = c.Decode(api, op, r, []byte(body))
	}
	if err == nil {
		t.Fatalf("%s %s: no error", target, body)
	}
	rec := httptest.NewRecorder()
	c.EncodeError(rec, api, op, protocol.AsError(err), "req-1")
	return rec
}

func assertCRC32(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	want := strconv.FormatUint(uint64(crc32.ChecksumIEEE(rec.Body.Bytes())), 10)
	if got := rec.Header().Get("X-Amz-Crc32"); got != want {
		t.Errorf("X-Amz-Crc32 %q, want %q", got, want)
	}
}

func TestDynamoDBValidationError(t *testing.T) {
	api := loadAPI(t, "dynamodb")
	rec := decodeError(t, api, "DynamoDB_20120810.DescribeTable", `{}`)
	want := `{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected: ` +
		`Value null at 'tableName' failed to satisfy constraint: Member must not be null"}`
	if rec.Code != 400 || rec.Body.String() != want {
		t.Fatalf("%d %s\nwant %s", rec.Code, rec.Body, want)
	}
	if rec.Header().Get("Content-Type") != "application/x-amz-json-1.0" || rec.Header().Get("X-Amzn-RequestId") != "req-1" ||
		rec.Header().Get("X-Amzn-ErrorType") != "ValidationException" {
		t.Errorf("headers %v", rec.Header())
	}
	assertCRC32(t, rec)
}

func TestDynamoDBFrontEndErrors(t *testing.T) {
	api := loadAPI(t, "dynamodb")
	for _, c := range []struct{ target, body, want string }{
		{"DynamoDB_20120810.ListTables", `{"Limit": }`, `com.amazon.coral.service#SerializationException`},
		{"DynamoDB_20120810.ListTables", ``, `com.amazon.coral.service#SerializationException`},
		{"DynamoDB_20120810.ListTables", `{"Limit": "5"}`, `com.amazon.coral.service#SerializationException`},
		{"DynamoDB_20120810.NoSuchThing", `{}`, `com.amazon.coral.service#UnknownOperationException`},
		{"Kinesis_20131202.ListStreams", `{}`, `com.amazon.coral.service#UnknownOperationException`},
		{"", `{}`, `com.amazon.coral.service#UnknownOperationException`},
	} {
		rec := decodeError(t, api, c.target, c.body)
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != 400 || doc["__type"] != c.want {
			t.Errorf("%s %q: %d %s, want __type %s", c.target, c.body, rec.Code, rec.Body, c.want)
		}
		assertCRC32(t, rec)
	}
}

func TestDynamoDBModelledErrorAndOutput(t *testing.T) {
	api := loadAPI(t, "dynamodb")
	op := api.Operations["PutItem"]
	rec := httptest.NewRecorder()
	e := protocol.ModelError(api.Shapes["ConditionalCheckFailedException"], "The conditional request failed")
	e.Fields = map[string]any{"Item": map[string]any{"id": map[string]any{"S": "1"}}}
	Codec{}.EncodeError(rec, api, op, e, "req-2")
	want := `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",` +
		`"message":"The conditional request failed","Item":{"id":{"S":"1"}}}`
	if rec.Code != 400 || rec.Body.String() != want {
		t.Fatalf("%d %s\nwant %s", rec.Code, rec.Body, want)
	}
	assertCRC32(t, rec)

	rec = httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, api.Operations["ListTables"], map[string]any{"TableNames": []any{"a", "b"}}, "req-3")
	if rec.Code != 200 || rec.Body.String() != `{"TableNames":["a","b"]}` {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	assertCRC32(t, rec)
}

// SQS answers in JSON but keeps the codes of its query protocol in
// x-amzn-query-error, which the SDKs read.
func TestSQSQueryCompatibleError(t *testing.T) {
	api := sqsModel(t)
	op := api.Operations["GetQueueUrl"]
	rec := httptest.NewRecorder()
	Codec{}.EncodeError(rec, api, op, protocol.ModelError(api.Shapes["QueueDoesNotExist"], "The specified queue does not exist."), "req-4")
	if got := rec.Header().Get("X-Amzn-Query-Error"); got != "AWS.SimpleQueueService.NonExistentQueue;Sender" {
		t.Errorf("x-amzn-query-error %q", got)
	}
	want := `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`
	if rec.Code != 400 || rec.Body.String() != want {
		t.Errorf("%d %s\nwant %s", rec.Code, rec.Body, want)
	}
	if rec.Header().Get("X-Amz-Crc32") != "" {
		t.Error("SQS sends no X-Amz-Crc32")
	}

	// An explicit code wins, and a service fault says Receiver.
	rec = httptest.NewRecorder()
	Codec{}.EncodeError(rec, api, op, &protocol.Error{Type: "InternalError", Code: "InternalError", Status: 500, Message: "boom"}, "req-5")
	if got := rec.Header().Get("X-Amzn-Query-Error"); got != "InternalError;Receiver" {
		t.Errorf("x-amzn-query-error %q", got)
	}

	// Validation failures are Sender faults too.
	rec = decodeError(t, api, "AmazonSQS.GetQueueUrl", `{}`)
	if got := rec.Header().Get("X-Amzn-Query-Error"); !strings.HasSuffix(got, ";Sender") {
		t.Errorf("x-amzn-query-error %q", got)
	}
}

func TestOtherServicesUseBareTypes(t *testing.T) {
	api := loadAPI(t, "kinesis")
	rec := httptest.NewRecorder()
	Codec{}.EncodeError(rec, api, api.Operations["DescribeStream"],
		protocol.ModelError(api.Shapes["ResourceNotFoundException"], "Stream s not found"), "req-6")
	want := `{"__type":"ResourceNotFoundException","message":"Stream s not found"}`
	if rec.Body.String() != want || rec.Header().Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Fatalf("%s %v", rec.Body, rec.Header())
	}
}

func TestOutputThatDoesNotFitTheModelIsInternalFailure(t *testing.T) {
	api := loadAPI(t, "dynamodb")
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, api.Operations["ListTables"], map[string]any{"TableNames": "not a list"}, "req-7")
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "InternalFailure") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// FuzzDecode feeds arbitrary bodies to a DynamoDB operation with deeply
// nested shapes: the codec must answer with a value or an *Error, never
// panic.
func FuzzDecode(f *testing.F) {
	api := loadAPI(f, "dynamodb")
	op := api.Operations["PutItem"]
	for _, seed := range []string{
		`{"TableName":"t","Item":{"id":{"S":"1"},"n":{"N":"5"},"l":{"L":[{"M":{"b":{"B":"aGk="}}}]}}}`,
		`{"TableName":"t","Item":{"ss":{"SS":["a","b"]},"bool":{"BOOL":true},"null":{"NULL":true}}}`,
		`{"TableName":"t","Expected":{"a":{"Value":{"N":"1"},"ComparisonOperator":"EQ"}},"ReturnValues":"ALL_OLD"}`,
		`{"TableName":"\ud800","Item":{}}`, `[`, `{"TableName":1e999}`, ``, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var c Codec
		r := request("DynamoDB_20120810.PutItem", string(body))
		in, err := c.Decode(api, op, r, body)
		if err != nil {
			if _, ok := err.(*protocol.Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			c.EncodeError(httptest.NewRecorder(), api, op, err.(*protocol.Error), "r")
			return
		}
		if in == nil {
			t.Fatal("nil input without an error")
		}
	})
}

func BenchmarkGetItem(b *testing.B) {
	api := loadAPI(b, "dynamodb")
	body := []byte(`{"TableName":"devices","Key":{"deviceId":{"S":"sensor-0001"},"ts":{"N":"1732291251"}},` +
		`"ConsistentRead":true,"ProjectionExpression":"#s, temperature","ExpressionAttributeNames":{"#s":"status"}}`)
	out := map[string]any{"Item": map[string]any{
		"deviceId":    map[string]any{"S": "sensor-0001"},
		"ts":          map[string]any{"N": "1732291251"},
		"status":      map[string]any{"S": "online"},
		"temperature": map[string]any{"N": "21.5"},
		"tags":        map[string]any{"SS": []any{"lab", "floor-2"}},
		"reading":     map[string]any{"M": map[string]any{"humidity": map[string]any{"N": "40"}, "ok": map[string]any{"BOOL": true}}},
	}}
	var c Codec
	r := request("DynamoDB_20120810.GetItem", "")
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		op, err := c.Operation(api, r, body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Decode(api, op, r, body); err != nil {
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

// sqsModel is SQS's JSON model with the query error code that internal/gen
// lays over it (the raw model of the SDK lacks the codes).
func sqsModel(t *testing.T) *model.API {
	api := loadAPI(t, "sqs")
	api.Shapes["QueueDoesNotExist"].Error = &model.ErrorInfo{Code: "AWS.SimpleQueueService.NonExistentQueue", HTTPStatusCode: 400, SenderFault: true}
	return api
}

// CloudWatch Logs models its errors with no members; the message still
// goes out, as the service sends it.
func TestMemberlessErrorShapeKeepsMessage(t *testing.T) {
	api := loadAPI(t, "logs")
	rec := httptest.NewRecorder()
	Codec{}.EncodeError(rec, api, api.Operations["FilterLogEvents"],
		protocol.ModelError(api.Shapes["ResourceNotFoundException"], "The specified log group does not exist."), "req")
	want := `{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}`
	if rec.Body.String() != want {
		t.Fatalf("got %s\nwant %s", rec.Body, want)
	}
}
