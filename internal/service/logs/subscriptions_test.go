package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
)

const (
	fnArn    = "arn:aws:lambda:us-east-1:123456789012:function:shipper"
	otherArn = "arn:aws:lambda:us-east-1:123456789012:function:locked"
)

// fakeFunctions stands in for Lambda: functions in allowed accept
// CloudWatch Logs; every invocation is recorded.
type fakeFunctions struct {
	mu       sync.Mutex
	allowed  map[string]bool
	checked  []string // groupArn of each AllowsLogs
	invoked  []invocation
	ownGroup map[string]string
}

type invocation struct {
	arn     string
	account string
	payload []byte
}

func (f *fakeFunctions) AllowsLogs(_ context.Context, functionArn, groupArn string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checked = append(f.checked, groupArn)
	return f.allowed[functionArn], nil
}

func (f *fakeFunctions) FunctionLogGroup(_ context.Context, functionArn string) (string, error) {
	if g, ok := f.ownGroup[functionArn]; ok {
		return g, nil
	}
	return "/aws/lambda/" + functionArn[strings.LastIndex(functionArn, ":")+1:], nil
}

func (f *fakeFunctions) InvokeEvent(ctx context.Context, functionArn string, payload []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	acct, _ := request.Scope(ctx)
	f.invoked = append(f.invoked, invocation{functionArn, acct, payload})
	return nil
}

func (f *fakeFunctions) calls() []invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.invoked)
}

func newSubscribedService(t *testing.T) (*Service, *fakeFunctions) {
	s := newTestService(t)
	fn := &fakeFunctions{allowed: map[string]bool{fnArn: true, fnArn + ":live": true}}
	s.SetFunctions(fn, nil)
	return s, fn
}

func putFilter(s *Service, group, name, pattern, dest string) error {
	_, err := s.PutSubscriptionFilter(bg, &logsapi.PutSubscriptionFilterRequest{LogGroupName: api.Ptr(group),
		FilterName: api.Ptr(name), FilterPattern: api.Ptr(pattern), DestinationArn: api.Ptr(dest)})
	return err
}

func describeFilters(t *testing.T, s *Service, in *logsapi.DescribeSubscriptionFiltersRequest) ([]string, *string) {
	t.Helper()
	out := must(s.DescribeSubscriptionFilters(bg, in))(t)
	var names []string
	for _, f := range out.SubscriptionFilters {
		names = append(names, api.Deref(f.FilterName))
	}
	return names, out.NextToken
}

