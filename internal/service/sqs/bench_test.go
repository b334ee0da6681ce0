package sqs

import (
	"testing"

	"github.com/kiricloud/kiri/internal/api"
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
		must(s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("hello"), MessageAttributes: attrs}))(b)
		got := must(s.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: api.Ptr(url), MessageAttributeNames: []string{"All"}}))(b).Messages
		if len(got) != 1 {
			b.Fatal("no message")
		}
		must(s.DeleteMessage(bg, &sqsapi.DeleteMessageRequest{QueueUrl: api.Ptr(url), ReceiptHandle: got[0].ReceiptHandle}))(b)
	}
}
