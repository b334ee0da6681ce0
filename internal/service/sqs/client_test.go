package sqs

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/gateway"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/awsjson"
	"github.com/kiricloud/kiri/internal/protocol/query"
	"github.com/kiricloud/kiri/internal/protocol/restjson"
	"github.com/kiricloud/kiri/internal/protocol/restxml"
	"github.com/kiricloud/kiri/internal/request"
)

// newServer runs SQS behind kiri's real gateway; queue URLs point at the
// test server, so SDKs that post to the queue URL reach it.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil) // listening already: its address makes the endpoint
	svc := New(Config{Store: newTestStore(t), Endpoint: "http://" + srv.Listener.Addr().String()})
	t.Cleanup(svc.Close)
	srv.Config.Handler = gateway.New(gateway.Config{
		DefaultAccount: request.DefaultAccount,
		DefaultRegion:  request.DefaultRegion,
		Codecs: map[string]protocol.Codec{ // as internal/app/codecs.go
			"json":      awsjson.Codec{},
			"rest-json": restjson.Codec{},
			"rest-xml":  restxml.Codec{},
			"query":     query.Codec{},
			"ec2":       query.Codec{EC2: true},
		},
		Services: []*gateway.Service{{
			Name: "sqs", SigningName: "sqs", TargetPrefix: sqsapi.TargetPrefix, Protocol: "json",
			APIVersion: sqsapi.APIVersion, EndpointPrefix: "sqs", Model: sqsapi.Model, QueryModel: sqsapi.QueryModel,
			Handlers: sqsapi.Handlers(svc),
		}},
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// TestSDKClient drives the queue with aws-sdk-go-v2, which verifies
// MD5OfMessageBody on every send and receive.
func TestSDKClient(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := awssqs.New(awssqs.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	q, err := c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("mailsendqueue000")})
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.URL + "/000000000000/mailsendqueue000"; aws.ToString(q.QueueUrl) != want {
		t.Fatalf("QueueUrl = %s, want %s", aws.ToString(q.QueueUrl), want)
	}
	attrs := map[string]sqstypes.MessageAttributeValue{
		"username": {DataType: aws.String("String"), StringValue: aws.String("taro")},
		"size":     {DataType: aws.String("Number"), StringValue: aws.String("42")},
		"blob":     {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
	}
	sent, err := c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("mail body ✉"), MessageAttributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := c.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("b1"), MessageBody: aws.String("batch one")},
		{Id: aws.String("b2"), MessageBody: aws.String("batch two"), MessageAttributes: attrs},
	}})
	if err != nil || len(batch.Successful) != 2 {
		t.Fatalf("batch: %v %+v", err, batch)
	}
	got, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{
		QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 3 {
		t.Fatalf("received %d messages", len(got.Messages))
	}
	m := got.Messages[0]
	if aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) || aws.ToString(m.Body) != "mail body ✉" ||
		aws.ToString(m.MessageAttributes["username"].StringValue) != "taro" || string(m.MessageAttributes["blob"].BinaryValue) != "\x00\x01\x02" ||
		aws.ToString(m.MD5OfMessageAttributes) != aws.ToString(sent.MD5OfMessageAttributes) || m.Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("message = %+v", m)
	}
	if _, err := c.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	qa, err := c.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil || qa.Attributes["ApproximateNumberOfMessagesNotVisible"] != "2" {
		t.Fatalf("attributes: %v %v", err, qa)
	}
	// A long poll over HTTP returns with a message sent while it waits.
	polled := make(chan *awssqs.ReceiveMessageOutput, 1)
	go func() {
		out, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		polled <- out
	}()
	if _, err := c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("late")}); err != nil {
		t.Fatal(err)
	}
	if out := <-polled; out == nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "late" {
		t.Fatalf("long poll: %+v", out)
	}
	_, err = c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 11})
	var apiErr smithy.APIError
	if !errorsAs(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameterValue" {
		t.Fatalf("MaxNumberOfMessages 11: %v", err)
	}
	_, err = c.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	var missing *sqstypes.QueueDoesNotExist
	if !errorsAs(err, &missing) {
		t.Fatalf("GetQueueUrl(nope) = %v, want QueueDoesNotExist", err)
	}
}

