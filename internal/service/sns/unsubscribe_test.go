package sns

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
)

func (e *env) unsubscribe(t *testing.T, arn string) {
	t.Helper()
	must(e.s.Unsubscribe(bg, &snsapi.UnsubscribeInput{SubscriptionArn: &arn}))(t)
	e.s.wait()
}

func (e *env) listedByTopic(t *testing.T, topic string) []snsapi.Subscription {
	t.Helper()
	return must(e.s.ListSubscriptionsByTopic(bg, &snsapi.ListSubscriptionsByTopicInput{TopicArn: &topic}))(t).Subscriptions
}

func (e *env) confirm(t *testing.T, topic, token string) string {
	t.Helper()
	return *must(e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: &token}))(t).SubscriptionArn
}

// TestUnsubscribeConfirmation: unsubscribing a confirmed http subscription
// POSTs a signed UnsubscribeConfirmation (retried as the delivery policy
// says); following its SubscribeURL restores the subscription, attributes
// and all.
func TestUnsubscribeConfirmation(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	topic := e.topic(t, "t", nil)
	arn := confirmedHTTP(t, e, ep, topic, map[string]string{"FilterPolicy": `{"kind":["a"]}`, "RawMessageDelivery": "true"})

	ep.failNext(2) // two failures, then the first retry after them succeeds
	e.unsubscribe(t, arn)
	reqs := ep.requests()
	if len(reqs) != 3 {
		t.Fatalf("attempts = %d, want 3", len(reqs))
	}
	for _, r := range reqs[1:] {
		if r.body != reqs[0].body {
			t.Fatalf("retry differs:\n%s\n%s", r.body, reqs[0].body)
		}
	}
	h := reqs[2].header
	if h.Get("x-amz-sns-message-type") != "UnsubscribeConfirmation" || h.Get("x-amz-sns-topic-arn") != topic ||
		h.Get("x-amz-sns-subscription-arn") != arn || h.Get("x-amz-sns-message-id") == "" ||
		h.Get("Content-Type") != "text/plain; charset=UTF-8" || h.Get("x-amz-sns-rawdelivery") != "" {
		t.Fatalf("headers = %v", h)
	}
	body := reqs[2].body
	d := parseDoc(t, body)
	wantKeys := []string{"Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"}
	if !reflect.DeepEqual(d.keys, wantKeys) {
		t.Fatalf("keys = %v", d.keys)
	}
	if !strings.HasPrefix(body, "{\n  \"Type\" : \"UnsubscribeConfirmation\",\n  \"MessageId\" : \""+h.Get("x-amz-sns-message-id")+"\",\n  \"Token\" : \"") ||
		!strings.HasSuffix(body, "\"\n}") {
		t.Fatalf("rendering = %s", body)
	}
	if d.str("Message") != "You have chosen to deactivate subscription "+arn+".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message." ||
		d.str("TopicArn") != topic || d.str("SignatureVersion") != "1" || d.str("Token") == "" ||
		d.str("SigningCertURL") != testEndpoint+"/_kiri/sns/SimpleNotificationService.pem" {
		t.Fatalf("UnsubscribeConfirmation = %s", body)
	}
	if _, err := time.Parse(timestampLayout, d.str("Timestamp")); err != nil {
		t.Fatalf("Timestamp: %v", err)
	}
	if err := verifyDoc(e.s.SigningCertPEM(), d); err != nil {
		t.Fatalf("signature: %v", err)
	}
	// A forged field fails verification: the Token and SubscribeURL are signed.
	forged := parseDoc(t, strings.Replace(body, d.str("Token"), strings.Repeat("0", len(d.str("Token"))), -1))
	if verifyDoc(e.s.SigningCertPEM(), forged) == nil {
		t.Fatal("a forged token verified")
	}

	// Gone: not listed, publishes do not reach it.
	if l := e.listedByTopic(t, topic); len(l) != 0 {
		t.Fatalf("listed after Unsubscribe = %+v", l)
	}
	kind := func(v string) map[string]snsapi.MessageAttributeValue {
		return map[string]snsapi.MessageAttributeValue{"kind": {DataType: api.Ptr("String"), StringValue: api.Ptr(v)}}
	}
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("while away"), MessageAttributes: kind("a")})
	if n := len(ep.requests()); n != 3 {
		t.Fatalf("requests after publish = %d", n)
	}

	// The subscriber follows SubscribeURL: a ConfirmSubscription request.
	link := must(url.Parse(d.str("SubscribeURL")))(t)
	q := link.Query()
	if link.Scheme+"://"+link.Host != testEndpoint || q.Get("Action") != "ConfirmSubscription" || q.Get("Version") != "2010-03-31" ||
		q.Get("TopicArn") != topic || q.Get("Token") != d.str("Token") {
		t.Fatalf("SubscribeURL = %s", d.str("SubscribeURL"))
	}
	if got := e.confirm(t, q.Get("TopicArn"), q.Get("Token")); got != arn {
		t.Fatalf("restored as %s, want %s", got, arn)
	}
	// Following it twice is harmless.
	if got := e.confirm(t, q.Get("TopicArn"), q.Get("Token")); got != arn {
		t.Fatalf("restored again as %s", got)
	}
	l := e.listedByTopic(t, topic)
	if len(l) != 1 || *l[0].SubscriptionArn != arn || *l[0].Endpoint != ep.URL || *l[0].Protocol != "http" {
		t.Fatalf("listed after restore = %+v", l)
	}
	attrs := must(e.s.GetSubscriptionAttributes(bg, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &arn}))(t).Attributes
	if attrs["FilterPolicy"] != `{"kind":["a"]}` || attrs["RawMessageDelivery"] != "true" || attrs["PendingConfirmation"] != "false" {
		t.Fatalf("attributes = %v", attrs)
	}
	ta := must(e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: &topic}))(t).Attributes
	if ta["SubscriptionsConfirmed"] != "1" || ta["SubscriptionsPending"] != "0" {
		t.Fatalf("topic attributes = %v", ta)
	}

	// Delivery is back, with its filter policy and raw delivery.
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("filtered out"), MessageAttributes: kind("b")})
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("back"), MessageAttributes: kind("a")})
	reqs = ep.requests()
	if len(reqs) != 4 || reqs[3].body != "back" || reqs[3].header.Get("x-amz-sns-subscription-arn") != arn ||
		reqs[3].header.Get("x-amz-sns-rawdelivery") != "true" {
		t.Fatalf("requests after restore = %+v", reqs[3:])
	}

	// Unsubscribing the restored subscription says goodbye again, with a
	// new token; the old one now only names the deleted subscription.
	e.unsubscribe(t, arn)
	reqs = ep.requests()
	if len(reqs) != 5 || reqs[4].header.Get("x-amz-sns-message-type") != "UnsubscribeConfirmation" {
		t.Fatalf("second goodbye = %+v", reqs[4:])
	}
	if tok := parseDoc(t, reqs[4].body).str("Token"); tok == d.str("Token") {
		t.Fatal("token reused")
	}
	_, err := e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: api.Ptr(d.str("Token"))})
	wantError(t, err, "InvalidParameter", "Invalid token")
}

