package esm

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/service/lambda"
	"github.com/kiricloud/kiri/internal/service/sqs"
	"github.com/kiricloud/kiri/internal/store"
)

const (
	account  = "123456789012"
	region   = "us-east-1"
	function = "arn:aws:lambda:us-east-1:123456789012:function:f"
)

var bg = request.With(context.Background(), &request.Info{Account: account, Region: region})

// event is the SQS event as a function sees it.
type event struct {
	Records []struct {
		MessageID         string            `json:"messageId"`
		Body              string            `json:"body"`
		Attributes        map[string]string `json:"attributes"`
		MessageAttributes map[string]struct {
			StringValue string `json:"stringValue"`
			DataType    string `json:"dataType"`
		} `json:"messageAttributes"`
	} `json:"Records"`
}

// fakeLambda records every invocation and answers with handle.
type fakeLambda struct {
	mu     sync.Mutex
	events []event
	raw    [][]byte
	handle func(n int, e event) (*lambdaapi.InvocationResponse, error) // n: calls so far
}

func (f *fakeLambda) Invoke(_ context.Context, in *lambdaapi.InvocationRequest) (*lambdaapi.InvocationResponse, error) {
	var e event
	if err := json.Unmarshal(in.Payload, &e); err != nil || api.Deref(in.FunctionName) != function {
		panic("bad invocation: " + string(in.Payload))
	}
	f.mu.Lock()
	n := len(f.raw)
	handle := f.handle
	f.mu.Unlock()
	out, err := &lambdaapi.InvocationResponse{StatusCode: api.Ptr(int64(200)), Payload: []byte("null")}, error(nil)
	if handle != nil {
		out, err = handle(n, e)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.raw = append(f.raw, in.Payload)
	if err == nil {
		f.events = append(f.events, e)
	}
	return out, err
}

// delivered returns the events of successful invokes so far.
func (f *fakeLambda) delivered() []event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]event(nil), f.events...)
}

// bodies counts deliveries per message body.
func (f *fakeLambda) bodies() map[string]int {
	n := map[string]int{}
	for _, e := range f.delivered() {
		for _, r := range e.Records {
			n[r.Body]++
		}
	}
	return n
}

type fixture struct {
	sqs    *sqs.Service
	lambda *fakeLambda
	poller *SQSPoller
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	f := &fixture{sqs: sqs.New(sqs.Config{Store: st}), lambda: &fakeLambda{}}
	t.Cleanup(f.sqs.Close)
	f.poller = NewSQS(SQSConfig{SQS: f.sqs, Lambda: f.lambda})
	t.Cleanup(f.poller.Close) // runs first: pollers stop before SQS
	return f
}

func (f *fixture) queue(t *testing.T, name string, attrs map[string]string) (url, arn string) {
	t.Helper()
	out, err := f.sqs.CreateQueue(bg, &sqsapi.CreateQueueRequest{QueueName: &name, Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return *out.QueueUrl, "arn:aws:sqs:" + region + ":" + account + ":" + name
}

func (f *fixture) send(t *testing.T, url, body string, tweak ...func(*sqsapi.SendMessageRequest)) {
	t.Helper()
	in := &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: &body}
	for _, fn := range tweak {
		fn(in)
	}
	if _, err := f.sqs.SendMessage(bg, in); err != nil {
		t.Fatal(err)
	}
}

// count is how many messages the queue holds, visible or in flight.
func (f *fixture) count(t *testing.T, url string) int {
	t.Helper()
	out, err := f.sqs.GetQueueAttributes(bg, &sqsapi.GetQueueAttributesRequest{QueueUrl: &url, AttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	b, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	c, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesDelayed"])
	return a + b + c
}

func mapping(arn string, enabled bool, tweak ...func(*lambdaapi.EventSourceMappingConfiguration)) lambda.EventSourceMapping {
	m := lambda.EventSourceMapping{UUID: "uuid-1", Account: account, Region: region, FunctionArn: function, EventSourceArn: arn, Enabled: enabled,
		Config: lambdaapi.EventSourceMappingConfiguration{BatchSize: api.Ptr(int64(10)), MaximumBatchingWindowInSeconds: api.Ptr(int64(0))}}
	for _, fn := range tweak {
		fn(&m.Config)
	}
	return m
}

// onePoller pins a mapping to one worker, so that batches are made as one
// poller makes them (AWS's minimum MaximumConcurrency is 2; the poller
// does not check).
func onePoller(c *lambdaapi.EventSourceMappingConfiguration) {
	c.ScalingConfig = &lambdaapi.ScalingConfig{MaximumConcurrency: api.Ptr(int64(1))}
}

// eventually polls cond; the bound only keeps a broken test from hanging.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("never happened: %s", what)
		}
	}
}