// TestQueryProtocol speaks the legacy query protocol (old SDKs, the book's
// era boto3) to the queue URL and checks the XML shapes.
func TestQueryProtocol(t *testing.T) {
	srv := newServer(t)
	postStatus := func(path string, form url.Values) (int, string) {
		t.Helper()
		form.Set("Version", "2012-11-05")
		resp, err := http.Post(srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	post := func(path string, form url.Values) string {
		t.Helper()
		status, body := postStatus(path, form)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", form.Get("Action"), status, body)
		}
		return body
	}
	status, body := postStatus("/", url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"nope"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") ||
		!strings.Contains(body, "<Message>The specified queue does not exist.</Message>") {
		t.Fatalf("GetQueueUrl(nope): %d %s", status, body)
	}
	created := post("/", url.Values{"Action": {"CreateQueue"}, "QueueName": {"q"}})
	queueURL := srv.URL + "/000000000000/q"
	if !strings.Contains(created, "<QueueUrl>"+queueURL+"</QueueUrl>") {
		t.Fatalf("CreateQueue: %s", created)
	}
	sentXML := post("/000000000000/q", url.Values{
		"Action": {"SendMessage"}, "QueueUrl": {queueURL}, "MessageBody": {"hello query"},
		"MessageAttribute.1.Name": {"SellerName"}, "MessageAttribute.1.Value.DataType": {"String"},
		"MessageAttribute.1.Value.StringValue": {"Example Store"},
	})
	if !strings.Contains(sentXML, "<MD5OfMessageAttributes>cd28f3b68aeee4b2eac9c66f2f694b58</MD5OfMessageAttributes>") {
		t.Fatalf("SendMessage: %s", sentXML)
	}
	recvXML := post("/000000000000/q", url.Values{
		"Action": {"ReceiveMessage"}, "QueueUrl": {queueURL}, "AttributeName.1": {"All"}, "MessageAttributeName.1": {"All"},
	})
	var doc struct {
		Messages []struct {
			Body       string `xml:"Body"`
			MD5OfBody  string `xml:"MD5OfBody"`
			Attributes []struct {
				Name  string `xml:"Name"`
				Value string `xml:"Value"`
			} `xml:"Attribute"`
			MessageAttributes []struct {
				Name  string `xml:"Name"`
				Value struct {
					DataType    string `xml:"DataType"`
					StringValue string `xml:"StringValue"`
				} `xml:"Value"`
			} `xml:"MessageAttribute"`
		} `xml:"ReceiveMessageResult>Message"`
	}
	if err := xml.Unmarshal([]byte(recvXML), &doc); err != nil {
		t.Fatalf("%v: %s", err, recvXML)
	}
	if len(doc.Messages) != 1 {
		t.Fatalf("ReceiveMessage: %s", recvXML)
	}
	m := doc.Messages[0]
	if m.Body != "hello query" || m.MD5OfBody != md5Hex([]byte("hello query")) || len(m.Attributes) < 4 ||
		len(m.MessageAttributes) != 1 || m.MessageAttributes[0].Name != "SellerName" || m.MessageAttributes[0].Value.StringValue != "Example Store" {
		t.Fatalf("ReceiveMessage: %s", recvXML)
	}
}

const botoScript = `
import json, sys, boto3
url = sys.argv[1]
sqs = boto3.resource("sqs", endpoint_url=url, region_name="us-east-1",
                     aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
sqs.create_queue(QueueName="mailsendqueue000")
q = sqs.get_queue_by_name(QueueName="mailsendqueue000")
r = q.send_message(MessageBody="to@example.com", MessageAttributes={
    "username": {"DataType": "String", "StringValue": "taro"}})
before = q.attributes["ApproximateNumberOfMessages"]
msgs = q.receive_messages(MessageAttributeNames=["All"], MaxNumberOfMessages=10)
plain = sqs.meta.client.send_message(QueueUrl=q.url, MessageBody="plain")
out = {"md5attrs": r["MD5OfMessageAttributes"], "before": before, "count": len(msgs),
       "username": msgs[0].message_attributes["username"]["StringValue"], "body": msgs[0].body}
msgs[0].delete()
m2 = q.receive_messages()
out["plain_attrs_none"] = m2[0].message_attributes is None
print(json.dumps(out))
`

// TestBoto3 runs the seed's boto3 calls. Without python3 or boto3 it is
// skipped, unless KIRI_E2E_REQUIRE is set.
func TestBoto3(t *testing.T) {
	missing := t.Skip
	if os.Getenv("KIRI_E2E_REQUIRE") != "" {
		missing = t.Fatal
	}
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		missing("python3 with boto3 not available")
	}
	srv := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-c", botoScript, srv.URL)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, stderr.String())
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("boto3 output %q: %v", raw, err)
	}
	want := map[string]any{"before": "1", "count": 1.0, "username": "taro", "body": "to@example.com", "plain_attrs_none": true,
		"md5attrs": md5OfAttributes(map[string]sqsapi.MessageAttributeValue{"username": strAttr("String", "taro")})}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %v, want %v", k, out[k], v)
		}
	}
}
