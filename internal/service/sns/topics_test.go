package sns

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
)

func TestCreateTopic(t *testing.T) {
	e := newEnv(t)
	arn := e.topic(t, "sendmail-notifications", nil)
	if arn != "arn:aws:sns:us-east-1:123456789012:sendmail-notifications" {
		t.Fatalf("arn = %s", arn)
	}
	// Idempotent for the same name and attributes.
	if again := e.topic(t, "sendmail-notifications", nil); again != arn {
		t.Fatalf("second create = %s", again)
	}
	e.topic(t, "withname", map[string]string{"DisplayName": "Mail"})
	_, err := e.s.CreateTopic(bg, &snsapi.CreateTopicInput{Name: api.Ptr("withname"), Attributes: map[string]string{"DisplayName": "Other"}})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with different attributes")

	for _, bad := range []string{"", "has space", "dot.name", strings.Repeat("a", 257), "x.fifo"} {
		_, err := e.s.CreateTopic(bg, &snsapi.CreateTopicInput{Name: api.Ptr(bad)})
		wantError(t, err, "InvalidParameter", "Invalid parameter: Topic Name")
	}
	_, err = e.s.CreateTopic(bg, &snsapi.CreateTopicInput{Name: api.Ptr("nofifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	wantError(t, err, "InvalidParameter", fifoNameMessage)
	_, err = e.s.CreateTopic(bg, &snsapi.CreateTopicInput{Name: api.Ptr("t"), Attributes: map[string]string{"Bogus": "1"}})
	wantError(t, err, "InvalidParameter", "")
	_, err = e.s.CreateTopic(bg, &snsapi.CreateTopicInput{Name: api.Ptr("t"), Attributes: map[string]string{"ContentBasedDeduplication": "true"}})
	wantError(t, err, "InvalidParameter", "")
	fifo := e.topic(t, "orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	attrs := must(e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: &fifo}))(t).Attributes
	if attrs["FifoTopic"] != "true" || attrs["ContentBasedDeduplication"] != "true" {
		t.Fatalf("fifo attrs = %v", attrs)
	}
}

func TestTopicAttributes(t *testing.T) {
	e := newEnv(t)
	arn := e.topic(t, "bounce-notifications", nil)
	e.subscribe(t, arn, "sqs", "arn:aws:sqs:us-east-1:123456789012:q", nil)
	e.subscribe(t, arn, "email", "a@example.com", nil)
	gone := e.subscribe(t, arn, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:f", nil)
	must(e.s.Unsubscribe(bg, &snsapi.UnsubscribeInput{SubscriptionArn: &gone}))(t)

	attrs := must(e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: &arn}))(t).Attributes
	want := map[string]string{
		"TopicArn": arn, "Owner": testAccount, "DisplayName": "",
		"SubscriptionsConfirmed": "1", "SubscriptionsPending": "1", "SubscriptionsDeleted": "1",
		"EffectiveDeliveryPolicy": defaultEffectiveDeliveryPolicy,
	}
	for k, v := range want {
		if attrs[k] != v {
			t.Errorf("%s = %q, want %q", k, attrs[k], v)
		}
	}
	var policy struct {
		Statement []struct {
			Resource  string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(attrs["Policy"]), &policy); err != nil || len(policy.Statement) != 1 ||
		policy.Statement[0].Resource != arn || policy.Statement[0].Condition["StringEquals"]["AWS:SourceOwner"] != testAccount {
		t.Fatalf("Policy = %s (%v)", attrs["Policy"], err)
	}

	must(e.s.SetTopicAttributes(bg, &snsapi.SetTopicAttributesInput{TopicArn: &arn, AttributeName: api.Ptr("DisplayName"), AttributeValue: api.Ptr("Bounces")}))(t)
	attrs = must(e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: &arn}))(t).Attributes
	if attrs["DisplayName"] != "Bounces" {
		t.Fatalf("DisplayName = %q", attrs["DisplayName"])
	}
	_, err := e.s.SetTopicAttributes(bg, &snsapi.SetTopicAttributesInput{TopicArn: &arn, AttributeName: api.Ptr("Nope"), AttributeValue: api.Ptr("x")})
	wantError(t, err, "InvalidParameter", "Invalid parameter: AttributeName")
	_, err = e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: api.Ptr(arn + "x")})
	wantError(t, err, "NotFound", "Topic does not exist")
	_, err = e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: api.Ptr("nope")})
	wantError(t, err, "InvalidParameter", "Invalid parameter: TopicArn")
}