func TestDeliversEventAndDeletes(t *testing.T) {
	f := newFixture(t)
	url, arn := f.queue(t, "q", nil)
	f.send(t, url, "hello", func(in *sqsapi.SendMessageRequest) {
		in.MessageAttributes = map[string]sqsapi.MessageAttributeValue{"myAttribute": {StringValue: api.Ptr("myValue"), DataType: api.Ptr("String")}}
	})
	f.poller.Sync(mapping(arn, true))
	eventually(t, "delivery", func() bool { return len(f.lambda.delivered()) == 1 })
	eventually(t, "deletion", func() bool { return f.count(t, url) == 0 })

	var got struct {
		Records []map[string]json.RawMessage `json:"Records"`
	}
	f.lambda.mu.Lock()
	raw := f.lambda.raw[0]
	f.lambda.mu.Unlock()
	if err := json.Unmarshal(raw, &got); err != nil || len(got.Records) != 1 {
		t.Fatalf("event %s: %v", raw, err)
	}
	r := got.Records[0]
	sum := md5.Sum([]byte("hello"))
	for k, want := range map[string]string{"body": `"hello"`, "eventSource": `"aws:sqs"`, "eventSourceARN": `"` + arn + `"`,
		"awsRegion": `"us-east-1"`, "md5OfBody": `"` + hex.EncodeToString(sum[:]) + `"`,
		"messageAttributes": `{"myAttribute":{"stringValue":"myValue","stringListValues":[],"binaryListValues":[],"dataType":"String"}}`} {
		if string(r[k]) != want {
			t.Errorf("%s = %s, want %s", k, r[k], want)
		}
	}
	for _, k := range []string{"messageId", "receiptHandle", "attributes"} {
		if len(r[k]) == 0 {
			t.Errorf("record lacks %s: %s", k, raw)
		}
	}
	attrs := f.lambda.delivered()[0].Records[0].Attributes
	for _, k := range []string{"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} {
		if attrs[k] == "" {
			t.Errorf("attributes lack %s: %v", k, attrs)
		}
	}
	if attrs["ApproximateReceiveCount"] != "1" {
		t.Errorf("ApproximateReceiveCount = %q", attrs["ApproximateReceiveCount"])
	}
}

