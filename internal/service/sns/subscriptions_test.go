package sns

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
)

func TestSubscribeSQSAndLambda(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", nil)
	out := must(e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: api.Ptr("sqs"), Endpoint: api.Ptr("arn:aws:sqs:us-east-1:123456789012:q")}))(t)
	arn := *out.SubscriptionArn
	id, ok := strings.CutPrefix(arn, topic+":")
	if !ok || len(id) != 36 || strings.Count(id, "-") != 4 {
		t.Fatalf("subscription arn = %s", arn)
	}
	// Subscribing the same endpoint again returns the same subscription.
	if again := e.subscribe(t, topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:q", nil); again != arn {
		t.Fatalf("resubscribe = %s", again)
	}
	lam := e.subscribe(t, topic, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:f", nil)
	attrs := must(e.s.GetSubscriptionAttributes(bg, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &lam}))(t).Attributes
	if attrs["PendingConfirmation"] != "false" || attrs["Protocol"] != "lambda" || attrs["TopicArn"] != topic || attrs["Owner"] != testAccount || attrs["RawMessageDelivery"] != "false" {
		t.Fatalf("attrs = %v", attrs)
	}

	for _, c := range []struct{ protocol, endpoint, msg string }{
		{"sqs", "https://sqs.example/q", "Invalid parameter: SQS endpoint ARN"},
		{"email", "not-an-address", "Invalid parameter: Email address"},
		{"http", "https://x", "Invalid parameter: Endpoint must match the specified protocol"},
		{"carrier-pigeon", "x", "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"},
		{"sqs", "arn:aws:sqs:us-east-1:123456789012:q.fifo", "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"},
	} {
		_, err := e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: &c.protocol, Endpoint: &c.endpoint})
		wantError(t, err, "InvalidParameter", c.msg)
	}
	_, err := e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: api.Ptr(topic + "x"), Protocol: api.Ptr("sqs"), Endpoint: api.Ptr("arn:aws:sqs:us-east-1:1:q")})
	wantError(t, err, "NotFound", "Topic does not exist")
}

