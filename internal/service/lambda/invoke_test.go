package lambda

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
	"github.com/kiricloud/kiri/internal/store"
)

func TestInvokeSync(t *testing.T) {
	e := newEnv(t)
	e.create(t, "f")
	e.fake.handle = func(_ int, fn *runtime.Function, inv runtime.Invocation) (runtime.Result, error) {
		creds, err := fn.Credentials(context.Background())
		if err != nil || !strings.HasPrefix(creds.AccessKeyID, "ASIA") {
			t.Errorf("credentials = %+v, %v", creds, err)
		}
		if string(inv.Payload) == `{"fail":true}` {
			return runtime.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"division by zero","errorType":"ZeroDivisionError"}`), LogTail: "bG9n"}, nil
		}
		return runtime.Result{Payload: inv.Payload, LogTail: "bG9n"}, nil
	}
	out, err := e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f"), Payload: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if *out.StatusCode != 200 || string(out.Payload) != `{"a":1}` || out.FunctionError != nil || out.LogResult != nil || *out.ExecutedVersion != "$LATEST" {
		t.Errorf("invoke = %+v", out)
	}
	call := e.fake.lastCall()
	if call.fn.Name != "f" || call.fn.Runtime != "python3.6" || call.fn.MemoryMB != 128 || call.fn.LogGroup != "/aws/lambda/f" || call.inv.RequestID == "" {
		t.Errorf("runtime function = %+v / %+v", call.fn, call.inv)
	}
	out, err = e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f"), Payload: []byte(`{"fail":true}`), LogType: api.Ptr("Tail")})
	if err != nil || api.Deref(out.FunctionError) != "Unhandled" || api.Deref(out.LogResult) != "bG9n" || *out.StatusCode != 200 {
		t.Errorf("failed invoke = %+v, %v", out, err)
	}

	n := e.fake.callCount()
	out, err = e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f"), InvocationType: api.Ptr("DryRun")})
	if err != nil || *out.StatusCode != 204 || e.fake.callCount() != n {
		t.Errorf("DryRun = %+v, %v, calls %d", out, err, e.fake.callCount()-n)
	}
	_, err = e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f"), Payload: bytes.Repeat([]byte(" "), 6*1024*1024+1)})
	wantErr(t, err, "RequestTooLargeException")
	_, err = e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f"), Payload: []byte(`{"a":1,}`)})
	wantErr(t, err, "InvalidRequestContentException")
	_, err = e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("missing")})
	wantErr(t, err, "ResourceNotFoundException")
}

func TestInvokeThrottled(t *testing.T) {
	e := newEnv(t)
	e.create(t, "f")
	e.fake.handle = func(int, *runtime.Function, runtime.Invocation) (runtime.Result, error) {
		return runtime.Result{}, runtime.ErrThrottled
	}
	_, err := e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f")})
	wantErr(t, err, "TooManyRequestsException", "Rate Exceeded.")
	if pe := err.(*protocol.Error); pe.Status != 429 || pe.Fields["Reason"] != "ConcurrentInvocationLimitExceeded" {
		t.Errorf("throttle = %d %v", pe.Status, pe.Fields)
	}
	e.s.PutFunctionConcurrency(bg, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: api.Ptr("f"), ReservedConcurrentExecutions: api.Ptr(int64(0))})
	_, err = e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f")})
	if pe, _ := err.(*protocol.Error); pe == nil || pe.Fields["Reason"] != "ReservedFunctionConcurrentInvocationLimitExceeded" {
		t.Errorf("reserved throttle = %v", err)
	}
	if rc := e.fake.lastCall().fn.ReservedConcurrency; rc == nil || *rc != 0 {
		t.Errorf("ReservedConcurrency passed to the engine = %v", rc)
	}
}

// recordingDLQ collects given-up events.
type recordingDLQ struct {
	mu     sync.Mutex
	events []AsyncOutcome
}

func (d *recordingDLQ) Deliver(_ context.Context, ev AsyncOutcome) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.events = append(d.events, ev)
	return nil
}

func (d *recordingDLQ) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.events)
}

func queued(t *testing.T, st store.Store) int {
	n := 0
	st.View(func(tx store.Tx) error {
		return tx.Scan(globalNS.Prefix("async"), nil, func(_, _ []byte) error { n++; return nil })
	})
	return n
}

func TestAsyncInvokeRetries(t *testing.T) {
	e := newEnv(t)
	e.create(t, "f")
	e.fake.handle = func(n int, _ *runtime.Function, _ runtime.Invocation) (runtime.Result, error) {
		if n <= 2 {
			return runtime.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom"}`)}, nil
		}
		return runtime.Result{Payload: []byte("null")}, nil
	}
	out, err := e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f"), InvocationType: api.Ptr("Event"), Payload: []byte(`{"k":"v"}`)})
	if err != nil || *out.StatusCode != 202 {
		t.Fatalf("Event invoke = %+v, %v", out, err)
	}
	eventually(t, "three attempts and an empty queue", func() bool { return e.fake.callCount() == 3 && queued(t, e.st) == 0 })
	if p := e.fake.lastCall().inv.Payload; string(p) != `{"k":"v"}` {
		t.Errorf("payload = %s", p)
	}
}

