package awsjson

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/jsonbody/jsontest"
	"github.com/kiricloud/kiri/internal/protocol/prototest"
)

// AWS's json protocol suites, run in the server direction. A case is keyed
// "<suite description>#<case index>".

// notApplicable lists the cases a server cannot run, with the reason.
var notApplicable = map[string]string{
	"output/Ignores extra data#0": "the expected body holds a member the model lacks; " +
		"the case tests that clients ignore it, and a server only writes modelled members",
	"output/unmodeled non-json response payload#0": "the body \"success\" is not JSON; the case tests client tolerance of a malformed response",
	"output/unmodeled non-json response payload#1": "the body is a bare JSON string; the case tests client tolerance of a malformed response",
}

// expectedValidationFailures lists the input cases whose params break the
// test model's own constraints, so Decode rightly answers
// ValidationException; the decoded value is still compared.
var expectedValidationFailures = map[string]string{
	"input/Enum#0": `ListEnums holds "", which is not in the enum [foo, bar]`,
}

// tokenFilled lists cases whose client auto-fills an idempotency token: the
// params leave it out but the server receives it, so it is expected.
var tokenFilled = map[string]map[string]any{
	"input/Idempotency token auto fill#1": {"Token": "00000000-0000-4000-8000-000000000000"},
}

// Minimum passing cases, so that a regression fails the build.
const (
	minInputPasses  = 18
	minOutputPasses = 8
)

func TestInputSuite(t *testing.T) {
	passed := 0
	for _, suite := range prototest.Load(t, "input", "json") {
		for i := range suite.Cases {
			key := fmt.Sprintf("input/%s#%d", suite.Description, i)
			ok := t.Run(fmt.Sprintf("%s/%d", suite.Description, i), func(t *testing.T) {
				runInputCase(t, key, suite, &suite.Cases[i])
			})
			if ok && notApplicable[key] == "" {
				passed++
			}
		}
	}
	t.Logf("json input: %d cases pass", passed)
	if passed < minInputPasses {
		t.Errorf("only %d json input cases pass, want at least %d", passed, minInputPasses)
	}
}

func runInputCase(t *testing.T, key string, suite *prototest.Suite, c *prototest.Case) {
	if reason := notApplicable[key]; reason != "" {
		t.Skip(reason)
	}
	api, op, err := suite.API(c)
	if err != nil {
		t.Fatal(err)
	}
	body := c.Serialized.Body
	if body == "" {
		// The client test leaves the body unchecked; SDKs send {}.
		body = "{}"
	}
	r := jsontest.Request(c.Serialized, op, body)
	if r.Header.Get("X-Amz-Target") == "" {
		// The suite's model has no targetPrefix and its client test does not
		// check headers; every real awsJson request names its target.
		r.Header.Set("X-Amz-Target", api.Metadata.TargetPrefix+"."+op.Name)
	}
	var codec Codec
	got, err := codec.Operation(api, r, []byte(body))
	if err != nil || got != op {
		t.Fatalf("Operation: got %v, %v; want %s", got, err, op.Name)
	}
	in, err := codec.Decode(api, op, r, []byte(body))
	if reason, expected := expectedValidationFailures[key]; expected {
		if e, ok := err.(*protocol.Error); !ok || e.Type != "ValidationException" {
			t.Fatalf("want a ValidationException (%s), got %v", reason, err)
		}
		t.Logf("validation fails as expected: %v", err)
		in, err = DecodeUnvalidated(api, op, []byte(body))
	}
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	want := jsontest.Value(op.Input, c.Params).(map[string]any)
	for k, v := range tokenFilled[key] {
		want[k] = v
	}
	if !jsontest.Equal(in, want) {
		t.Fatalf("decoded\n got %s\nwant %s", jsontest.Show(in), jsontest.Show(want))
	}
}

func TestOutputSuite(t *testing.T) {
	passed := 0
	for _, suite := range prototest.Load(t, "output", "json") {
		for i := range suite.Cases {
			key := fmt.Sprintf("output/%s#%d", suite.Description, i)
			ok := t.Run(fmt.Sprintf("%s/%d", suite.Description, i), func(t *testing.T) {
				runOutputCase(t, key, suite, &suite.Cases[i])
			})
			if ok && notApplicable[key] == "" {
				passed++
			}
		}
	}
	t.Logf("json output: %d cases pass", passed)
	if passed < minOutputPasses {
		t.Errorf("only %d json output cases pass, want at least %d", passed, minOutputPasses)
	}
}

func runOutputCase(t *testing.T, key string, suite *prototest.Suite, c *prototest.Case) {
	if reason := notApplicable[key]; reason != "" {
		t.Skip(reason)
	}
	api, op, err := suite.API(c)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jsontest.Value(op.Output, c.Result).(map[string]any)
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, op, out, "request-1")
	if rec.Code != c.Response.StatusCode {
		t.Errorf("status %d, want %d", rec.Code, c.Response.StatusCode)
	}
	for k, v := range c.Response.Headers {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("header %s: got %q, want %q", k, got, v)
		}
	}
	if rec.Header().Get("X-Amzn-RequestId") != "request-1" {
		t.Errorf("no x-amzn-RequestId")
	}
	same, err := jsontest.EqualJSON(rec.Body.Bytes(), []byte(c.Response.Body))
	if err != nil || !same {
		t.Errorf("body\n got %s\nwant %s (%v)", rec.Body, c.Response.Body, err)
	}
}
