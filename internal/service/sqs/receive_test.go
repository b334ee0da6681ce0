package sqs

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

func TestVisibilityTimeoutAndRedelivery(t *testing.T) {
	s, c := newTestService(t)
	url := createQueue(t, s, "q", map[string]string{"VisibilityTimeout": "30"})
	send(t, s, url, "hello")
	first := receive(t, s, url, 10)
	if len(first) != 1 || first[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive = %+v", first)
	}
	if again := receive(t, s, url, 10); len(again) != 0 {
		t.Fatalf("in-flight message delivered again: %v", bodies(again))
	}
	c.Advance(30 * time.Second)
	second := receive(t, s, url, 10)
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" || api.Deref(second[0].MessageId) != api.Deref(first[0].MessageId) {
		t.Fatalf("redelivery = %+v", second)
	}
	if api.Deref(second[0].ReceiptHandle) == api.Deref(first[0].ReceiptHandle) {
		t.Fatal("receipt handle reused across receives")
	}
	if second[0].Attributes["ApproximateFirstReceiveTimestamp"] != first[0].Attributes["ApproximateFirstReceiveTimestamp"] {
		t.Fatal("ApproximateFirstReceiveTimestamp changed")
	}
	// The stale handle succeeds without deleting (AWS's documented rule).
	must(s.DeleteMessage(bg, &sqsapi.DeleteMessageRequest{QueueUrl: api.Ptr(url), ReceiptHandle: first[0].ReceiptHandle}))(t)
	if n := queueAttr(t, s, url, "ApproximateNumberOfMessagesNotVisible"); n != "1" {
		t.Fatalf("stale handle deleted the message (not visible = %s)", n)
	}
	must(s.DeleteMessage(bg, &sqsapi.DeleteMessageRequest{QueueUrl: api.Ptr(url), ReceiptHandle: second[0].ReceiptHandle}))(t)
	c.Advance(time.Hour)
	if got := receive(t, s, url, 10); len(got) != 0 {
		t.Fatalf("deleted message came back: %v", bodies(got))
	}
	_, err := s.DeleteMessage(bg, &sqsapi.DeleteMessageRequest{QueueUrl: api.Ptr(url), ReceiptHandle: api.Ptr("garbage")})
	wantError(t, err, "ReceiptHandleIsInvalid", `The input receipt handle "garbage" is not a valid receipt handle.`)
}

func TestReceiveVisibilityOverrideAndChange(t *testing.T) {
	s, c := newTestService(t)
	url := createQueue(t, s, "q", nil)
	send(t, s, url, "m")
	got := must(s.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: api.Ptr(url), VisibilityTimeout: api.Ptr(int64(5))}))(t).Messages
	c.Advance(5 * time.Second)
	got = receive(t, s, url, 1)
	if len(got) != 1 {
		t.Fatal("override visibility not applied")
	}
	must(s.ChangeMessageVisibility(bg, &sqsapi.ChangeMessageVisibilityRequest{QueueUrl: api.Ptr(url), ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: api.Ptr(int64(0))}))(t)
	again := receive(t, s, url, 1)
	if len(again) != 1 {
		t.Fatal("visibility 0 did not make the message visible")
	}
	_, err := s.ChangeMessageVisibility(bg, &sqsapi.ChangeMessageVisibilityRequest{QueueUrl: api.Ptr(url), ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: api.Ptr(int64(10))})
	wantError(t, err, "AWS.SimpleQueueService.MessageNotInflight", "")
	_, err = s.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: api.Ptr(url), MaxNumberOfMessages: api.Ptr(int64(11))})
	wantError(t, err, "InvalidParameterValue", "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
	_, err = s.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: api.Ptr(url), WaitTimeSeconds: api.Ptr(int64(21))})
	wantError(t, err, "InvalidParameterValue", "")
}

func TestDelaySeconds(t *testing.T) {
	s, c := newTestService(t)
	url := createQueue(t, s, "q", nil)
	must(s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("later"), DelaySeconds: api.Ptr(int64(10))}))(t)
	if got := receive(t, s, url, 1); len(got) != 0 {
		t.Fatal("delayed message delivered early")
	}
	c.Advance(10 * time.Second)
	if got := receive(t, s, url, 1); len(got) != 1 {
		t.Fatal("delayed message not delivered")
	}
	_, err := s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("x"), DelaySeconds: api.Ptr(int64(901))})
	wantError(t, err, "InvalidParameterValue", "")
}

func TestRetentionExpiry(t *testing.T) {
	s, c := newTestService(t)
	url := createQueue(t, s, "q", map[string]string{"MessageRetentionPeriod": "60"})
	send(t, s, url, "old")
	c.Advance(61 * time.Second)
	if got := receive(t, s, url, 10); len(got) != 0 {
		t.Fatalf("expired message delivered: %v", bodies(got))
	}
	if n := queueAttr(t, s, url, "ApproximateNumberOfMessages"); n != "0" {
		t.Fatalf("count after expiry = %s", n)
	}
}