func TestAsyncInvokeGivesUp(t *testing.T) {
	e := newEnv(t)
	dlq := &recordingDLQ{}
	e.s.Close()
	e.s = New(Config{Store: e.st, Invoker: e.fake, CodeRoot: e.root, IAM: e.iam, STS: e.sts, RetryDelay: 1, Destinations: dlq})
	t.Cleanup(func() { e.s.Close() })
	e.create(t, "f", func(in *lambdaapi.CreateFunctionRequest) {
		in.DeadLetterConfig = &lambdaapi.DeadLetterConfig{TargetArn: api.Ptr("arn:aws:sqs:us-east-1:000000000000:dlq")}
	})
	if _, err := e.s.PutFunctionEventInvokeConfig(bg, &lambdaapi.PutFunctionEventInvokeConfigRequest{FunctionName: api.Ptr("f"), MaximumRetryAttempts: api.Ptr(int64(1))}); err != nil {
		t.Fatal(err)
	}
	e.fake.handle = func(int, *runtime.Function, runtime.Invocation) (runtime.Result, error) {
		return runtime.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom"}`)}, nil
	}
	if _, err := e.s.InvokeAsync(bg, &lambdaapi.InvokeAsyncRequest{FunctionName: api.Ptr("f"), InvokeArgs: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "dead letter", func() bool { return dlq.count() == 1 && queued(t, e.st) == 0 })
	ev := dlq.events[0]
	if e.fake.callCount() != 2 || ev.Condition != "RetriesExhausted" || ev.ErrorCode != "Unhandled" || ev.DeadLetterArn != "arn:aws:sqs:us-east-1:000000000000:dlq" {
		t.Errorf("calls %d, failed event %+v", e.fake.callCount(), ev)
	}
}

func TestAsyncQueueSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	e.create(t, "f")
	started := make(chan struct{}, 1)
	block := &blockingInvoker{fakeInvoker: e.fake, started: started}
	first := New(Config{Store: e.st, Invoker: block, CodeRoot: e.root, IAM: e.iam, STS: e.sts, RetryDelay: 1})
	e.s.Close()
	if _, err := first.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f"), InvocationType: api.Ptr("Event"), Payload: []byte(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	<-started
	first.Close()
	if queued(t, e.st) != 1 {
		t.Fatalf("queue after shutdown mid-invocation = %d, want 1", queued(t, e.st))
	}
	e.fake.mu.Lock()
	e.fake.calls = nil
	e.fake.mu.Unlock()
	e.open(t) // a new run on the same store
	eventually(t, "the pending event to run after restart", func() bool { return e.fake.callCount() == 1 && queued(t, e.st) == 0 })
	if p := e.fake.lastCall().inv.Payload; string(p) != `{"n":1}` {
		t.Errorf("payload after restart = %s", p)
	}
}

// blockingInvoker blocks every invocation until its context ends.
type blockingInvoker struct {
	*fakeInvoker
	started chan struct{}
}

func (b *blockingInvoker) Invoke(ctx context.Context, fn *runtime.Function, inv runtime.Invocation) (runtime.Result, error) {
	b.started <- struct{}{}
	<-ctx.Done()
	return runtime.Result{}, ctx.Err()
}

func TestEventInvokeConfig(t *testing.T) {
	e := newEnv(t)
	e.create(t, "f")
	_, err := e.s.GetFunctionEventInvokeConfig(bg, &lambdaapi.GetFunctionEventInvokeConfigRequest{FunctionName: api.Ptr("f")})
	wantErr(t, err, "ResourceNotFoundException")
	_, err = e.s.PutFunctionEventInvokeConfig(bg, &lambdaapi.PutFunctionEventInvokeConfigRequest{FunctionName: api.Ptr("f"), MaximumRetryAttempts: api.Ptr(int64(3))})
	wantErr(t, err, "InvalidParameterValueException")
	_, err = e.s.PutFunctionEventInvokeConfig(bg, &lambdaapi.PutFunctionEventInvokeConfigRequest{FunctionName: api.Ptr("f"), MaximumEventAgeInSeconds: api.Ptr(int64(59))})
	wantErr(t, err, "InvalidParameterValueException")
	dest := &lambdaapi.DestinationConfig{OnFailure: &lambdaapi.OnFailure{Destination: api.Ptr("arn:aws:sqs:us-east-1:000000000000:q")}}
	put, err := e.s.PutFunctionEventInvokeConfig(bg, &lambdaapi.PutFunctionEventInvokeConfigRequest{FunctionName: api.Ptr("f"),
		MaximumRetryAttempts: api.Ptr(int64(0)), MaximumEventAgeInSeconds: api.Ptr(int64(3600)), DestinationConfig: dest})
	if err != nil || *put.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST" {
		t.Fatalf("put = %+v, %v", put, err)
	}
	upd, err := e.s.UpdateFunctionEventInvokeConfig(bg, &lambdaapi.UpdateFunctionEventInvokeConfigRequest{FunctionName: api.Ptr("f"), MaximumRetryAttempts: api.Ptr(int64(2))})
	if err != nil || *upd.MaximumRetryAttempts != 2 || *upd.MaximumEventAgeInSeconds != 3600 || *upd.DestinationConfig.OnFailure.Destination != "arn:aws:sqs:us-east-1:000000000000:q" {
		t.Errorf("update = %+v, %v", upd, err)
	}
	list, _ := e.s.ListFunctionEventInvokeConfigs(bg, &lambdaapi.ListFunctionEventInvokeConfigsRequest{FunctionName: api.Ptr("f")})
	if len(list.FunctionEventInvokeConfigs) != 1 {
		t.Errorf("list = %d", len(list.FunctionEventInvokeConfigs))
	}
	if _, err := e.s.DeleteFunctionEventInvokeConfig(bg, &lambdaapi.DeleteFunctionEventInvokeConfigRequest{FunctionName: api.Ptr("f")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.UpdateFunctionEventInvokeConfig(bg, &lambdaapi.UpdateFunctionEventInvokeConfigRequest{FunctionName: api.Ptr("f"), MaximumRetryAttempts: api.Ptr(int64(1))})
	wantErr(t, err, "ResourceNotFoundException")
}
