package restjson

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/jsonbody/jsontest"
	"github.com/kiricloud/kiri/internal/protocol/prototest"
	"github.com/kiricloud/kiri/internal/protocol/rest"
)

// AWS's rest-json protocol suites, run in the server direction. A case is
// keyed "<direction>/<suite description>#<case index>".

// notApplicable lists the cases a server cannot run, with the reason.
var notApplicable = map[string]string{
	"output/Ignores extra data#0": "the expected body holds a member the model lacks; " +
		"the case tests that clients ignore it, and a server only writes modelled members",
	"output/Ignores undefined output#0": "the operation has no output, yet the expected body is \"OK\"; " +
		"the case tests that clients ignore a body they do not expect",
}

// expectedValidationFailures lists the input cases whose params break the
// test model's own constraints, so Decode rightly answers
// ValidationException; the decoded value is still compared.
var expectedValidationFailures = map[string]string{
	"input/Enum#0": `HeaderEnum "baz", ListEnums "" and QueryListEnums "" are not in the enum [foo, bar, 0, 1]`,
}

// tokenFilled lists cases whose client auto-fills an idempotency token: the
// params leave it out but the server receives it, so it is expected.
var tokenFilled = map[string]map[string]any{
	"input/Idempotency token auto fill#1": {"Token": "00000000-0000-4000-8000-000000000000"},
}

// emptyPayload lists cases where the client sends {} for an unset structure
// payload: a server cannot tell that from an empty structure, so it
// decodes one, and the named member is expected to be {}.
var emptyPayload = map[string]string{
	"input/Structure payload#1":               "foo",
	"input/JSON value trait#2":                "Body",
	"input/rest-json Content-Type and body#2": "payloadConfig",
	"input/rest-json Content-Type and body#4": "payloadConfig",
}

// bodyPatches rewrite an expected body that contradicts the rest of the
// suite, as old → new with the reason.
var bodyPatches = map[string]struct{ old, new, reason string }{
	"output/Scalar members#0": {`"Timestamp": "2015-01-25T08:00:00Z"`, `"Timestamp": 1422172800`,
		"rest-json body timestamps default to epoch seconds (Smithy, AWS's services and this suite's " +
			"\"Timestamp members\" case); clients read both forms"},
}

// unchecked lists expected headers a server does not reproduce, per case.
var unchecked = map[string]map[string]string{
	"output/Supports header maps#0": {"Content-Length": "a server frames its own body; a header map cannot " +
		"override Content-Length (the expected 10 describes a body the case does not have)"},
}

// Minimum passing cases, so that a regression fails the build.
const (
	minInputPasses  = 51
	minOutputPasses = 14
)

func TestInputSuite(t *testing.T) {
	lost := jsontest.LoadLostTraits(t, "input", "rest-json")
	passed := 0
	for si, suite := range prototest.Load(t, "input", "rest-json") {
		for ci := range suite.Cases {
			key := fmt.Sprintf("input/%s#%d", suite.Description, ci)
			ok := t.Run(fmt.Sprintf("%s/%d", suite.Description, ci), func(t *testing.T) {
				api, op, err := suite.API(&suite.Cases[ci])
				if err != nil {
					t.Fatal(err)
				}
				for _, note := range lost.Apply(si, ci, api, op) {
					t.Logf("restored from the suite: %s", note)
				}
				runInputCase(t, key, api, op, &suite.Cases[ci])
			})
			if ok && notApplicable[key] == "" {
				passed++
			}
		}
	}
	t.Logf("rest-json input: %d cases pass", passed)
	if passed < minInputPasses {
		t.Errorf("only %d rest-json input cases pass, want at least %d", passed, minInputPasses)
	}
}

func runInputCase(t *testing.T, key string, api *model.API, op *model.Operation, c *prototest.Case) {
	if reason := notApplicable[key]; reason != "" {
		t.Skip(reason)
	}
	body := c.Serialized.Body
	r := jsontest.Request(c.Serialized, op, body)
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
		in, err = DecodeUnvalidated(api, op, r, []byte(body))
	}
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	want := map[string]any{}
	if op.Input != nil {
		want = jsontest.Value(op.Input, c.Params).(map[string]any)
	}
	for k, v := range tokenFilled[key] {
		want[k] = v
	}
	if member := emptyPayload[key]; member != "" {
		want[member] = map[string]any{}
	}
	if !jsontest.Equal(in, want) {
		t.Fatalf("decoded\n got %s\nwant %s", jsontest.Show(in), jsontest.Show(want))
	}
}

func TestOutputSuite(t *testing.T) {
	lost := jsontest.LoadLostTraits(t, "output", "rest-json")
	passed := 0
	for si, suite := range prototest.Load(t, "output", "rest-json") {
		for ci := range suite.Cases {
			key := fmt.Sprintf("output/%s#%d", suite.Description, ci)
			ok := t.Run(fmt.Sprintf("%s/%d", suite.Description, ci), func(t *testing.T) {
				api, op, err := suite.API(&suite.Cases[ci])
				if err != nil {
					t.Fatal(err)
				}
				for _, note := range lost.Apply(si, ci, api, op) {
					t.Logf("restored from the suite: %s", note)
				}
				runOutputCase(t, key, api, op, &suite.Cases[ci])
			})
			if ok && notApplicable[key] == "" {
				passed++
			}
		}
	}
	t.Logf("rest-json output: %d cases pass", passed)
	if passed < minOutputPasses {
		t.Errorf("only %d rest-json output cases pass, want at least %d", passed, minOutputPasses)
	}
}

func runOutputCase(t *testing.T, key string, api *model.API, op *model.Operation, c *prototest.Case) {
	if reason := notApplicable[key]; reason != "" {
		t.Skip(reason)
	}
	var out map[string]any
	if op.Output != nil {
		out = jsontest.Value(op.Output, c.Result).(map[string]any)
	}
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, op, out, "request-1")
	if rec.Code != c.Response.StatusCode {
		t.Errorf("status %d, want %d", rec.Code, c.Response.StatusCode)
	}
	for k, v := range c.Response.Headers {
		if reason := unchecked[key][k]; reason != "" {
			t.Logf("header %s not compared: %s", k, reason)
			continue
		}
		if got := rec.Header().Get(k); got != v {
			t.Errorf("header %s: got %q, want %q", k, got, v)
		}
	}
	if rec.Header().Get("X-Amzn-RequestId") != "request-1" {
		t.Errorf("no x-amzn-RequestId")
	}
	want := c.Response.Body
	if p, ok := bodyPatches[key]; ok {
		if !strings.Contains(want, p.old) {
			t.Fatalf("stale patch: %q not in the expected body", p.old)
		}
		want = strings.Replace(want, p.old, p.new, 1)
		t.Logf("expected body patched: %s", p.reason)
	}
	compareBody(t, op, rec.Body.Bytes(), []byte(want))
}

// compareBody compares raw payloads byte for byte and JSON documents by
// meaning.
func compareBody(t *testing.T, op *model.Operation, got, want []byte) {
	t.Helper()
	var payload *model.ShapeRef
	if op.Output != nil {
		_, payload = rest.PayloadMember(op.Output.Shape)
	}
	if len(want) == 0 || payload != nil && (payload.Shape.Type == "blob" || payload.Shape.Type == "string") {
		if !bytes.Equal(got, want) {
			t.Errorf("body %q, want %q", got, want)
		}
		return
	}
	same, err := jsontest.EqualJSON(got, want)
	if err != nil || !same {
		t.Errorf("body\n got %s\nwant %s (%v)", got, want, err)
	}
}