// TestUnsubscribeConfirmationToken: ConfirmSubscription with the Token of
// an UnsubscribeConfirmation restores the subscription until the token
// expires; SignatureVersion 2 topics sign it with SHA256.
func TestUnsubscribeConfirmationToken(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	topic := e.topic(t, "t", map[string]string{"SignatureVersion": "2"})
	arn := confirmedHTTP(t, e, ep, topic, nil)
	e.unsubscribe(t, arn)
	reqs := ep.requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d", len(reqs))
	}
	d := parseDoc(t, reqs[0].body)
	if d.str("Type") != "UnsubscribeConfirmation" || d.str("SignatureVersion") != "2" {
		t.Fatalf("document = %s", reqs[0].body)
	}
	if err := verifyDoc(e.s.SigningCertPEM(), d); err != nil {
		t.Fatalf("signature: %v", err)
	}
	// Another topic's ARN does not take the token.
	other := e.topic(t, "other", nil)
	_, err := e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &other, Token: api.Ptr(d.str("Token"))})
	wantError(t, err, "InvalidParameter", "Invalid token")

	e.advance(tokenLifetime - time.Minute)
	out := must(e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: api.Ptr(d.str("Token")),
		AuthenticateOnUnsubscribe: api.Ptr("true")}))(t)
	if *out.SubscriptionArn != arn {
		t.Fatalf("restored as %s, want %s", *out.SubscriptionArn, arn)
	}
	attrs := must(e.s.GetSubscriptionAttributes(bg, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &arn}))(t).Attributes
	if attrs["ConfirmationWasAuthenticated"] != "true" || attrs["PendingConfirmation"] != "false" {
		t.Fatalf("attributes = %v", attrs)
	}
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("back")})
	if reqs := ep.requests(); len(reqs) != 2 || parseDoc(t, reqs[1].body).str("Message") != "back" {
		t.Fatalf("requests = %+v", reqs)
	}

	// A token past its lifetime restores nothing.
	e.unsubscribe(t, arn)
	token := parseDoc(t, ep.requests()[2].body).str("Token")
	e.advance(tokenLifetime)
	_, err = e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: &token})
	wantError(t, err, "InvalidParameter", "Invalid token")
	if l := e.listedByTopic(t, topic); len(l) != 0 {
		t.Fatalf("listed = %+v", l)
	}
}