// decode unwraps {"awslogs":{"data":…}} into the message CloudWatch Logs sent.
func decode(t *testing.T, payload []byte) subscriptionMessage {
	t.Helper()
	var ev struct {
		Awslogs struct {
			Data string `json:"data"`
		} `json:"awslogs"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatalf("payload %s: %v", payload, err)
	}
	raw, err := base64.StdEncoding.DecodeString(ev.Awslogs.Data)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var msg subscriptionMessage
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&msg); err != nil {
		t.Fatalf("message %s: %v", doc, err)
	}
	return msg
}

func TestSubscriptionDeliversMatchingEvents(t *testing.T) {
	s, fn := newSubscribedService(t)
	createGroup(t, s, bg, "app")
	createStream(t, s, bg, "app", "web-1")
	if err := putFilter(s, "app", "errors", "ERROR", fnArn); err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:logs:us-east-1:123456789012:log-group:app:*"; !slices.Equal(fn.checked, []string{want}) {
		t.Fatalf("permission checked for %v, want %s", fn.checked, want)
	}
	put(t, s, bg, "app", "web-1", ev(0, "INFO started"), ev(time.Millisecond, "ERROR disk <full> & more"), ev(2*time.Millisecond, "ERROR again"))
	put(t, s, bg, "app", "web-1", ev(3*time.Millisecond, "INFO nothing to see"))
	s.Flush()

	calls := fn.calls()
	if len(calls) != 1 {
		t.Fatalf("%d invocations, want 1 (one per filter per matching batch)", len(calls))
	}
	if calls[0].arn != fnArn || calls[0].account != testAccount {
		t.Fatalf("invoked %s in %s", calls[0].arn, calls[0].account)
	}
	msg := decode(t, calls[0].payload)
	if msg.MessageType != "DATA_MESSAGE" || msg.Owner != testAccount || msg.LogGroup != "app" || msg.LogStream != "web-1" ||
		!slices.Equal(msg.SubscriptionFilters, []string{"errors"}) {
		t.Fatalf("message %+v", msg)
	}
	// The ids are those FilterLogEvents gives the same events.
	found := must(s.FilterLogEvents(bg, &logsapi.FilterLogEventsRequest{LogGroupName: api.Ptr("app"), FilterPattern: api.Ptr("ERROR")}))(t)
	if len(msg.LogEvents) != 2 || len(found.Events) != 2 {
		t.Fatalf("events %+v, FilterLogEvents %d", msg.LogEvents, len(found.Events))
	}
	for i, e := range msg.LogEvents {
		f := found.Events[i]
		if e.ID != api.Deref(f.EventId) || e.Timestamp != api.Deref(f.Timestamp) || e.Message != api.Deref(f.Message) {
			t.Fatalf("event %d = %+v, FilterLogEvents gives %s %d %q", i, e, api.Deref(f.EventId), api.Deref(f.Timestamp), api.Deref(f.Message))
		}
	}
	if msg.LogEvents[0].Message != "ERROR disk <full> & more" || msg.LogEvents[1].Timestamp != ms(2*time.Millisecond) {
		t.Fatalf("events %+v", msg.LogEvents)
	}
}

func TestSubscriptionPatterns(t *testing.T) {
	s, fn := newSubscribedService(t)
	createGroup(t, s, bg, "app")
	createStream(t, s, bg, "app", "s")
	must(0, putFilter(s, "app", "all", "", fnArn))(t)
	must(0, putFilter(s, "app", "json", `{ $.level = "error" && $.ms > 100 }`, fnArn+":live"))(t)
	put(t, s, bg, "app", "s", ev(0, `{"level":"error","ms":150}`), ev(1, `{"level":"error","ms":50}`), ev(2, "plain"))
	s.Flush()
	got := map[string][]string{}
	for _, c := range fn.calls() {
		msg := decode(t, c.payload)
		for _, e := range msg.LogEvents {
			got[msg.SubscriptionFilters[0]] = append(got[msg.SubscriptionFilters[0]], e.Message)
		}
		if want := map[string]string{"all": fnArn, "json": fnArn + ":live"}[msg.SubscriptionFilters[0]]; c.arn != want {
			t.Fatalf("filter %s invoked %s", msg.SubscriptionFilters[0], c.arn)
		}
	}
	if len(got["all"]) != 3 || !slices.Equal(got["json"], []string{`{"level":"error","ms":150}`}) {
		t.Fatalf("delivered %v", got)
	}
	// An invalid pattern is refused.
	wantError(t, putFilter(s, "app", "bad", "[a, b", fnArn), "InvalidParameterException", "")
}

func TestSubscriptionSeesLambdaLogs(t *testing.T) {
	s, fn := newSubscribedService(t)
	createGroup(t, s, bg, "/aws/lambda/worker")
	must(0, putFilter(s, "/aws/lambda/worker", "f", "ERROR", fnArn))(t)
	err := s.PutLogs(context.Background(), testAccount, testRegion, "/aws/lambda/worker", "2026/11/22/[$LATEST]abc",
		[]runtime.LogEvent{{Time: testNow, Message: "ERROR boom\n"}, {Time: testNow, Message: "fine\n"}})
	if err != nil {
		t.Fatal(err)
	}
	s.Flush()
	calls := fn.calls()
	if len(calls) != 1 {
		t.Fatalf("%d invocations", len(calls))
	}
	msg := decode(t, calls[0].payload)
	if msg.LogStream != "2026/11/22/[$LATEST]abc" || len(msg.LogEvents) != 1 || msg.LogEvents[0].Message != "ERROR boom\n" {
		t.Fatalf("message %+v", msg)
	}
}

// A function subscribed to its own log group is not fed its own output.
func TestSubscriptionSkipsDestinationsOwnGroup(t *testing.T) {
	s, fn := newSubscribedService(t)
	must(0, s.PutLogs(context.Background(), testAccount, testRegion, "/aws/lambda/shipper", "st", nil))(t)
	must(0, putFilter(s, "/aws/lambda/shipper", "self", "", fnArn))(t)
	must(0, s.PutLogs(context.Background(), testAccount, testRegion, "/aws/lambda/shipper", "st",
		[]runtime.LogEvent{{Time: testNow, Message: "received something\n"}}))(t)
	s.Flush()
	if n := len(fn.calls()); n != 0 {
		t.Fatalf("%d invocations of the function with its own logs", n)
	}
}

func TestSubscriptionFilterLimitAndReplace(t *testing.T) {
	s, fn := newSubscribedService(t)
	createGroup(t, s, bg, "app")
	createStream(t, s, bg, "app", "s")
	must(0, putFilter(s, "app", "one", "ERROR", fnArn))(t)
	must(0, putFilter(s, "app", "two", "WARN", fnArn))(t)
	wantError(t, putFilter(s, "app", "three", "", fnArn), "LimitExceededException", "Resource limit exceeded.")
	// Putting an existing name replaces that filter.
	must(0, putFilter(s, "app", "one", "FATAL", fnArn))(t)
	out := must(s.DescribeSubscriptionFilters(bg, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: api.Ptr("app")}))(t)
	if len(out.SubscriptionFilters) != 2 {
		t.Fatalf("filters %+v", out.SubscriptionFilters)
	}
	one := out.SubscriptionFilters[0]
	if api.Deref(one.FilterName) != "one" || api.Deref(one.FilterPattern) != "FATAL" || api.Deref(one.LogGroupName) != "app" ||
		api.Deref(one.DestinationArn) != fnArn || api.Deref(one.Distribution) != "ByLogStream" || api.Deref(one.CreationTime) != testNow.UnixMilli() ||
		one.RoleArn != nil {
		t.Fatalf("filter %+v", one)
	}
	put(t, s, bg, "app", "s", ev(0, "ERROR old pattern"), ev(1, "FATAL new pattern"))
	s.Flush()
	calls := fn.calls()
	if len(calls) != 1 || decode(t, calls[0].payload).LogEvents[0].Message != "FATAL new pattern" {
		t.Fatalf("invocations %d", len(calls))
	}
	// Distribution and role are kept; a bad distribution is refused.
	must(s.PutSubscriptionFilter(bg, &logsapi.PutSubscriptionFilterRequest{LogGroupName: api.Ptr("app"), FilterName: api.Ptr("two"),
		FilterPattern: api.Ptr(""), DestinationArn: api.Ptr(fnArn), RoleArn: api.Ptr("arn:aws:iam::123456789012:role/r"), Distribution: api.Ptr("Random")}))(t)
	out = must(s.DescribeSubscriptionFilters(bg, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: api.Ptr("app"), FilterNamePrefix: api.Ptr("tw")}))(t)
	if len(out.SubscriptionFilters) != 1 || api.Deref(out.SubscriptionFilters[0].Distribution) != "Random" ||
		api.Deref(out.SubscriptionFilters[0].RoleArn) != "arn:aws:iam::123456789012:role/r" {
		t.Fatalf("filters %+v", out.SubscriptionFilters)
	}
}

func TestSubscriptionFilterDescribeAndDelete(t *testing.T) {
	s, _ := newSubscribedService(t)
	createGroup(t, s, bg, "app")
	must(0, putFilter(s, "app", "beta", "", fnArn))(t)
	must(0, putFilter(s, "app", "alpha", "", fnArn))(t)

	names, next := describeFilters(t, s, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: api.Ptr("app"), Limit: api.Ptr(int64(1))})
	if !slices.Equal(names, []string{"alpha"}) || next == nil {
		t.Fatalf("page 1 %v %v", names, next)
	}
	names, next = describeFilters(t, s, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: api.Ptr("app"), Limit: api.Ptr(int64(1)), NextToken: next})
	if !slices.Equal(names, []string{"beta"}) || next != nil {
		t.Fatalf("page 2 %v %v", names, next)
	}
	names, _ = describeFilters(t, s, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: api.Ptr("app"), FilterNamePrefix: api.Ptr("al")})
	if !slices.Equal(names, []string{"alpha"}) {
		t.Fatalf("prefix %v", names)
	}
	_, err := s.DescribeSubscriptionFilters(bg, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: api.Ptr("nope")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")

	must(s.DeleteSubscriptionFilter(bg, &logsapi.DeleteSubscriptionFilterRequest{LogGroupName: api.Ptr("app"), FilterName: api.Ptr("alpha")}))(t)
	_, err = s.DeleteSubscriptionFilter(bg, &logsapi.DeleteSubscriptionFilterRequest{LogGroupName: api.Ptr("app"), FilterName: api.Ptr("alpha")})
	wantError(t, err, "ResourceNotFoundException", "The specified subscription filter does not exist.")
	_, err = s.DeleteSubscriptionFilter(bg, &logsapi.DeleteSubscriptionFilterRequest{LogGroupName: api.Ptr("nope"), FilterName: api.Ptr("alpha")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	names, _ = describeFilters(t, s, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: api.Ptr("app")})
	if !slices.Equal(names, []string{"beta"}) {
		t.Fatalf("after delete %v", names)
	}

	// Deleting the group deletes its filters: a new group of that name has none.
	must(s.DeleteLogGroup(bg, &logsapi.DeleteLogGroupRequest{LogGroupName: api.Ptr("app")}))(t)
	createGroup(t, s, bg, "app")
	names, _ = describeFilters(t, s, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: api.Ptr("app")})
	if len(names) != 0 {
		t.Fatalf("filters survived their group: %v", names)
	}
}

func TestSubscriptionFilterDestinationChecks(t *testing.T) {
	s, fn := newSubscribedService(t)
	wantError(t, putFilter(s, "missing", "f", "", fnArn), "ResourceNotFoundException", "The specified log group does not exist.")
	createGroup(t, s, bg, "app")
	const denied = "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function."
	// A function whose policy does not let CloudWatch Logs invoke it.
	wantError(t, putFilter(s, "app", "f", "", otherArn), "InvalidParameterException", denied)
	// A function of another account.
	wantError(t, putFilter(s, "app", "f", "", "arn:aws:lambda:us-east-1:210987654321:function:shipper"), "InvalidParameterException", denied)
	// kiri has no Kinesis, Firehose or Logs destinations: they do not exist.
	wantError(t, putFilter(s, "app", "f", "", "arn:aws:kinesis:us-east-1:123456789012:stream/s"), "InvalidParameterException",
		"Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state.")
	wantError(t, putFilter(s, "app", "f", "", "arn:aws:firehose:us-east-1:123456789012:deliverystream/d"), "InvalidParameterException", "")
	wantError(t, putFilter(s, "app", "f", "", "arn:aws:logs:us-east-1:210987654321:destination:d"), "InvalidParameterException", "")
	names, _ := describeFilters(t, s, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: api.Ptr("app")})
	if len(names) != 0 || len(fn.calls()) != 0 {
		t.Fatalf("filters %v, invocations %d", names, len(fn.calls()))
	}
	// Without Lambda wired in, no function can be a destination.
	bare := newTestService(t)
	createGroup(t, bare, bg, "app")
	wantError(t, putFilter(bare, "app", "f", "", fnArn), "InvalidParameterException", denied)
}

func TestSubscriptionPayloadSplitsLargeBatches(t *testing.T) {
	msg := subscriptionMessage{MessageType: "DATA_MESSAGE", Owner: testAccount, LogGroup: "g", LogStream: "s", SubscriptionFilters: []string{"f"}}
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range 8 {
		// Random text, which gzip cannot shrink much.
		b := make([]byte, 3000)
		for j := range b {
			b[j] = byte('!' + rnd.IntN(90))
		}
		msg.LogEvents = append(msg.LogEvents, subscriptionEvent{ID: position{TS: 1, Seq: int64(i)}.String(), Timestamp: 1, Message: string(b)})
	}
	whole, err := encodeSubscription(msg)
	if err != nil {
		t.Fatal(err)
	}
	payloads, err := subscriptionPayloads(msg, len(whole)/3)
	if err != nil {
		t.Fatal(err)
	}
	if len(payloads) < 3 {
		t.Fatalf("%d payloads", len(payloads))
	}
	var ids []string
	for _, p := range payloads {
		if len(p) > len(whole)/3 {
			t.Fatalf("payload of %d bytes exceeds %d", len(p), len(whole)/3)
		}
		for _, e := range decode(t, p).LogEvents {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) != 8 || !slices.IsSorted(ids) {
		t.Fatalf("ids %v", ids)
	}
}
