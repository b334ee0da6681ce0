package sqs

import (
	"fmt"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

func entry(id, body string) sqsapi.SendMessageBatchRequestEntry {
	return sqsapi.SendMessageBatchRequestEntry{Id: api.Ptr(id), MessageBody: api.Ptr(body)}
}

func TestSendMessageBatch(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", nil)
	out := must(s.SendMessageBatch(bg, &sqsapi.SendMessageBatchRequest{QueueUrl: api.Ptr(url), Entries: []sqsapi.SendMessageBatchRequestEntry{
		entry("ok1", "one"),
		{Id: api.Ptr("bad"), MessageBody: api.Ptr("two"), DelaySeconds: api.Ptr(int64(1000))},
		entry("ok2", "three"),
	}}))(t)
	if len(out.Successful) != 2 || len(out.Failed) != 1 {
		t.Fatalf("result = %+v", out)
	}
	f := out.Failed[0]
	if api.Deref(f.Id) != "bad" || api.Deref(f.Code) != "InvalidParameterValue" || !api.Deref(f.SenderFault) || api.Deref(f.Message) == "" {
		t.Fatalf("failed entry = %+v", f)
	}
	if api.Deref(out.Successful[0].MD5OfMessageBody) != md5Hex([]byte("one")) {
		t.Fatal("batch MD5OfMessageBody")
	}
	got := receive(t, s, url, 10)
	if len(got) != 2 {
		t.Fatalf("received %v", bodies(got))
	}
	del := must(s.DeleteMessageBatch(bg, &sqsapi.DeleteMessageBatchRequest{QueueUrl: api.Ptr(url), Entries: []sqsapi.DeleteMessageBatchRequestEntry{
		{Id: api.Ptr("a"), ReceiptHandle: got[0].ReceiptHandle},
		{Id: api.Ptr("b"), ReceiptHandle: api.Ptr("not-a-handle")},
	}}))(t)
	if len(del.Successful) != 1 || len(del.Failed) != 1 || api.Deref(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("delete batch = %+v", del)
	}
	vis := must(s.ChangeMessageVisibilityBatch(bg, &sqsapi.ChangeMessageVisibilityBatchRequest{QueueUrl: api.Ptr(url), Entries: []sqsapi.ChangeMessageVisibilityBatchRequestEntry{
		{Id: api.Ptr("a"), ReceiptHandle: got[1].ReceiptHandle, VisibilityTimeout: api.Ptr(int64(0))},
		{Id: api.Ptr("b"), ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: api.Ptr(int64(0))},
	}}))(t)
	if len(vis.Successful) != 1 || len(vis.Failed) != 1 || api.Deref(vis.Failed[0].Code) != "AWS.SimpleQueueService.MessageNotInflight" {
		t.Fatalf("visibility batch = %+v", vis)
	}
	if again := receive(t, s, url, 10); len(again) != 1 {
		t.Fatalf("after visibility 0: %v", bodies(again))
	}
}

func TestBatchRequestErrors(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", nil)
	_, err := s.SendMessageBatch(bg, &sqsapi.SendMessageBatchRequest{QueueUrl: api.Ptr(url)})
	wantError(t, err, "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	var eleven []sqsapi.SendMessageBatchRequestEntry
	for i := range 11 {
		eleven = append(eleven, entry(fmt.Sprint(i), "x"))
	}
	_, err = s.SendMessageBatch(bg, &sqsapi.SendMessageBatchRequest{QueueUrl: api.Ptr(url), Entries: eleven})
	wantError(t, err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 11.")
	_, err = s.SendMessageBatch(bg, &sqsapi.SendMessageBatchRequest{QueueUrl: api.Ptr(url), Entries: []sqsapi.SendMessageBatchRequestEntry{entry("a", "x"), entry("a", "y")}})
	wantError(t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated.")
	huge := string(make([]byte, 600_000))
	_, err = s.SendMessageBatch(bg, &sqsapi.SendMessageBatchRequest{QueueUrl: api.Ptr(url), Entries: []sqsapi.SendMessageBatchRequestEntry{entry("a", huge), entry("b", huge)}})
	wantError(t, err, "AWS.SimpleQueueService.BatchRequestTooLong", "")
	_, err = s.DeleteMessageBatch(bg, &sqsapi.DeleteMessageBatchRequest{QueueUrl: api.Ptr(url), Entries: []sqsapi.DeleteMessageBatchRequestEntry{{Id: api.Ptr("bad id!"), ReceiptHandle: api.Ptr("x")}}})
	wantError(t, err, "AWS.SimpleQueueService.InvalidBatchEntryId", "")
}
