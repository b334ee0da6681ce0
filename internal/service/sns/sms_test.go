package sns

import (
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/mailbox"
)

// SMS, sent to a phone number or through an sms subscription, lands in the
// outbound mailbox with the phone number as recipient.
func TestSMSGoesToTheMailbox(t *testing.T) {
	e := newEnv(t)
	e.publish(t, &snsapi.PublishInput{PhoneNumber: api.Ptr("+818012345678"), Message: api.Ptr("direct")})
	_, err := e.s.Publish(bg, &snsapi.PublishInput{PhoneNumber: api.Ptr("090-1234-5678"), Message: api.Ptr("x")})
	wantError(t, err, "InvalidParameter", "Invalid parameter: PhoneNumber Reason: 090-1234-5678 is not valid to publish to")

	topic := e.topic(t, "alerts", nil)
	e.subscribe(t, topic, "sms", "+15555550100", nil)
	_, err = e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: api.Ptr("sms"), Endpoint: api.Ptr("not a number")})
	wantError(t, err, "InvalidParameter", "")
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, MessageStructure: api.Ptr("json"),
		Message: api.Ptr(`{"default":"long form","sms":"short"}`)})

	var sms []mailbox.Mail
	eventually(t, "two text messages", func() bool {
		all, err := e.mails.List(testAccount)
		if err != nil {
			t.Fatal(err)
		}
		sms = sms[:0]
		for _, m := range all {
			if m.Source == "sns-sms" {
				sms = append(sms, m)
			}
		}
		return len(sms) == 2
	})
	got := map[string]string{}
	for _, m := range sms {
		got[m.To[0]] = m.Text
	}
	if got["+818012345678"] != "direct" || got["+15555550100"] != "short" {
		t.Errorf("text messages = %v", got)
	}
}