func TestFunctionErrorRedeliversThenDeadLetters(t *testing.T) {
	f := newFixture(t)
	dlqURL, dlqArn := f.queue(t, "dlq", nil)
	url, arn := f.queue(t, "src", map[string]string{"VisibilityTimeout": "1",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":2}`})
	f.lambda.handle = func(int, event) (*lambdaapi.InvocationResponse, error) {
		return &lambdaapi.InvocationResponse{StatusCode: api.Ptr(int64(200)), FunctionError: api.Ptr("Unhandled"), Payload: []byte(`{"errorMessage":"boom"}`)}, nil
	}
	f.send(t, url, "poison")
	f.poller.Sync(mapping(arn, true))
	eventually(t, "dead-lettering", func() bool { return f.count(t, dlqURL) == 1 })
	eventually(t, "source drained", func() bool { return f.count(t, url) == 0 })
	f.poller.Close()

	evs := f.lambda.delivered()
	if len(evs) != 2 {
		t.Fatalf("invocations = %d, want 2 (maxReceiveCount)", len(evs))
	}
	for i, e := range evs {
		if got := e.Records[0].Attributes["ApproximateReceiveCount"]; got != strconv.Itoa(i+1) {
			t.Errorf("delivery %d: ApproximateReceiveCount = %s", i+1, got)
		}
		if e.Records[0].MessageID != evs[0].Records[0].MessageID {
			t.Errorf("delivery %d is another message", i+1)
		}
	}
}

func TestReportBatchItemFailuresDeletesOnlySuccesses(t *testing.T) {
	f := newFixture(t)
	url, arn := f.queue(t, "q", map[string]string{"VisibilityTimeout": "1"})
	f.lambda.handle = func(_ int, e event) (*lambdaapi.InvocationResponse, error) {
		var failures []map[string]string
		for _, r := range e.Records {
			if r.Body == "bad" {
				failures = append(failures, map[string]string{"itemIdentifier": r.MessageID})
			}
		}
		payload, _ := json.Marshal(map[string]any{"batchItemFailures": failures})
		return &lambdaapi.InvocationResponse{StatusCode: api.Ptr(int64(200)), Payload: payload}, nil
	}
	for _, b := range []string{"a", "bad", "c"} {
		f.send(t, url, b)
	}
	f.poller.Sync(mapping(arn, true, func(c *lambdaapi.EventSourceMappingConfiguration) {
		c.FunctionResponseTypes = []string{"ReportBatchItemFailures"}
	}))
	eventually(t, "redelivery of the failure", func() bool { return f.lambda.bodies()["bad"] >= 2 })
	f.poller.Close()
	if n := f.lambda.bodies(); n["a"] != 1 || n["c"] != 1 {
		t.Errorf("deliveries = %v, want a and c once", n)
	}
	if n := f.count(t, url); n != 1 {
		t.Errorf("queue holds %d, want only the failure", n)
	}
}

func TestThrottleRetriesWithoutReceivingAgain(t *testing.T) {
	f := newFixture(t)
	url, arn := f.queue(t, "q", nil)
	f.lambda.handle = func(n int, _ event) (*lambdaapi.InvocationResponse, error) {
		if n < 2 {
			return nil, lambdaapi.NewTooManyRequestsException("Rate Exceeded.")
		}
		return &lambdaapi.InvocationResponse{StatusCode: api.Ptr(int64(200))}, nil
	}
	f.send(t, url, "m")
	f.poller.Sync(mapping(arn, true))
	eventually(t, "deletion", func() bool { return f.count(t, url) == 0 })
	evs := f.lambda.delivered()
	if len(evs) != 1 || evs[0].Records[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("deliveries = %+v, want one, received once", evs)
	}
}

func TestDisableAndRemoveStopDelivery(t *testing.T) {
	for _, stop := range []string{"disable", "remove"} {
		t.Run(stop, func(t *testing.T) {
			f := newFixture(t)
			url, arn := f.queue(t, "q", nil)
			f.poller.Sync(mapping(arn, true))
			f.send(t, url, "first")
			eventually(t, "delivery", func() bool { return len(f.lambda.delivered()) == 1 })

			f.poller.mu.Lock()
			c := f.poller.crews["uuid-1"]
			f.poller.mu.Unlock()
			if stop == "disable" {
				f.poller.Sync(mapping(arn, false))
			} else {
				f.poller.Remove("uuid-1")
			}
			<-c.done
			f.send(t, url, "second")
			out, err := f.sqs.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: &url, WaitTimeSeconds: api.Ptr(int64(1))})
			if err != nil || len(out.Messages) != 1 {
				t.Fatalf("receive after %s: %v %v, want the message left in the queue", stop, out, err)
			}
			if n := len(f.lambda.delivered()); n != 1 {
				t.Errorf("deliveries = %d after %s", n, stop)
			}
		})
	}
}