// TestUnsubscribeRestoreAfterResubscribe: an endpoint subscribed again
// after unsubscribing keeps its new confirmed subscription; a new pending
// one gives way to the restored subscription.
func TestUnsubscribeRestoreAfterResubscribe(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	topic := e.topic(t, "t", nil)
	arn := confirmedHTTP(t, e, ep, topic, nil)
	e.unsubscribe(t, arn)
	token := parseDoc(t, ep.requests()[0].body).str("Token")

	// Pending again: the restore wins and the pending one goes.
	must(e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: api.Ptr("http"), Endpoint: api.Ptr(ep.URL)}))(t)
	e.s.wait()
	pendingToken := parseDoc(t, ep.requests()[1].body).str("Token")
	if got := e.confirm(t, topic, token); got != arn {
		t.Fatalf("restored as %s", got)
	}
	if l := e.listedByTopic(t, topic); len(l) != 1 || *l[0].SubscriptionArn != arn {
		t.Fatalf("listed = %+v", l)
	}
	_, err := e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: &pendingToken})
	wantError(t, err, "InvalidParameter", "Invalid token")

	// Confirmed anew: the old token returns that subscription.
	e.unsubscribe(t, arn)
	token = parseDoc(t, ep.requests()[2].body).str("Token")
	ep.mu.Lock()
	ep.got = nil // confirmedHTTP reads the first request
	ep.mu.Unlock()
	fresh := confirmedHTTP(t, e, ep, topic, nil)
	if fresh == arn {
		t.Fatal("new subscription has the old ARN")
	}
	if got := e.confirm(t, topic, token); got != fresh {
		t.Fatalf("restore returned %s, want the new %s", got, fresh)
	}
	if l := e.listedByTopic(t, topic); len(l) != 1 || *l[0].SubscriptionArn != fresh {
		t.Fatalf("listed = %+v", l)
	}
}