func TestSubscriptionAttributes(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", nil)
	sub := e.subscribe(t, topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:q", map[string]string{"RawMessageDelivery": "true"})
	set := func(name, value string) error {
		_, err := e.s.SetSubscriptionAttributes(bg, &snsapi.SetSubscriptionAttributesInput{SubscriptionArn: &sub, AttributeName: &name, AttributeValue: &value})
		return err
	}
	if err := set("FilterPolicy", `{"kind":["a"]}`); err != nil {
		t.Fatal(err)
	}
	if err := set("RedrivePolicy", `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq"}`); err != nil {
		t.Fatal(err)
	}
	attrs := must(e.s.GetSubscriptionAttributes(bg, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &sub}))(t).Attributes
	if attrs["RawMessageDelivery"] != "true" || attrs["FilterPolicy"] != `{"kind":["a"]}` || attrs["FilterPolicyScope"] != "MessageAttributes" || !strings.Contains(attrs["RedrivePolicy"], "dlq") {
		t.Fatalf("attrs = %v", attrs)
	}
	wantError(t, set("Bogus", "x"), "InvalidParameter", "Invalid parameter: AttributeName")
	wantError(t, set("RawMessageDelivery", "yes"), "InvalidParameter", "")
	wantError(t, set("FilterPolicy", `{"kind":"notalist"}`), "InvalidParameter", "Invalid parameter: FilterPolicy: unsupported policy")
	wantError(t, set("FilterPolicyScope", "Elsewhere"), "InvalidParameter", "")

	lam := e.subscribe(t, topic, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:f", nil)
	_, err := e.s.SetSubscriptionAttributes(bg, &snsapi.SetSubscriptionAttributesInput{SubscriptionArn: &lam, AttributeName: api.Ptr("RawMessageDelivery"), AttributeValue: api.Ptr("true")})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.")

	must(e.s.Unsubscribe(bg, &snsapi.UnsubscribeInput{SubscriptionArn: &sub}))(t)
	must(e.s.Unsubscribe(bg, &snsapi.UnsubscribeInput{SubscriptionArn: &sub}))(t)
	_, err = e.s.GetSubscriptionAttributes(bg, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
	wantError(t, err, "NotFound", "Subscription does not exist")
	_, err = e.s.Unsubscribe(bg, &snsapi.UnsubscribeInput{SubscriptionArn: api.Ptr(pendingArn)})
	wantError(t, err, "InvalidParameter", "Invalid parameter: SubscriptionArn")
}

func TestEmailConfirmation(t *testing.T) {
	e := newEnv(t)
	// A Tokyo topic: the confirmation link must work from a request in
	// any region (a browser's unsigned GET lands in the default one).
	tokyo := requestIn(testAccount, "ap-northeast-1")
	topic := *must(e.s.CreateTopic(tokyo, &snsapi.CreateTopicInput{Name: api.Ptr("sendmail-notifications"), Attributes: map[string]string{"DisplayName": "Mailer"}}))(t).TopicArn
	out := must(e.s.Subscribe(tokyo, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: api.Ptr("email"), Endpoint: api.Ptr("yamada@example.co.jp")}))(t)
	if *out.SubscriptionArn != "pending confirmation" {
		t.Fatalf("Subscribe = %s", *out.SubscriptionArn)
	}
	subs := must(e.s.ListSubscriptionsByTopic(tokyo, &snsapi.ListSubscriptionsByTopicInput{TopicArn: &topic}))(t).Subscriptions
	if len(subs) != 1 || *subs[0].SubscriptionArn != "PendingConfirmation" || *subs[0].Endpoint != "yamada@example.co.jp" {
		t.Fatalf("listed = %+v", subs)
	}

	mails := must(e.mails.List(testAccount))(t)
	if len(mails) != 1 {
		t.Fatalf("mails = %+v", mails)
	}
	m := mails[0]
	if m.Subject != "AWS Notification - Subscription Confirmation" || m.From != "Mailer <no-reply@sns.amazonaws.com>" || m.To[0] != "yamada@example.co.jp" ||
		!strings.HasPrefix(m.Text, "You have chosen to subscribe to the topic: \n"+topic+"\n\nTo confirm this subscription, click or visit the link below") {
		t.Fatalf("mail = %+v", m)
	}
	// Follow the link as kiri's gateway would: its query is a
	// ConfirmSubscription request.
	link := findLink(t, m.Text, testEndpoint+"/?Action=ConfirmSubscription&Version=2010-03-31&")
	q := must(url.Parse(link))(t).Query()
	if q.Get("TopicArn") != topic || q.Get("Token") == "" {
		t.Fatalf("link = %s", link)
	}
	if !strings.Contains(m.HTML, "Confirm subscription") {
		t.Fatalf("html = %s", m.HTML)
	}
	_, err := e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: api.Ptr("wrong")})
	wantError(t, err, "InvalidParameter", "Invalid token")
	arn := *must(e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: api.Ptr(q.Get("TopicArn")), Token: api.Ptr(q.Get("Token")), AuthenticateOnUnsubscribe: api.Ptr("true")}))(t).SubscriptionArn
	if !strings.HasPrefix(arn, topic+":") {
		t.Fatalf("confirmed arn = %s", arn)
	}
	again := *must(e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: api.Ptr(q.Get("Token"))}))(t).SubscriptionArn
	if again != arn {
		t.Fatalf("second confirm = %s", again)
	}
	attrs := must(e.s.GetSubscriptionAttributes(bg, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &arn}))(t).Attributes
	if attrs["PendingConfirmation"] != "false" || attrs["ConfirmationWasAuthenticated"] != "true" {
		t.Fatalf("attrs = %v", attrs)
	}
	subs = must(e.s.ListSubscriptions(tokyo, &snsapi.ListSubscriptionsInput{}))(t).Subscriptions
	if len(subs) != 1 || *subs[0].SubscriptionArn != arn {
		t.Fatalf("listed = %+v", subs)
	}

	// The notification mail: message plus AWS's footer with a working
	// unsubscribe link.
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("mailsendqueue000")})
	mails = must(e.mails.List(testAccount))(t)
	if len(mails) != 2 {
		t.Fatalf("mails = %d", len(mails))
	}
	m = mails[1]
	if m.Subject != "AWS Notification Message" || !strings.HasPrefix(m.Text, "mailsendqueue000\n\n-- \nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n") ||
		!strings.HasSuffix(m.Text, "please contact us at https://aws.amazon.com/support") {
		t.Fatalf("notification mail = %+v", m)
	}
	unsub := findLink(t, m.Text, testEndpoint+"/?Action=Unsubscribe&Version=2010-03-31&")
	if got := must(url.Parse(unsub))(t).Query().Get("SubscriptionArn"); got != arn {
		t.Fatalf("unsubscribe link = %s", unsub)
	}
}

// findLink returns the first line of text starting with prefix.
func findLink(t *testing.T, text, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	t.Fatalf("no link %s… in\n%s", prefix, text)
	return ""
}

type received struct {
	header http.Header
	body   string
}

type endpoint struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	fail int // answer 500 to this many requests first
}

func newEndpoint(t *testing.T) *endpoint {
	ep := &endpoint{}
	ep.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ep.mu.Lock()
		defer ep.mu.Unlock()
		if r.Method != http.MethodPost {
			t.Errorf("method %s", r.Method)
		}
		ep.got = append(ep.got, received{r.Header.Clone(), string(b)})
		if ep.fail > 0 {
			ep.fail--
			w.WriteHeader(500)
		}
	}))
	t.Cleanup(ep.Close)
	return ep
}

func (ep *endpoint) requests() []received {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return append([]received(nil), ep.got...)
}

