package e2e

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestSQSQueryOnQueueURL is the request of old query clients and of
// `curl -d 'Action=SendMessage&MessageBody=hi' <queue URL>`: unsigned, no
// Version, no QueueUrl field — the queue is the request path, as on AWS.
func TestSQSQueryOnQueueURL(t *testing.T) {
	k := startKiri(t, "")
	post := func(path, form string) (int, string) {
		t.Helper()
		resp, err := http.Post(k.Endpoint()+path, "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	ok := func(path, form string) string {
		t.Helper()
		status, body := post(path, form)
		if status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", path, form, status, body)
		}
		return body
	}
	created := ok("/", "Action=CreateQueue&QueueName=my-queue&Version=2012-11-05")
	if !strings.Contains(created, "<QueueUrl>"+k.Endpoint()+"/000000000000/my-queue</QueueUrl>") {
		t.Fatalf("CreateQueue: %s", created)
	}
	const queue = "/000000000000/my-queue"
	if sent := ok(queue, "Action=SendMessage&MessageBody=hi"); !strings.Contains(sent, "<SendMessageResponse") || !strings.Contains(sent, "<MessageId>") {
		t.Fatalf("SendMessage: %s", sent)
	}
	received := ok(queue, "Action=ReceiveMessage")
	handle := regexp.MustCompile(`<ReceiptHandle>([^<]+)</ReceiptHandle>`).FindStringSubmatch(received)
	if handle == nil || !strings.Contains(received, "<Body>hi</Body>") {
		t.Fatalf("ReceiveMessage: %s", received)
	}
	if attrs := ok(queue, "Action=GetQueueAttributes&AttributeName.1=ApproximateNumberOfMessagesNotVisible"); !strings.Contains(attrs,
		"<Attribute><Name>ApproximateNumberOfMessagesNotVisible</Name><Value>1</Value></Attribute>") {
		t.Fatalf("GetQueueAttributes: %s", attrs)
	}
	ok(queue, "Action=DeleteMessage&ReceiptHandle="+url.QueryEscape(handle[1]))
	if attrs := ok(queue, "Action=GetQueueAttributes&AttributeName.1=All"); !strings.Contains(attrs,
		"<Attribute><Name>ApproximateNumberOfMessagesNotVisible</Name><Value>0</Value></Attribute>") {
		t.Fatalf("GetQueueAttributes after delete: %s", attrs)
	}
	if status, body := post("/000000000000/no-such-queue", "Action=SendMessage&MessageBody=hi"); status != http.StatusBadRequest ||
		!strings.Contains(body, "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") {
		t.Fatalf("missing queue: %d %s", status, body)
	}
	if status, body := post("/", "Action=SendMessage&MessageBody=hi&Version=2012-11-05"); status != http.StatusBadRequest ||
		!strings.Contains(body, "<Code>MissingParameter</Code>") {
		t.Fatalf("no queue named: %d %s", status, body)
	}
}
