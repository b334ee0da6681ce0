package sns

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/store"
)

// TestRestart: topics, subscriptions (with a pending one's token) and the
// signing certificate survive a restart.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, st)
	topic := e.topic(t, "t", map[string]string{"DisplayName": "D"})
	sqsSub := e.subscribe(t, topic, "sqs", queueArn, map[string]string{"RawMessageDelivery": "true"})
	e.subscribe(t, topic, "email", "a@example.com", nil)
	cert := e.s.SigningCertPEM()
	token := must(urlQuery(findLink(t, must(e.mails.List(""))(t)[0].Text, testEndpoint)))(t).Get("Token")
	_ = e.s.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e = newEnvOn(t, st)
	if got := e.s.SigningCertPEM(); !bytes.Equal(got, cert) {
		t.Fatal("signing certificate changed across restart")
	}
	attrs := must(e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: &topic}))(t).Attributes
	if attrs["DisplayName"] != "D" || attrs["SubscriptionsConfirmed"] != "1" || attrs["SubscriptionsPending"] != "1" {
		t.Fatalf("attrs = %v", attrs)
	}
	must(e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: &token}))(t)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("after restart")})
	if sent := e.sqs.sent(); len(sent) != 1 || sent[0].Body != "after restart" {
		t.Fatalf("sent = %+v", sent)
	}
	if mails := must(e.mails.List(""))(t); len(mails) != 2 {
		t.Fatalf("mails = %d", len(mails))
	}
	sa := must(e.s.GetSubscriptionAttributes(bg, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &sqsSub}))(t).Attributes
	if sa["RawMessageDelivery"] != "true" {
		t.Fatalf("sub attrs = %v", sa)
	}
}

func TestListSubscriptionsPaging(t *testing.T) {
	e := newEnv(t)
	a := e.topic(t, "a", nil)
	b := e.topic(t, "b", nil)
	for i := range 150 {
		e.subscribe(t, a, "sqs", fmt.Sprintf("arn:aws:sqs:us-east-1:123456789012:q%d", i), nil)
		e.subscribe(t, b, "sqs", fmt.Sprintf("arn:aws:sqs:us-east-1:123456789012:q%d", i), nil)
	}
	count := func(list func(tok *string) ([]snsapi.Subscription, *string)) (int, int) {
		n, pages := 0, 0
		var tok *string
		seen := map[string]bool{}
		for {
			subs, next := list(tok)
			pages++
			for _, s := range subs {
				if seen[*s.SubscriptionArn] {
					t.Fatalf("listed twice: %s", *s.SubscriptionArn)
				}
				seen[*s.SubscriptionArn] = true
			}
			n += len(subs)
			if next == nil {
				return n, pages
			}
			tok = next
		}
	}
	n, pages := count(func(tok *string) ([]snsapi.Subscription, *string) {
		out := must(e.s.ListSubscriptions(bg, &snsapi.ListSubscriptionsInput{NextToken: tok}))(t)
		return out.Subscriptions, out.NextToken
	})
	if n != 300 || pages != 3 {
		t.Fatalf("ListSubscriptions: %d in %d pages", n, pages)
	}
	n, pages = count(func(tok *string) ([]snsapi.Subscription, *string) {
		out := must(e.s.ListSubscriptionsByTopic(bg, &snsapi.ListSubscriptionsByTopicInput{TopicArn: &b, NextToken: tok}))(t)
		return out.Subscriptions, out.NextToken
	})
	if n != 150 || pages != 2 {
		t.Fatalf("ListSubscriptionsByTopic: %d in %d pages", n, pages)
	}
	_, err := e.s.ListSubscriptions(bg, &snsapi.ListSubscriptionsInput{NextToken: api.Ptr("!!")})
	wantError(t, err, "InvalidParameter", "")
}