func TestBatchSizeHonoured(t *testing.T) {
	for _, tc := range []struct {
		name          string
		size, window  int64
		sent, largest int
	}{
		{"small batches", 2, 0, 5, 2},
		{"window fills past ten", 15, 1, 15, 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			url, arn := f.queue(t, "q", nil)
			for i := range tc.sent {
				f.send(t, url, strconv.Itoa(i))
			}
			f.poller.Sync(mapping(arn, true, onePoller, func(c *lambdaapi.EventSourceMappingConfiguration) {
				c.BatchSize, c.MaximumBatchingWindowInSeconds = &tc.size, &tc.window
			}))
			eventually(t, "all delivered", func() bool { return len(f.lambda.bodies()) == tc.sent })
			largest := 0
			for _, e := range f.lambda.delivered() {
				largest = max(largest, len(e.Records))
			}
			if largest != tc.largest {
				t.Errorf("largest batch = %d, want %d", largest, tc.largest)
			}
		})
	}
}

func TestFIFOOrderAndAttributes(t *testing.T) {
	f := newFixture(t)
	url, arn := f.queue(t, "q.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for i := range 25 {
		f.send(t, url, strconv.Itoa(i), func(in *sqsapi.SendMessageRequest) { in.MessageGroupId = api.Ptr("g") })
	}
	f.poller.Sync(mapping(arn, true))
	eventually(t, "all delivered", func() bool { return len(f.lambda.bodies()) == 25 })
	var order []string
	for _, e := range f.lambda.delivered() {
		for _, r := range e.Records {
			order = append(order, r.Body)
			for _, k := range []string{"MessageGroupId", "MessageDeduplicationId", "SequenceNumber"} {
				if r.Attributes[k] == "" {
					t.Fatalf("FIFO record lacks %s: %v", k, r.Attributes)
				}
			}
		}
	}
	for i, b := range order {
		if b != strconv.Itoa(i) {
			t.Fatalf("order = %v", order)
		}
	}
}

func TestSyncUnchangedKeepsWorker(t *testing.T) {
	f := newFixture(t)
	_, arn := f.queue(t, "q", nil)
	f.poller.Sync(mapping(arn, true))
	f.poller.mu.Lock()
	c := f.poller.crews["uuid-1"]
	f.poller.mu.Unlock()
	f.poller.Sync(mapping(arn, true))
	f.poller.mu.Lock()
	same := f.poller.crews["uuid-1"] == c
	f.poller.mu.Unlock()
	if !same {
		t.Error("an unchanged Sync restarted the worker")
	}
}

func TestBatchItemFailuresParsing(t *testing.T) {
	batch := []sqsapi.Message{{MessageId: api.Ptr("m1")}, {MessageId: api.Ptr("m2")}}
	for payload, want := range map[string]int{ // want: messages deleted
		``: 2, `null`: 2, `{}`: 2, `{"batchItemFailures":null}`: 2, `{"batchItemFailures":[]}`: 2,
		`{"batchItemFailures":[{"itemIdentifier":"m2"}]}`: 1,
		`not json`: 0, `[]`: 0, `{"batchItemFailures":[{"itemIdentifier":""}]}`: 0,
		`{"batchItemFailures":[{"itemIdentifier":null}]}`: 0, `{"batchItemFailures":[{"id":"m1"}]}`: 0,
		`{"batchItemFailures":[{"itemIdentifier":"other"}]}`: 0,
	} {
		out := &lambdaapi.InvocationResponse{Payload: []byte(payload)}
		if got := len(processed(batch, out, true)); got != want {
			t.Errorf("%q: %d deleted, want %d", payload, got, want)
		}
	}
	failed := &lambdaapi.InvocationResponse{FunctionError: api.Ptr("Unhandled")}
	if got := len(processed(batch, failed, true)); got != 0 {
		t.Errorf("function error: %d deleted", got)
	}
	if got := len(processed(batch, &lambdaapi.InvocationResponse{Payload: []byte("junk")}, false)); got != 2 {
		t.Errorf("without ReportBatchItemFailures: %d deleted, want all", got)
	}
}

func TestOversizedBatchIsSplit(t *testing.T) {
	f := newFixture(t)
	url, arn := f.queue(t, "q", nil)
	body := strings.Repeat("<", 110<<10) // escaped by encoding/json to six bytes each
	for range 10 {
		f.send(t, url, body)
	}
	f.poller.Sync(mapping(arn, true, onePoller))
	eventually(t, "deletion", func() bool { return f.count(t, url) == 0 })
	f.lambda.mu.Lock()
	defer f.lambda.mu.Unlock()
	for _, p := range f.lambda.raw {
		if len(p) > maxPayload {
			t.Fatalf("payload of %d bytes", len(p))
		}
	}
	if len(f.lambda.raw) < 2 {
		t.Errorf("invocations = %d, want the batch split", len(f.lambda.raw))
	}
}