func TestListTopicsAndDelete(t *testing.T) {
	e := newEnv(t)
	for i := range 205 {
		e.topic(t, fmt.Sprintf("t%03d", i), nil)
	}
	var all []string
	var token *string
	pages := 0
	for {
		out := must(e.s.ListTopics(bg, &snsapi.ListTopicsInput{NextToken: token}))(t)
		pages++
		for _, tp := range out.Topics {
			all = append(all, *tp.TopicArn)
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if pages != 3 || len(all) != 205 || all[0] != "arn:aws:sns:us-east-1:123456789012:t000" {
		t.Fatalf("pages = %d, topics = %d", pages, len(all))
	}
	// Another region sees none of them.
	other := requestIn(testAccount, "ap-northeast-1")
	if out := must(e.s.ListTopics(other, &snsapi.ListTopicsInput{}))(t); len(out.Topics) != 0 {
		t.Fatalf("other region lists %d topics", len(out.Topics))
	}

	arn := all[0]
	sub := e.subscribe(t, arn, "sqs", "arn:aws:sqs:us-east-1:123456789012:q", nil)
	must(e.s.DeleteTopic(bg, &snsapi.DeleteTopicInput{TopicArn: &arn}))(t)
	must(e.s.DeleteTopic(bg, &snsapi.DeleteTopicInput{TopicArn: &arn}))(t) // idempotent
	_, err := e.s.GetSubscriptionAttributes(bg, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
	wantError(t, err, "NotFound", "")
	if out := must(e.s.ListSubscriptions(bg, &snsapi.ListSubscriptionsInput{}))(t); len(out.Subscriptions) != 0 {
		t.Fatalf("subscriptions left: %d", len(out.Subscriptions))
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	arn := e.topic(t, "t", nil)
	must(e.s.TagResource(bg, &snsapi.TagResourceRequest{ResourceArn: &arn, Tags: []snsapi.Tag{{Key: api.Ptr("b"), Value: api.Ptr("2")}, {Key: api.Ptr("a"), Value: api.Ptr("1")}}}))(t)
	must(e.s.UntagResource(bg, &snsapi.UntagResourceRequest{ResourceArn: &arn, TagKeys: []string{"b"}}))(t)
	tags := must(e.s.ListTagsForResource(bg, &snsapi.ListTagsForResourceRequest{ResourceArn: &arn}))(t).Tags
	if len(tags) != 1 || *tags[0].Key != "a" || *tags[0].Value != "1" {
		t.Fatalf("tags = %+v", tags)
	}
	_, err := e.s.ListTagsForResource(bg, &snsapi.ListTagsForResourceRequest{ResourceArn: api.Ptr(arn + "x")})
	wantError(t, err, "ResourceNotFound", "Resource does not exist")
	many := make([]snsapi.Tag, 51)
	for i := range many {
		many[i] = snsapi.Tag{Key: api.Ptr(fmt.Sprint(i)), Value: api.Ptr("v")}
	}
	_, err = e.s.TagResource(bg, &snsapi.TagResourceRequest{ResourceArn: &arn, Tags: many})
	wantError(t, err, "TagLimitExceeded", "")
}

func TestPermissions(t *testing.T) {
	e := newEnv(t)
	arn := e.topic(t, "t", nil)
	must(e.s.AddPermission(bg, &snsapi.AddPermissionInput{TopicArn: &arn, Label: api.Ptr("ses"), AWSAccountId: []string{"111122223333"}, ActionName: []string{"Publish"}}))(t)
	_, err := e.s.AddPermission(bg, &snsapi.AddPermissionInput{TopicArn: &arn, Label: api.Ptr("ses"), AWSAccountId: []string{"1"}, ActionName: []string{"Publish"}})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Statement already exists")
	policy := must(e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: &arn}))(t).Attributes["Policy"]
	if !strings.Contains(policy, `{"Sid":"ses","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"SNS:Publish","Resource":"`+arn+`"}`) ||
		!strings.Contains(policy, "__default_statement_ID") {
		t.Fatalf("policy = %s", policy)
	}
	must(e.s.RemovePermission(bg, &snsapi.RemovePermissionInput{TopicArn: &arn, Label: api.Ptr("ses")}))(t)
	policy = must(e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: &arn}))(t).Attributes["Policy"]
	if strings.Contains(policy, `"ses"`) || !strings.Contains(policy, "__default_statement_ID") {
		t.Fatalf("policy after remove = %s", policy)
	}
}