// TestUnsubscribeSendsNothing: pending http subscriptions and other
// protocols get no UnsubscribeConfirmation.
func TestUnsubscribeSendsNothing(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	topic := e.topic(t, "t", nil)
	pending := e.subscribe(t, topic, "http", ep.URL, nil)
	e.s.wait()
	e.unsubscribe(t, pending)
	if reqs := ep.requests(); len(reqs) != 1 || reqs[0].header.Get("x-amz-sns-message-type") != "SubscriptionConfirmation" {
		t.Fatalf("requests = %+v", reqs)
	}
	for _, sub := range []struct{ protocol, endpoint string }{
		{"sqs", queueArn},
		{"lambda", "arn:aws:lambda:us-east-1:123456789012:function:f"},
		{"sms", "+15555550100"},
	} {
		e.unsubscribe(t, e.subscribe(t, topic, sub.protocol, sub.endpoint, nil))
	}
	if len(e.sqs.sent()) != 0 || len(e.fns.invoked()) != 0 || len(ep.requests()) != 1 {
		t.Fatalf("sent %+v, invoked %+v, requests %d", e.sqs.sent(), e.fns.invoked(), len(ep.requests()))
	}
	if l := e.listedByTopic(t, topic); len(l) != 0 {
		t.Fatalf("listed = %+v", l)
	}
}

// TestConfirmationTokenExpiry: a pending subscription left unconfirmed for
// tokenLifetime (by the service clock) is gone and its token invalid.
func TestConfirmationTokenExpiry(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	topic := e.topic(t, "t", nil)
	arn := e.subscribe(t, topic, "http", ep.URL, nil)
	e.subscribe(t, topic, "email", "yamada@example.com", nil)
	e.s.wait()
	token := parseDoc(t, ep.requests()[0].body).str("Token")
	pendingCount := func() string {
		return must(e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: &topic}))(t).Attributes["SubscriptionsPending"]
	}

	e.advance(tokenLifetime - time.Minute)
	if l := e.listedByTopic(t, topic); len(l) != 2 || *l[0].SubscriptionArn != "PendingConfirmation" {
		t.Fatalf("listed before expiry = %+v", l)
	}
	if n := pendingCount(); n != "2" {
		t.Fatalf("SubscriptionsPending = %s", n)
	}

	e.advance(time.Minute)
	_, err := e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: &token})
	wantError(t, err, "InvalidParameter", "Invalid token")
	if l := e.listedByTopic(t, topic); len(l) != 0 {
		t.Fatalf("listed after expiry = %+v", l)
	}
	if l := must(e.s.ListSubscriptions(bg, &snsapi.ListSubscriptionsInput{}))(t).Subscriptions; len(l) != 0 {
		t.Fatalf("ListSubscriptions after expiry = %+v", l)
	}
	if n := pendingCount(); n != "0" {
		t.Fatalf("SubscriptionsPending = %s", n)
	}
	_, err = e.s.GetSubscriptionAttributes(bg, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &arn})
	wantError(t, err, "NotFound", "Subscription does not exist")

	// Subscribing again starts afresh: a new subscription and token.
	arn2 := e.subscribe(t, topic, "http", ep.URL, nil)
	e.s.wait()
	token2 := parseDoc(t, ep.requests()[1].body).str("Token")
	if arn2 == arn || token2 == token {
		t.Fatalf("resubscribed as %s with token %s", arn2, token2)
	}
	if l := e.listedByTopic(t, topic); len(l) != 1 {
		t.Fatalf("listed after resubscribing = %+v", l)
	}
	// Asking again renews the lifetime: the request sent again is as
	// good as a new one.
	e.advance(tokenLifetime - time.Hour)
	e.subscribe(t, topic, "http", ep.URL, nil)
	e.s.wait()
	if again := parseDoc(t, ep.requests()[2].body).str("Token"); again != token2 {
		t.Fatalf("token sent again = %s, want %s", again, token2)
	}
	e.advance(2 * time.Hour)
	if got := e.confirm(t, topic, token2); got != arn2 {
		t.Fatalf("confirmed as %s, want %s", got, arn2)
	}
	// Confirmed subscriptions do not expire.
	e.advance(10 * tokenLifetime)
	if l := e.listedByTopic(t, topic); len(l) != 1 || *l[0].SubscriptionArn != arn2 {
		t.Fatalf("listed = %+v", l)
	}
}
