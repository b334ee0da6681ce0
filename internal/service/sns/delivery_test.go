package sns

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/store"
)

// flakyQueues fails every send while fail is set (only those to the queue
// only, when that is set), and otherwise records it like fakeQueues, taking
// a moment so that unordered deliveries would overtake each other.
type flakyQueues struct {
	fakeQueues
	only     string
	fail     atomic.Bool
	failures atomic.Int64
}

func (f *flakyQueues) SendToArn(ctx context.Context, queueArn, body string, attrs map[string]MessageAttribute, groupID, dedupID string) (string, error) {
	if f.fail.Load() && (f.only == "" || f.only == queueArn) {
		f.failures.Add(1)
		return "", errors.New("queue unavailable")
	}
	time.Sleep(time.Duration(len(f.sent())%3) * time.Millisecond)
	return f.fakeQueues.SendToArn(ctx, queueArn, body, attrs, groupID, dedupID)
}

// gatedQueues holds every send until gate is closed.
type gatedQueues struct {
	fakeQueues
	gate chan struct{}
}

func (f *gatedQueues) SendToArn(ctx context.Context, queueArn, body string, attrs map[string]MessageAttribute, groupID, dedupID string) (string, error) {
	select {
	case <-f.gate:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return f.fakeQueues.SendToArn(ctx, queueArn, body, attrs, groupID, dedupID)
}

// pendingDeliveries lists the stored deliveries in key order.
func pendingDeliveries(t *testing.T, st store.Store) []*deliveryRec {
	t.Helper()
	var out []*deliveryRec
	err := st.View(func(tx store.Tx) error {
		return scanJSON(tx, globalNS.Prefix("delivery"), nil, func(_ []byte, d *deliveryRec) error {
			out = append(out, d)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// eventually polls until cond holds. The limit only keeps a broken test
// from hanging; nothing depends on how long the wait is.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

func memoryStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestDeliverySurvivesRestart: a delivery that fails until its Service is
// closed stays stored, and the next Service on the store makes it.
func TestDeliverySurvivesRestart(t *testing.T) {
	st := memoryStore(t)
	q := &flakyQueues{}
	q.fail.Store(true)
	hour := []time.Duration{time.Hour}
	e := newEnvWith(t, st, q, 0, hour)
	topic := e.topic(t, "t", map[string]string{"SignatureVersion": "2"})
	sub := e.subscribe(t, topic, "sqs", queueArn, nil)
	id := *must(e.s.Publish(bg, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("kept"), Subject: api.Ptr("s")}))(t).MessageId
	eventually(t, "the failed attempt to be recorded", func() bool {
		p := pendingDeliveries(t, st)
		return len(p) == 1 && p[0].Attempts == 1
	})
	_ = e.s.Close()
	p := pendingDeliveries(t, st)
	if len(p) != 1 || p[0].SubArn != sub || p[0].N.MessageID != id || p[0].Sub.Endpoint != queueArn {
		t.Fatalf("pending after Close = %+v", p)
	}
	if q.failures.Load() != 1 || len(q.sent()) != 0 {
		t.Fatalf("failures = %d, sent = %d", q.failures.Load(), len(q.sent()))
	}

	// The queue is back; the clock has moved past the next attempt.
	q.fail.Store(false)
	e2 := newEnvWith(t, st, q, 2*time.Hour, hour)
	eventually(t, "the delivery after restart", func() bool {
		return len(q.sent()) == 1 && len(pendingDeliveries(t, st)) == 0
	})
	sent := q.sent()[0]
	d := parseDoc(t, sent.Body)
	if sent.QueueArn != queueArn || d.str("MessageId") != id || d.str("Message") != "kept" || d.str("Subject") != "s" ||
		d.str("TopicArn") != topic || d.str("SignatureVersion") != "2" {
		t.Fatalf("delivered %s: %s", sent.QueueArn, sent.Body)
	}
	if err := verifyDoc(e2.s.SigningCertPEM(), d); err != nil {
		t.Fatal(err)
	}
}

// TestDeliveryStoredUntilMade: Publish returns with the delivery stored
// (only for subscriptions whose filter matches), and a delivery made
// leaves no record.
func TestDeliveryStoredUntilMade(t *testing.T) {
	st := memoryStore(t)
	q := &gatedQueues{gate: make(chan struct{})}
	e := newEnvWith(t, st, q, 0, []time.Duration{time.Millisecond})
	topic := e.topic(t, "t", nil)
	sub := e.subscribe(t, topic, "sqs", queueArn, nil)
	e.subscribe(t, topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:other", map[string]string{"FilterPolicy": `{"kind":["b"]}`})
	must(e.s.Publish(bg, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"),
		MessageAttributes: map[string]snsapi.MessageAttributeValue{"kind": {DataType: api.Ptr("String"), StringValue: api.Ptr("a")}}}))(t)
	p := pendingDeliveries(t, st)
	if len(p) != 1 || p[0].SubArn != sub || p[0].N.Message != "m" || p[0].Attempts != 0 || p[0].N.Attributes["kind"].StringValue != "a" {
		t.Fatalf("pending after Publish = %+v", p)
	}
	close(q.gate)
	e.s.wait()
	if p := pendingDeliveries(t, st); len(p) != 0 {
		t.Fatalf("pending after delivery = %+v", p)
	}
	if sent := q.sent(); len(sent) != 1 || sent[0].QueueArn != queueArn {
		t.Fatalf("sent = %+v", sent)
	}
}

// TestDeliveryGivenUp: a delivery that keeps failing goes to the
// dead-letter queue and leaves no record.
func TestDeliveryGivenUp(t *testing.T) {
	st := memoryStore(t)
	q := &flakyQueues{only: queueArn}
	q.fail.Store(true)
	e := newEnvWith(t, st, q, 0, []time.Duration{time.Millisecond, time.Millisecond})
	topic := e.topic(t, "t", nil)
	dlq := "arn:aws:sqs:us-east-1:123456789012:dlq"
	e.subscribe(t, topic, "sqs", queueArn, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlq + `"}`, "RawMessageDelivery": "true"})
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("lost?")})
	if p := pendingDeliveries(t, st); len(p) != 0 {
		t.Fatalf("pending = %+v", p)
	}
	if sent := q.sent(); len(sent) != 1 || sent[0].QueueArn != dlq || sent[0].Body != "lost?" || q.failures.Load() != 3 {
		t.Fatalf("sent = %+v, failures = %d", sent, q.failures.Load())
	}
}

// TestFIFOOrderSurvivesRestart: deliveries held up behind a failing one
// of a FIFO subscription are made in publish order by the next Service.
func TestFIFOOrderSurvivesRestart(t *testing.T) {
	st := memoryStore(t)
	q := &flakyQueues{}
	q.fail.Store(true)
	hour := []time.Duration{time.Hour}
	e := newEnvWith(t, st, q, 0, hour)
	topic := e.topic(t, "t.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	fifoQueue := "arn:aws:sqs:us-east-1:123456789012:q.fifo"
	e.subscribe(t, topic, "sqs", fifoQueue, map[string]string{"RawMessageDelivery": "true"})
	for i := range 3 {
		must(e.s.Publish(bg, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr(fmt.Sprint(i)), MessageGroupId: api.Ptr("g")}))(t)
	}
	var entries []snsapi.PublishBatchRequestEntry
	for i := 3; i < 6; i++ {
		entries = append(entries, snsapi.PublishBatchRequestEntry{Id: api.Ptr(fmt.Sprint("e", i)), Message: api.Ptr(fmt.Sprint(i)), MessageGroupId: api.Ptr("g")})
	}
	if out := must(e.s.PublishBatch(bg, &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: entries}))(t); len(out.Successful) != 3 {
		t.Fatalf("batch = %+v", out)
	}
	eventually(t, "the first delivery's failed attempt", func() bool {
		p := pendingDeliveries(t, st)
		return len(p) == 6 && p[0].Attempts == 1
	})
	_ = e.s.Close()
	p := pendingDeliveries(t, st)
	if len(p) != 6 || q.failures.Load() != 1 {
		t.Fatalf("pending = %d, failures = %d", len(p), q.failures.Load())
	}
	for i, d := range p {
		if d.N.Message != fmt.Sprint(i) || d.GroupID != "g" || d.DedupID == "" {
			t.Fatalf("pending %d = %+v", i, d)
		}
	}

	q.fail.Store(false)
	newEnvWith(t, st, q, 2*time.Hour, hour)
	eventually(t, "the deliveries after restart", func() bool {
		return len(q.sent()) == 6 && len(pendingDeliveries(t, st)) == 0
	})
	for i, c := range q.sent() {
		if c.Body != fmt.Sprint(i) || c.QueueArn != fifoQueue || c.GroupID != "g" {
			t.Fatalf("delivery %d = %+v", i, c)
		}
	}
}