func TestDeadLetterQueue(t *testing.T) {
	s, c := newTestService(t)
	dlq := createQueue(t, s, "dlq", nil)
	dlqArn := queueAttr(t, s, dlq, "QueueArn")
	policy := fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":"2"}`, dlqArn)
	src := createQueue(t, s, "src", map[string]string{"RedrivePolicy": policy, "VisibilityTimeout": "10"})
	sent := send(t, s, src, "poison")
	for i := 0; i < 2; i++ {
		if got := receive(t, s, src, 1); len(got) != 1 {
			t.Fatalf("receive %d: %v", i+1, bodies(got))
		}
		c.Advance(10 * time.Second)
	}
	if got := receive(t, s, src, 1); len(got) != 0 {
		t.Fatalf("third receive from source: %v", bodies(got))
	}
	moved := receive(t, s, dlq, 1)
	if len(moved) != 1 || api.Deref(moved[0].MessageId) != api.Deref(sent.MessageId) || api.Deref(moved[0].Body) != "poison" {
		t.Fatalf("dead-letter queue = %+v", moved)
	}
	if moved[0].Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:123456789012:src" {
		t.Errorf("DeadLetterQueueSourceArn = %q", moved[0].Attributes["DeadLetterQueueSourceArn"])
	}
	if moved[0].Attributes["SentTimestamp"] != "1795343400000" {
		t.Errorf("a standard dead-letter queue reset SentTimestamp to %s", moved[0].Attributes["SentTimestamp"])
	}
	sources := must(s.ListDeadLetterSourceQueues(bg, &sqsapi.ListDeadLetterSourceQueuesRequest{QueueUrl: api.Ptr(dlq)}))(t)
	if len(sources.QueueUrls) != 1 || sources.QueueUrls[0] != src {
		t.Fatalf("ListDeadLetterSourceQueues = %v", sources.QueueUrls)
	}
}

func TestAttributeSelection(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", nil)
	attrs := map[string]sqsapi.MessageAttributeValue{
		"foo.a": strAttr("String", "1"), "foo.b": strAttr("Number", "2"), "bar": strAttr("String", "3"),
		"bin": {DataType: api.Ptr("Binary"), BinaryValue: []byte{1, 2, 3}},
	}
	must(s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("m"), MessageAttributes: attrs}))(t)
	recv := func(sys, names []string) sqsapi.Message {
		t.Helper()
		out := must(s.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: api.Ptr(url), MessageSystemAttributeNames: sys, MessageAttributeNames: names, VisibilityTimeout: api.Ptr(int64(0))}))(t)
		if len(out.Messages) != 1 {
			t.Fatal("no message")
		}
		return out.Messages[0]
	}
	m := recv(nil, nil)
	if m.Attributes != nil || m.MessageAttributes != nil || m.MD5OfMessageAttributes != nil {
		t.Fatalf("unrequested attributes returned: %+v", m)
	}
	m = recv([]string{"SentTimestamp"}, []string{"foo.*"})
	if len(m.Attributes) != 1 || m.Attributes["SentTimestamp"] == "" || len(m.MessageAttributes) != 2 {
		t.Fatalf("selection: %+v", m)
	}
	if api.Deref(m.MD5OfMessageAttributes) != md5OfAttributes(m.MessageAttributes) {
		t.Fatal("MD5OfMessageAttributes is not over the returned attributes")
	}
	m = recv([]string{"ALL"}, []string{".*"})
	if len(m.MessageAttributes) != 4 || m.Attributes["SenderId"] != testAccount || m.Attributes["ApproximateReceiveCount"] != "3" {
		t.Fatalf("All: %+v", m)
	}
	m = recv(nil, []string{"bar"})
	if len(m.MessageAttributes) != 1 {
		t.Fatalf("exact name: %+v", m.MessageAttributes)
	}
}

// A long poll must return as soon as a message arrives; the test asserts
// that it returned with the message, not how long it took.
func TestLongPollWakesOnSend(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", nil)
	done := make(chan []sqsapi.Message, 1)
	go func() {
		out, err := s.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: api.Ptr(url), WaitTimeSeconds: api.Ptr(int64(20))})
		if err != nil {
			t.Error(err)
		}
		done <- out.Messages
	}()
	send(t, s, url, "wake up")
	got := <-done
	if len(got) != 1 || api.Deref(got[0].Body) != "wake up" {
		t.Fatalf("long poll returned %v", bodies(got))
	}
}

func TestLongPollEndsWithContext(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", nil)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	out := must(s.ReceiveMessage(ctx, &sqsapi.ReceiveMessageRequest{QueueUrl: api.Ptr(url), WaitTimeSeconds: api.Ptr(int64(20))}))(t)
	if len(out.Messages) != 0 {
		t.Fatal("messages from an empty queue")
	}
}

