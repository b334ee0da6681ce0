package sqs

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/request"
)

// rawQuery sends a query-protocol request as a minimal client does (curl
// -d, boto 2, aws-sdk-java v1): an unsigned form with no Version, posted to
// the queue URL itself.
func rawQuery(t *testing.T, method, target string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if method == http.MethodGet {
		target += "?" + form.Encode()
	} else {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// TestQueryActionsOnQueuePath posts queue-scoped actions to the queue URL
// without a QueueUrl field, which AWS accepts: the path names the queue.
func TestQueryActionsOnQueuePath(t *testing.T) {
	srv := newServer(t)
	ok := func(method, path string, form url.Values) string {
		t.Helper()
		status, body := rawQuery(t, method, srv.URL+path, form)
		if status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", form.Get("Action"), path, status, body)
		}
		return body
	}
	ok(http.MethodPost, "/", url.Values{"Action": {"CreateQueue"}, "QueueName": {"q"}, "Version": {"2012-11-05"}})
	ok(http.MethodPost, "/", url.Values{"Action": {"CreateQueue"}, "QueueName": {"other"}, "Version": {"2012-11-05"}})
	queueURL := srv.URL + "/000000000000/q"
	const path = "/000000000000/q"

	var sent struct {
		MessageID string `xml:"SendMessageResult>MessageId"`
		MD5       string `xml:"SendMessageResult>MD5OfMessageBody"`
	}
	sentXML := ok(http.MethodPost, path, url.Values{"Action": {"SendMessage"}, "MessageBody": {"hi"}})
	if err := xml.Unmarshal([]byte(sentXML), &sent); err != nil || sent.MessageID == "" || sent.MD5 != md5Hex([]byte("hi")) {
		t.Fatalf("SendMessage: %v %s", err, sentXML)
	}

	var got struct {
		Messages []struct {
			MessageID     string `xml:"MessageId"`
			ReceiptHandle string `xml:"ReceiptHandle"`
			Body          string `xml:"Body"`
		} `xml:"ReceiveMessageResult>Message"`
	}
	recvXML := ok(http.MethodPost, path, url.Values{"Action": {"ReceiveMessage"}, "MaxNumberOfMessages": {"10"}})
	if err := xml.Unmarshal([]byte(recvXML), &got); err != nil || len(got.Messages) != 1 ||
		got.Messages[0].Body != "hi" || got.Messages[0].MessageID != sent.MessageID || got.Messages[0].ReceiptHandle == "" {
		t.Fatalf("ReceiveMessage: %v %s", err, recvXML)
	}

	attrs := func() map[string]string {
		t.Helper()
		var doc struct {
			Attributes []struct {
				Name  string `xml:"Name"`
				Value string `xml:"Value"`
			} `xml:"GetQueueAttributesResult>Attribute"`
		}
		body := ok(http.MethodPost, path, url.Values{"Action": {"GetQueueAttributes"}, "AttributeName.1": {"All"}})
		if err := xml.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("GetQueueAttributes: %v %s", err, body)
		}
		m := map[string]string{}
		for _, a := range doc.Attributes {
			m[a.Name] = a.Value
		}
		return m
	}
	if a := attrs(); a["ApproximateNumberOfMessagesNotVisible"] != "1" || a["QueueArn"] != "arn:aws:sqs:us-east-1:000000000000:q" {
		t.Fatalf("attributes before delete: %v", a)
	}
	delXML := ok(http.MethodPost, path, url.Values{"Action": {"DeleteMessage"}, "ReceiptHandle": {got.Messages[0].ReceiptHandle}})
	if !strings.Contains(delXML, "<DeleteMessageResponse") {
		t.Fatalf("DeleteMessage: %s", delXML)
	}
	if a := attrs(); a["ApproximateNumberOfMessagesNotVisible"] != "0" || a["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("attributes after delete: %v", a)
	}

	// The other queue-scoped actions, batches and tags included; GET with
	// the fields in the query string works as a POST does.
	ok(http.MethodGet, path, url.Values{"Action": {"SendMessage"}, "MessageBody": {"by GET"}})
	ok(http.MethodPost, path, url.Values{"Action": {"SendMessageBatch"},
		"SendMessageBatchRequestEntry.1.Id": {"a"}, "SendMessageBatchRequestEntry.1.MessageBody": {"one"},
		"SendMessageBatchRequestEntry.2.Id": {"b"}, "SendMessageBatchRequestEntry.2.MessageBody": {"two"}})
	ok(http.MethodPost, path, url.Values{"Action": {"SetQueueAttributes"}, "Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"45"}})
	if a := attrs(); a["VisibilityTimeout"] != "45" || a["ApproximateNumberOfMessages"] != "3" {
		t.Fatalf("attributes after SetQueueAttributes and sends: %v", a)
	}
	ok(http.MethodPost, path, url.Values{"Action": {"TagQueue"}, "Tag.1.Key": {"team"}, "Tag.1.Value": {"iot"}})
	if tags := ok(http.MethodPost, path, url.Values{"Action": {"ListQueueTags"}}); !strings.Contains(tags, "<Key>team</Key><Value>iot</Value>") {
		t.Fatalf("ListQueueTags: %s", tags)
	}
	ok(http.MethodPost, path, url.Values{"Action": {"PurgeQueue"}})
	if a := attrs(); a["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("attributes after PurgeQueue: %v", a)
	}

	// A QueueUrl field wins over the path.
	ok(http.MethodPost, "/000000000000/other", url.Values{"Action": {"SendMessage"}, "QueueUrl": {queueURL}, "MessageBody": {"field wins"}})
	if a := attrs(); a["ApproximateNumberOfMessages"] != "1" {
		t.Fatalf("QueueUrl field should win over the path: %v", a)
	}

	// The rest of the queue-scoped actions, each on the path alone.
	got.Messages = nil
	recvXML = ok(http.MethodPost, path, url.Values{"Action": {"ReceiveMessage"}})
	if err := xml.Unmarshal([]byte(recvXML), &got); err != nil || len(got.Messages) != 1 || got.Messages[0].Body != "field wins" {
		t.Fatalf("ReceiveMessage: %v %s", err, recvXML)
	}
	handle := got.Messages[0].ReceiptHandle
	for _, form := range []url.Values{
		{"Action": {"ChangeMessageVisibility"}, "ReceiptHandle": {handle}, "VisibilityTimeout": {"10"}},
		{"Action": {"ChangeMessageVisibilityBatch"}, "ChangeMessageVisibilityBatchRequestEntry.1.Id": {"a"},
			"ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle": {handle}, "ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout": {"20"}},
		{"Action": {"DeleteMessageBatch"}, "DeleteMessageBatchRequestEntry.1.Id": {"a"}, "DeleteMessageBatchRequestEntry.1.ReceiptHandle": {handle}},
		{"Action": {"UntagQueue"}, "TagKey.1": {"team"}},
		{"Action": {"ListDeadLetterSourceQueues"}},
		{"Action": {"AddPermission"}, "Label": {"l"}, "AWSAccountId.1": {"111122223333"}, "ActionName.1": {"SendMessage"}},
		{"Action": {"RemovePermission"}, "Label": {"l"}},
	} {
		body := ok(http.MethodPost, path, form)
		if strings.Contains(body, "<Failed>") {
			t.Fatalf("%s: %s", form.Get("Action"), body)
		}
	}
	if a := attrs(); a["ApproximateNumberOfMessages"] != "0" || a["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("attributes after DeleteMessageBatch: %v", a)
	}

	// A path naming no queue is AWS's NonExistentQueue.
	status, body := rawQuery(t, http.MethodPost, srv.URL+"/000000000000/nope", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") {
		t.Fatalf("missing queue: %d %s", status, body)
	}
	// Posted to "/", a queue action without QueueUrl names no queue.
	status, body = rawQuery(t, http.MethodPost, srv.URL+"/", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}, "Version": {"2012-11-05"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "<Code>MissingParameter</Code>") ||
		!strings.Contains(body, "The request must contain the parameter QueueUrl.") {
		t.Fatalf("no QueueUrl on /: %d %s", status, body)
	}
	// The JSON protocol still requires QueueUrl, whatever the path.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(`{"MessageBody":"x"}`))
	req.Header.Set("X-Amz-Target", "AmazonSQS.SendMessage")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	jsonBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(jsonBody), `"The request must contain the parameter QueueUrl."`) ||
		resp.Header.Get("X-Amzn-Query-Error") != "MissingParameter;Sender" {
		t.Fatalf("JSON without QueueUrl: %d %v %s", resp.StatusCode, resp.Header, jsonBody)
	}
	// A missing required parameter is MissingParameter in either protocol,
	// as SQS answers it.
	status, body = rawQuery(t, http.MethodPost, srv.URL+path, url.Values{"Action": {"SendMessage"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "<Code>MissingParameter</Code><Message>The request must contain the parameter MessageBody.</Message>") {
		t.Fatalf("no MessageBody: %d %s", status, body)
	}

	ok(http.MethodPost, path, url.Values{"Action": {"DeleteQueue"}})
	status, body = rawQuery(t, http.MethodPost, srv.URL+path, url.Values{"Action": {"GetQueueAttributes"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "AWS.SimpleQueueService.NonExistentQueue") {
		t.Fatalf("after DeleteQueue: %d %s", status, body)
	}
}

// Only an SQS request's own path names a queue: another service's
// in-process call carries its request's info, whose path is no queue.
func TestPathNamesQueueOnlyForSQSRequests(t *testing.T) {
	s, _ := newTestService(t)
	createQueue(t, s, "q", nil)
	info := request.Info{Account: testAccount, Region: testRegion, Service: "sqs", Path: "/" + testAccount + "/q"}
	ctx := request.With(context.Background(), &info)
	if _, err := s.GetQueueAttributes(ctx, &sqsapi.GetQueueAttributesRequest{AttributeNames: []string{"All"}}); err != nil {
		t.Fatalf("SQS request on the queue path: %v", err)
	}
	other := info
	other.Service = "s3"
	_, err := s.GetQueueAttributes(request.With(context.Background(), &other), &sqsapi.GetQueueAttributesRequest{})
	wantError(t, err, "MissingParameter", "The request must contain the parameter QueueUrl.")
	root := info
	root.Path = "/"
	_, err = s.GetQueueAttributes(request.With(context.Background(), &root), &sqsapi.GetQueueAttributesRequest{})
	wantError(t, err, "MissingParameter", "The request must contain the parameter QueueUrl.")
}
