package sqs

import (
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

func TestCreateQueueURLAndIdempotence(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "mailsendqueue000", map[string]string{"VisibilityTimeout": "60"})
	if url != testEndpoint+"/"+testAccount+"/mailsendqueue000" {
		t.Fatalf("url = %s", url)
	}
	if again := createQueue(t, s, "mailsendqueue000", map[string]string{"VisibilityTimeout": "60"}); again != url {
		t.Fatalf("second create = %s", again)
	}
	_, err := s.CreateQueue(bg, &sqsapi.CreateQueueRequest{QueueName: api.Ptr("mailsendqueue000"), Attributes: map[string]string{"VisibilityTimeout": "61"}})
	wantError(t, err, "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute VisibilityTimeout")
	got := must(s.GetQueueUrl(bg, &sqsapi.GetQueueUrlRequest{QueueName: api.Ptr("mailsendqueue000")}))(t)
	if api.Deref(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %s", api.Deref(got.QueueUrl))
	}
	_, err = s.GetQueueUrl(bg, &sqsapi.GetQueueUrlRequest{QueueName: api.Ptr("nope")})
	wantError(t, err, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

func TestCreateQueueValidation(t *testing.T) {
	s, _ := newTestService(t)
	for _, c := range []struct {
		name  string
		attrs map[string]string
		code  string
	}{
		{"bad name!", nil, "InvalidParameterValue"},
		{strings.Repeat("a", 81), nil, "InvalidParameterValue"},
		{"plain", map[string]string{"FifoQueue": "true"}, "InvalidParameterValue"},
		{"x.fifo", nil, "InvalidParameterValue"},
		{"q", map[string]string{"VisibilityTimeout": "43201"}, "InvalidAttributeValue"},
		{"q", map[string]string{"DelaySeconds": "901"}, "InvalidAttributeValue"},
		{"q", map[string]string{"Bogus": "1"}, "InvalidAttributeName"},
		{"q", map[string]string{"ContentBasedDeduplication": "true"}, "InvalidAttributeName"},
		{"q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:missing","maxReceiveCount":3}`}, "InvalidParameterValue"},
	} {
		_, err := s.CreateQueue(bg, &sqsapi.CreateQueueRequest{QueueName: api.Ptr(c.name), Attributes: c.attrs})
		wantError(t, err, c.code, "")
	}
	createQueue(t, s, "ok.fifo", map[string]string{"FifoQueue": "true"})
	std := createQueue(t, s, "std", map[string]string{"FifoQueue": "false"})
	if _, ok := must(s.GetQueueAttributes(bg, &sqsapi.GetQueueAttributesRequest{QueueUrl: api.Ptr(std), AttributeNames: []string{"All"}}))(t).Attributes["FifoQueue"]; ok {
		t.Error("standard queue shows FifoQueue")
	}
}

func TestListAndDeleteQueues(t *testing.T) {
	s, _ := newTestService(t)
	for _, n := range []string{"a1", "a2", "a3", "b1"} {
		createQueue(t, s, n, nil)
	}
	page := must(s.ListQueues(bg, &sqsapi.ListQueuesRequest{QueueNamePrefix: api.Ptr("a"), MaxResults: api.Ptr(int64(2))}))(t)
	if len(page.QueueUrls) != 2 || page.NextToken == nil {
		t.Fatalf("page 1 = %+v", page)
	}
	page2 := must(s.ListQueues(bg, &sqsapi.ListQueuesRequest{QueueNamePrefix: api.Ptr("a"), MaxResults: api.Ptr(int64(2)), NextToken: page.NextToken}))(t)
	if len(page2.QueueUrls) != 1 || !strings.HasSuffix(page2.QueueUrls[0], "/a3") || page2.NextToken != nil {
		t.Fatalf("page 2 = %+v", page2)
	}
	url := testEndpoint + "/" + testAccount + "/b1"
	must(s.DeleteQueue(bg, &sqsapi.DeleteQueueRequest{QueueUrl: api.Ptr(url)}))(t)
	_, err := s.GetQueueAttributes(bg, &sqsapi.GetQueueAttributesRequest{QueueUrl: api.Ptr(url)})
	wantError(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")
	all := must(s.ListQueues(bg, &sqsapi.ListQueuesRequest{}))(t)
	if len(all.QueueUrls) != 3 {
		t.Fatalf("after delete = %v", all.QueueUrls)
	}
}

func TestQueueAttributes(t *testing.T) {
	s, c := newTestService(t)
	url := createQueue(t, s, "q", nil)
	attrs := must(s.GetQueueAttributes(bg, &sqsapi.GetQueueAttributesRequest{QueueUrl: api.Ptr(url), AttributeNames: []string{"All"}}))(t).Attributes
	want := map[string]string{
		"VisibilityTimeout": "30", "MessageRetentionPeriod": "345600", "MaximumMessageSize": "1048576", "DelaySeconds": "0",
		"ReceiveMessageWaitTimeSeconds": "0", "QueueArn": "arn:aws:sqs:us-east-1:123456789012:q",
		"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0", "ApproximateNumberOfMessagesDelayed": "0",
		"CreatedTimestamp": "1795343400", "SqsManagedSseEnabled": "true",
	}
	for k, v := range want {
		if attrs[k] != v {
			t.Errorf("%s = %q, want %q", k, attrs[k], v)
		}
	}
	_, err := s.GetQueueAttributes(bg, &sqsapi.GetQueueAttributesRequest{QueueUrl: api.Ptr(url), AttributeNames: []string{"Nope"}})
	wantError(t, err, "InvalidAttributeName", "Unknown Attribute Nope.")

	c.Advance(time.Minute)
	must(s.SetQueueAttributes(bg, &sqsapi.SetQueueAttributesRequest{QueueUrl: api.Ptr(url), Attributes: map[string]string{"DelaySeconds": "5"}}))(t)
	if got := queueAttr(t, s, url, "LastModifiedTimestamp"); got != "1795343460" {
		t.Errorf("LastModifiedTimestamp = %s", got)
	}
	send(t, s, url, "delayed")
	send(t, s, url, "delayed too")
	if got := queueAttr(t, s, url, "ApproximateNumberOfMessagesDelayed"); got != "2" {
		t.Errorf("delayed = %s", got)
	}
	c.Advance(5 * time.Second)
	receive(t, s, url, 1)
	if a, nv := queueAttr(t, s, url, "ApproximateNumberOfMessages"), queueAttr(t, s, url, "ApproximateNumberOfMessagesNotVisible"); a != "1" || nv != "1" {
		t.Errorf("visible %s, not visible %s", a, nv)
	}
	_, err = s.SetQueueAttributes(bg, &sqsapi.SetQueueAttributesRequest{QueueUrl: api.Ptr(url), Attributes: map[string]string{"FifoQueue": "true"}})
	wantError(t, err, "InvalidAttributeName", "")
}

func TestPurgeQueueOncePerMinute(t *testing.T) {
	s, c := newTestService(t)
	url := createQueue(t, s, "q", nil)
	send(t, s, url, "one")
	must(s.PurgeQueue(bg, &sqsapi.PurgeQueueRequest{QueueUrl: api.Ptr(url)}))(t)
	if got := receive(t, s, url, 10); len(got) != 0 {
		t.Fatalf("after purge: %v", bodies(got))
	}
	c.Advance(59 * time.Second)
	_, err := s.PurgeQueue(bg, &sqsapi.PurgeQueueRequest{QueueUrl: api.Ptr(url)})
	wantError(t, err, "AWS.SimpleQueueService.PurgeQueueInProgress", "Only one PurgeQueue operation on q is allowed every 60 seconds.")
	c.Advance(time.Second)
	must(s.PurgeQueue(bg, &sqsapi.PurgeQueueRequest{QueueUrl: api.Ptr(url)}))(t)
}

func TestTagsAndPermissions(t *testing.T) {
	s, _ := newTestService(t)
	url := *must(s.CreateQueue(bg, &sqsapi.CreateQueueRequest{QueueName: api.Ptr("q"), Tags: map[string]string{"env": "dev"}}))(t).QueueUrl
	must(s.TagQueue(bg, &sqsapi.TagQueueRequest{QueueUrl: api.Ptr(url), Tags: map[string]string{"team": "iot"}}))(t)
	must(s.UntagQueue(bg, &sqsapi.UntagQueueRequest{QueueUrl: api.Ptr(url), TagKeys: []string{"env"}}))(t)
	tags := must(s.ListQueueTags(bg, &sqsapi.ListQueueTagsRequest{QueueUrl: api.Ptr(url)}))(t).Tags
	if len(tags) != 1 || tags["team"] != "iot" {
		t.Fatalf("tags = %v", tags)
	}
	must(s.AddPermission(bg, &sqsapi.AddPermissionRequest{QueueUrl: api.Ptr(url), Label: api.Ptr("l1"), AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}}))(t)
	_, err := s.AddPermission(bg, &sqsapi.AddPermissionRequest{QueueUrl: api.Ptr(url), Label: api.Ptr("l1"), AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}})
	wantError(t, err, "InvalidParameterValue", "")
	policy := queueAttr(t, s, url, "Policy")
	if !strings.Contains(policy, `"Sid":"l1"`) || !strings.Contains(policy, "arn:aws:iam::111122223333:root") || !strings.Contains(policy, "SQS:SendMessage") {
		t.Fatalf("policy = %s", policy)
	}
	must(s.RemovePermission(bg, &sqsapi.RemovePermissionRequest{QueueUrl: api.Ptr(url), Label: api.Ptr("l1")}))(t)
	if p := queueAttr(t, s, url, "Policy"); p != "" {
		t.Fatalf("policy after remove = %s", p)
	}
	_, err = s.RemovePermission(bg, &sqsapi.RemovePermissionRequest{QueueUrl: api.Ptr(url), Label: api.Ptr("l1")})
	wantError(t, err, "InvalidParameterValue", "")
}
