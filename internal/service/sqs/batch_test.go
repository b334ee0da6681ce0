package sqs

import (
	"fmt"
	"testing"

	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

func entry(id, body string) sqsapi.SendMessageBatchRequestEntry {
	return sqsapi.SendMessageBatchRequestEntry{Id: ptr(id), MessageBody: ptr(body)}
}

func TestSendMessageBatch(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", nil)
	out := must(s.SendMessageBatch(bg, &sqsapi.SendMessageBatchRequest{QueueUrl: ptr(url), Entries: []sqsapi.SendMessageBatchRequestEntry{
		entry("ok1", "one"),
		{Id: ptr("bad"), MessageBody: ptr("two"), DelaySeconds: ptr(int64(1000))},
		entry("ok2", "three"),
	}}))(t)
	if len(out.Successful) != 2 || len(out.Failed) != 1 {
		t.Fatalf("result = %+v", out)
	}
	f := out.Failed[0]
	if deref(f.Id) != "bad" || deref(f.Code) != "InvalidParameterValue" || !deref(f.SenderFault) || deref(f.Message) == "" {
		t.Fatalf("failed entry = %+v", f)
	}
	if deref(out.Successful[0].MD5OfMessageBody) != md5Hex([]byte("one")) {
		t.Fatal("batch MD5OfMessageBody")
	}
	got := receive(t, s, url, 10)
	if len(got) != 2 {
		t.Fatalf("received %v", bodies(got))
	}
	del := must(s.DeleteMessageBatch(bg, &sqsapi.DeleteMessageBatchRequest{QueueUrl: ptr(url), Entries: []sqsapi.DeleteMessageBatchRequestEntry{
		{Id: ptr("a"), ReceiptHandle: got[0].ReceiptHandle},
		{Id: ptr("b"), ReceiptHandle: ptr("not-a-handle")},
	}}))(t)
	if len(del.Successful) != 1 || len(del.Failed) != 1 || deref(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("delete batch = %+v", del)
	}
	vis := must(s.ChangeMessageVisibilityBatch(bg, &sqsapi.ChangeMessageVisibilityBatchRequest{QueueUrl: ptr(url), Entries: []sqsapi.ChangeMessageVisibilityBatchRequestEntry{
		{Id: ptr("a"), ReceiptHandle: got[1].ReceiptHandle, VisibilityTimeout: ptr(int64(0))},
		{Id: ptr("b"), ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: ptr(int64(0))},
	}}))(t)
	if len(vis.Successful) != 1 || len(vis.Failed) != 1 || deref(vis.Failed[0].Code) != "AWS.SimpleQueueService.MessageNotInflight" {
		t.Fatalf("visibility batch = %+v", vis)
	}
	if again := receive(t, s, url, 10); len(again) != 1 {
		t.Fatalf("after visibility 0: %v", bodies(again))
	}
}

func TestBatchRequestErrors(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", nil)
	_, err := s.SendMessageBatch(bg, &sqsapi.SendMessageBatchRequest{QueueUrl: ptr(url)})
	wantError(t, err, "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	var eleven []sqsapi.SendMessageBatchRequestEntry
	for i := range 11 {
		eleven = append(eleven, entry(fmt.Sprint(i), "x"))
	}
	_, err = s.SendMessageBatch(bg, &sqsapi.SendMessageBatchRequest{QueueUrl: ptr(url), Entries: eleven})
	wantError(t, err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 11.")
	_, err = s.SendMessageBatch(bg, &sqsapi.SendMessageBatchRequest{QueueUrl: ptr(url), Entries: []sqsapi.SendMessageBatchRequestEntry{entry("a", "x"), entry("a", "y")}})
	wantError(t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated.")
	huge := string(make([]byte, 600_000))
	_, err = s.SendMessageBatch(bg, &sqsapi.SendMessageBatchRequest{QueueUrl: ptr(url), Entries: []sqsapi.SendMessageBatchRequestEntry{entry("a", huge), entry("b", huge)}})
	wantError(t, err, "AWS.SimpleQueueService.BatchRequestTooLong", "")
	_, err = s.DeleteMessageBatch(bg, &sqsapi.DeleteMessageBatchRequest{QueueUrl: ptr(url), Entries: []sqsapi.DeleteMessageBatchRequestEntry{{Id: ptr("bad id!"), ReceiptHandle: ptr("x")}}})
	wantError(t, err, "AWS.SimpleQueueService.InvalidBatchEntryId", "")
}
