package sqs

import (
	"fmt"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/store"
)

func TestFifoOrderAndGroupBlocking(t *testing.T) {
	s, c := newTestService(t)
	url := createQueue(t, s, "orders.fifo", map[string]string{"FifoQueue": "true"})
	var seqs []string
	for i, b := range []string{"a1", "b1", "a2", "b2", "a3"} {
		out := sendFifo(t, s, url, b, b[:1], b)
		seqs = append(seqs, api.Deref(out.SequenceNumber))
		if len(seqs[i]) != 20 || (i > 0 && seqs[i] <= seqs[i-1]) {
			t.Fatalf("sequence numbers %v", seqs)
		}
	}
	first := receive(t, s, url, 2)
	if got := bodies(first); len(got) != 2 || got[0] != "a1" || got[1] != "b1" {
		t.Fatalf("first receive = %v", got)
	}
	if first[0].Attributes["MessageGroupId"] != "a" || first[0].Attributes["SequenceNumber"] != seqs[0] || first[0].Attributes["MessageDeduplicationId"] != "a1" {
		t.Fatalf("FIFO system attributes = %v", first[0].Attributes)
	}
	// Both groups have a message in flight: nothing more until one is done.
	if got := receive(t, s, url, 10); len(got) != 0 {
		t.Fatalf("blocked groups delivered %v", bodies(got))
	}
	must(s.DeleteMessage(bg, &sqsapi.DeleteMessageRequest{QueueUrl: api.Ptr(url), ReceiptHandle: first[0].ReceiptHandle}))(t)
	if got := bodies(receive(t, s, url, 10)); len(got) != 2 || got[0] != "a2" || got[1] != "a3" {
		t.Fatalf("after deleting a1 = %v", got)
	}
	c.Advance(30 * time.Second) // b1 returns before b2, in order
	if got := bodies(receive(t, s, url, 1)); len(got) != 1 || got[0] != "b1" {
		t.Fatalf("after expiry = %v", got)
	}
	_, err := s.DeleteMessage(bg, &sqsapi.DeleteMessageRequest{QueueUrl: api.Ptr(url), ReceiptHandle: first[1].ReceiptHandle})
	wantError(t, err, "InvalidParameterValue", "Value "+api.Deref(first[1].ReceiptHandle)+" for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.")
}

func TestFifoDeduplication(t *testing.T) {
	s, c := newTestService(t)
	url := createQueue(t, s, "d.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	one := sendFifo(t, s, url, "same", "g", "")
	two := sendFifo(t, s, url, "same", "g", "")
	if api.Deref(one.MessageId) != api.Deref(two.MessageId) {
		t.Fatalf("duplicate got a new MessageId %s vs %s", api.Deref(two.MessageId), api.Deref(one.MessageId))
	}
	explicit := sendFifo(t, s, url, "same", "g", "id-1")
	if api.Deref(explicit.MessageId) == api.Deref(one.MessageId) {
		t.Fatal("explicit dedup id treated as a duplicate of content")
	}
	if n := queueAttr(t, s, url, "ApproximateNumberOfMessages"); n != "2" {
		t.Fatalf("messages = %s, want 2", n)
	}
	c.Advance(5*time.Minute + time.Second)
	if later := sendFifo(t, s, url, "same", "g", ""); api.Deref(later.MessageId) == api.Deref(one.MessageId) {
		t.Fatal("deduplicated after the 5-minute window")
	}
}

func TestFifoValidation(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "v.fifo", map[string]string{"FifoQueue": "true"})
	_, err := s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("x"), MessageDeduplicationId: api.Ptr("d")})
	wantError(t, err, "MissingParameter", "The request must contain the parameter MessageGroupId.")
	_, err = s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("x"), MessageGroupId: api.Ptr("g")})
	wantError(t, err, "InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	_, err = s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("x"), MessageGroupId: api.Ptr("g"), MessageDeduplicationId: api.Ptr("d"), DelaySeconds: api.Ptr(int64(5))})
	wantError(t, err, "InvalidParameterValue", "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.")
}

func TestFifoDedupRecordsAreSwept(t *testing.T) {
	s, c := newTestService(t)
	url := createQueue(t, s, "sweep.fifo", map[string]string{"FifoQueue": "true"})
	for i := range sweepEvery - 1 {
		sendFifo(t, s, url, "m", "g", fmt.Sprint(i))
	}
	c.Advance(6 * time.Minute)
	sendFifo(t, s, url, "m", "g", "last") // the sweepEvery-th send sweeps
	n := 0
	err := s.st.View(func(tx store.Tx) error {
		return tx.Scan(store.NS("sqs", testAccount, testRegion).Prefix("dedup", "sweep.fifo"), nil, func(_, _ []byte) error {
			n++
			return nil
		})
	})
	if err != nil || n != 1 {
		t.Fatalf("dedup records after sweep = %d (%v), want 1", n, err)
	}
}