// With FilterCriteria only matching messages reach the function; the others
// are deleted from the queue unseen. JSON bodies are matched as JSON, other
// bodies as strings.
func TestFilterCriteria(t *testing.T) {
	f := newFixture(t)
	url, arn := f.queue(t, "filtered", nil)
	for _, body := range []string{`{"kind":"order","n":5}`, `{"kind":"order","n":50}`, `{"kind":"refund"}`, `plain`, `other`} {
		f.send(t, url, body)
	}
	f.poller.Sync(mapping(arn, true, func(c *lambdaapi.EventSourceMappingConfiguration) {
		c.FilterCriteria = &lambdaapi.FilterCriteria{Filters: []lambdaapi.Filter{
			{Pattern: api.Ptr(`{"body":{"kind":["order"],"n":[{"numeric":[">",10]}]}}`)},
			{Pattern: api.Ptr(`{"body":["plain"]}`)},
		}}
	}))
	eventually(t, "queue emptied", func() bool { return f.count(t, url) == 0 })
	eventually(t, "deliveries", func() bool { return len(f.lambda.bodies()) == 2 })
	got := f.lambda.bodies()
	if got[`{"kind":"order","n":50}`] != 1 || got["plain"] != 1 || len(got) != 2 {
		t.Errorf("delivered %v", got)
	}
}

func TestCompileFiltersRejectsBadPatterns(t *testing.T) {
	for _, p := range []string{`{"body":`, `["a"]`, `{"body":{"kind":"order"}}`, `{"body":[{"nope":1}]}`} {
		fc := &lambdaapi.FilterCriteria{Filters: []lambdaapi.Filter{{Pattern: api.Ptr(p)}}}
		if _, err := lambda.CompileFilters(fc); err == nil || !strings.Contains(err.Error(), "Invalid filter pattern definition.") {
			t.Errorf("%s: %v", p, err)
		}
	}
	six := &lambdaapi.FilterCriteria{}
	for range 6 {
		six.Filters = append(six.Filters, lambdaapi.Filter{Pattern: api.Ptr(`{"body":["x"]}`)})
	}
	if _, err := lambda.CompileFilters(six); err == nil {
		t.Error("six filters accepted")
	}
}

// A mapping processes up to MaximumConcurrency batches at once, and no
// more.
func TestConcurrentBatches(t *testing.T) {
	f := newFixture(t)
	url, arn := f.queue(t, "busy", nil)
	for i := range 6 {
		f.send(t, url, strconv.Itoa(i))
	}
	var mu sync.Mutex
	inFlight, most := 0, 0
	three := make(chan struct{})
	var threeOnce sync.Once
	f.lambda.handle = func(int, event) (*lambdaapi.InvocationResponse, error) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		if inFlight == 3 {
			threeOnce.Do(func() { close(three) })
		}
		mu.Unlock()
		select { // hold each batch until three run at once
		case <-three:
		case <-time.After(10 * time.Second):
		}
		mu.Lock()
		inFlight--
		mu.Unlock()
		return &lambdaapi.InvocationResponse{StatusCode: api.Ptr(int64(200)), Payload: []byte("null")}, nil
	}
	f.poller.Sync(mapping(arn, true, func(c *lambdaapi.EventSourceMappingConfiguration) {
		c.BatchSize = api.Ptr(int64(1))
		c.ScalingConfig = &lambdaapi.ScalingConfig{MaximumConcurrency: api.Ptr(int64(3))}
	}))
	eventually(t, "queue drained", func() bool { return f.count(t, url) == 0 })
	mu.Lock()
	defer mu.Unlock()
	if most != 3 {
		t.Errorf("at most %d batches ran at once, want 3", most)
	}
}