func TestHTTPSubscription(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	topic := e.topic(t, "t", nil)
	out := must(e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: api.Ptr("http"), Endpoint: api.Ptr(ep.URL + "/hook")}))(t)
	if *out.SubscriptionArn != "pending confirmation" {
		t.Fatalf("Subscribe = %s", *out.SubscriptionArn)
	}
	e.s.wait()
	reqs := ep.requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d", len(reqs))
	}
	h := reqs[0].header
	if h.Get("x-amz-sns-message-type") != "SubscriptionConfirmation" || h.Get("x-amz-sns-topic-arn") != topic || h.Get("x-amz-sns-message-id") == "" ||
		h.Get("Content-Type") != "text/plain; charset=UTF-8" {
		t.Fatalf("headers = %v", h)
	}
	d := parseDoc(t, reqs[0].body)
	wantKeys := []string{"Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"}
	if !reflect.DeepEqual(d.keys, wantKeys) {
		t.Fatalf("keys = %v", d.keys)
	}
	if d.str("Message") != "You have chosen to subscribe to the topic "+topic+".\nTo confirm the subscription, visit the SubscribeURL included in this message." ||
		d.str("SigningCertURL") != testEndpoint+"/_kiri/sns/SimpleNotificationService.pem" || d.str("SignatureVersion") != "1" {
		t.Fatalf("confirmation = %s", reqs[0].body)
	}
	if err := verifyDoc(e.s.SigningCertPEM(), d); err != nil {
		t.Fatalf("confirmation signature: %v", err)
	}
	// The subscriber visits SubscribeURL: a ConfirmSubscription request.
	q := must(url.Parse(d.str("SubscribeURL")))(t).Query()
	if q.Get("Action") != "ConfirmSubscription" || q.Get("Token") != d.str("Token") {
		t.Fatalf("SubscribeURL = %s", d.str("SubscribeURL"))
	}
	subArn := *must(e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: api.Ptr(q.Get("TopicArn")), Token: api.Ptr(q.Get("Token"))}))(t).SubscriptionArn

	ep.mu.Lock()
	ep.fail = 1 // the first attempt fails; the retry succeeds
	ep.mu.Unlock()
	pub := e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr(`hello <"world"> & you`), Subject: api.Ptr("Greeting"),
		MessageAttributes: map[string]snsapi.MessageAttributeValue{"kind": {DataType: api.Ptr("String"), StringValue: api.Ptr("a")}}})
	reqs = ep.requests()
	if len(reqs) != 3 {
		t.Fatalf("requests = %d", len(reqs))
	}
	n := reqs[2]
	if n.header.Get("x-amz-sns-message-type") != "Notification" || n.header.Get("x-amz-sns-subscription-arn") != subArn || n.header.Get("x-amz-sns-message-id") != *pub.MessageId {
		t.Fatalf("headers = %v", n.header)
	}
	d = parseDoc(t, n.body)
	wantKeys = []string{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"}
	if !reflect.DeepEqual(d.keys, wantKeys) {
		t.Fatalf("keys = %v", d.keys)
	}
	if d.str("Message") != `hello <"world"> & you` || !strings.Contains(n.body, `hello <\"world\"> & you`) || d.str("Subject") != "Greeting" ||
		d.str("UnsubscribeURL") != testEndpoint+"/?Action=Unsubscribe&Version=2010-03-31&SubscriptionArn="+subArn {
		t.Fatalf("notification = %s", n.body)
	}
	if !strings.Contains(n.body, "\n  \"MessageAttributes\" : {\n    \"kind\" : {\"Type\":\"String\",\"Value\":\"a\"}\n  }\n}") {
		t.Fatalf("attributes rendering = %s", n.body)
	}
	if err := verifyDoc(e.s.SigningCertPEM(), d); err != nil {
		t.Fatalf("notification signature: %v", err)
	}

	// Raw delivery posts the bare message.
	must(e.s.SetSubscriptionAttributes(bg, &snsapi.SetSubscriptionAttributesInput{SubscriptionArn: &subArn, AttributeName: api.Ptr("RawMessageDelivery"), AttributeValue: api.Ptr("true")}))(t)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("raw body")})
	reqs = ep.requests()
	if last := reqs[len(reqs)-1]; last.body != "raw body" || last.header.Get("x-amz-sns-rawdelivery") != "true" {
		t.Fatalf("raw = %+v", last)
	}
}

func TestDeadLetterQueue(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	ep.fail = 100
	topic := e.topic(t, "t", nil)
	dlq := "arn:aws:sqs:us-east-1:123456789012:dlq"
	must(e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: api.Ptr("http"), Endpoint: api.Ptr(ep.URL),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlq + `"}`}}))(t)
	e.s.wait()
	d := parseDoc(t, ep.requests()[0].body)
	must(e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: api.Ptr(d.str("Token"))}))(t)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("lost")})
	// The confirmation and the notification, each tried four times: AWS's
	// default policy for http is three retries.
	if n := len(ep.requests()); n != 8 {
		t.Fatalf("attempts = %d", n)
	}
	sent := e.sqs.sent()
	if len(sent) != 1 || sent[0].QueueArn != dlq || parseDoc(t, sent[0].Body).str("Message") != "lost" {
		t.Fatalf("dead letters = %+v", sent)
	}
}
