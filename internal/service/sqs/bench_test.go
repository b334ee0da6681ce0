package sqs

import (
	"testing"

	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

// BenchmarkSendReceiveDelete is one message's round trip at the service
// level on the in-memory store.
func BenchmarkSendReceiveDelete(b *testing.B) {
	s, _ := newTestService(b)
	url := createQueue(b, s, "bench", nil)
	attrs := map[string]sqsapi.MessageAttributeValue{"k": strAttr("String", "v")}
	b.ReportAllocs()
	for b.Loop() {
		must(s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: ptr(url), MessageBody: ptr("hello"), MessageAttributes: attrs}))(b)
		got := must(s.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: ptr(url), MessageAttributeNames: []string{"All"}}))(b).Messages
		if len(got) != 1 {
			b.Fatal("no message")
		}
		must(s.DeleteMessage(bg, &sqsapi.DeleteMessageRequest{QueueUrl: ptr(url), ReceiptHandle: got[0].ReceiptHandle}))(b)
	}
}