func TestSendValidation(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", map[string]string{"MaximumMessageSize": "1024"})
	_, err := s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr(string(make([]byte, 1025)))})
	wantError(t, err, "InvalidMessageContents", "")
	big := make([]byte, 1025)
	for i := range big {
		big[i] = 'a'
	}
	_, err = s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr(string(big))})
	wantError(t, err, "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.")
	for name, want := range map[string]string{
		"AWS.reserved": "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use. Additionally, they cannot start or end with '.'.",
		"bad name":     "Message (user) attributes name can only contain upper and lower score characters, digits, periods, hyphens and underscores. ",
	} {
		_, err = s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("x"), MessageAttributes: map[string]sqsapi.MessageAttributeValue{name: strAttr("String", "v")}})
		wantError(t, err, "InvalidParameterValue", want)
	}
	_, err = s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("x"), MessageAttributes: map[string]sqsapi.MessageAttributeValue{"n": strAttr("Number", "abc")}})
	wantError(t, err, "InvalidParameterValue", "")
	_, err = s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("")})
	wantError(t, err, "MissingParameter", "")
	_, err = s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(testEndpoint + "/" + testAccount + "/nope"), MessageBody: api.Ptr("x")})
	wantError(t, err, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

func TestRestartDurability(t *testing.T) {
	st := newTestStore(t)
	c := &clock{t: time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)}
	s1 := New(Config{Store: st, Endpoint: testEndpoint, Now: c.Now})
	url := createQueue(t, s1, "q", nil)
	send(t, s1, url, "kept")
	send(t, s1, url, "in flight")
	receiveOne := receive(t, s1, url, 1)
	s1.Close()

	s2 := New(Config{Store: st, Endpoint: testEndpoint, Now: c.Now})
	defer s2.Close()
	got := receive(t, s2, url, 10)
	if len(got) != 1 || api.Deref(got[0].Body) == api.Deref(receiveOne[0].Body) {
		t.Fatalf("after restart got %v (in flight was %s)", bodies(got), api.Deref(receiveOne[0].Body))
	}
	c.Advance(30 * time.Second)
	got = receive(t, s2, url, 10)
	if len(got) != 2 {
		t.Fatalf("after visibility expiry got %v", bodies(got))
	}
}

func TestSendToArn(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "target", nil)
	id, err := s.SendToArn(context.Background(), "arn:aws:sqs:us-east-1:123456789012:target", "from sns",
		map[string]sqsapi.MessageAttributeValue{"k": strAttr("String", "v")}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	got := receive(t, s, url, 1)
	if len(got) != 1 || api.Deref(got[0].MessageId) != id || got[0].MessageAttributes["k"].StringValue == nil {
		t.Fatalf("received %+v", got)
	}
	_, err = s.SendToArn(context.Background(), "arn:aws:sqs:us-east-1:123456789012:missing", "x", nil, "", "")
	wantError(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")
}

func TestCloseEndsLongPoll(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", nil)
	done := make(chan error, 1)
	go func() {
		_, err := s.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: api.Ptr(url), WaitTimeSeconds: api.Ptr(int64(20))})
		done <- err
	}()
	s.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Making an in-flight message visible again wakes a waiting long poll.
func TestLongPollWakesOnVisibilityChange(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", nil)
	send(t, s, url, "m")
	got := receive(t, s, url, 1)
	done := make(chan []sqsapi.Message, 1)
	go func() {
		out, err := s.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: api.Ptr(url), WaitTimeSeconds: api.Ptr(int64(20))})
		if err != nil {
			t.Error(err)
		}
		done <- out.Messages
	}()
	must(s.ChangeMessageVisibility(bg, &sqsapi.ChangeMessageVisibilityRequest{QueueUrl: api.Ptr(url), ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: api.Ptr(int64(0))}))(t)
	if again := <-done; len(again) != 1 {
		t.Fatalf("long poll returned %v", bodies(again))
	}
}

// In a FIFO dead-letter queue a message is enqueued anew and its
// deduplication ID becomes its message ID (AWS's developer guide).
func TestFIFODeadLetterQueue(t *testing.T) {
	s, c := newTestService(t)
	dlq := createQueue(t, s, "dlq.fifo", map[string]string{"FifoQueue": "true"})
	policy := fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}`, queueAttr(t, s, dlq, "QueueArn"))
	src := createQueue(t, s, "src.fifo", map[string]string{"FifoQueue": "true", "RedrivePolicy": policy, "VisibilityTimeout": "10"})
	sent := sendFifo(t, s, src, "poison", "g", "shared-id")
	receive(t, s, src, 1)
	c.Advance(10 * time.Second)
	if got := receive(t, s, src, 1); len(got) != 0 {
		t.Fatalf("second receive from source: %v", bodies(got))
	}
	moved := receive(t, s, dlq, 1)
	if len(moved) != 1 {
		t.Fatalf("dead-letter queue = %+v", moved)
	}
	a := moved[0].Attributes
	if a["MessageDeduplicationId"] != api.Deref(sent.MessageId) || a["SentTimestamp"] != "1795343410000" || a["MessageGroupId"] != "g" {
		t.Errorf("dead-lettered FIFO message attributes = %v", a)
	}
}
