package sqs

import (
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

// A dead-letter queue's RedriveAllowPolicy decides which queues may name
// it in their RedrivePolicy.
func TestRedriveAllowPolicy(t *testing.T) {
	s, _ := newTestService(t)
	redriveTo := func(dlq string) map[string]string {
		return map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:` + dlq + `","maxReceiveCount":3}`}
	}
	setAllow := func(url, policy string) error {
		_, err := s.SetQueueAttributes(bg, &sqsapi.SetQueueAttributesRequest{QueueUrl: api.Ptr(url), Attributes: map[string]string{"RedriveAllowPolicy": policy}})
		return err
	}

	dlq := createQueue(t, s, "dlq", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:123456789012:allowed"]}`})
	createQueue(t, s, "allowed", redriveTo("dlq"))
	_, err := s.CreateQueue(bg, &sqsapi.CreateQueueRequest{QueueName: api.Ptr("other"), Attributes: redriveTo("dlq")})
	wantError(t, err, "InvalidParameterValue", "")

	if err := setAllow(dlq, `{"redrivePermission":"denyAll"}`); err != nil {
		t.Fatal(err)
	}
	other := createQueue(t, s, "other", nil)
	_, err = s.SetQueueAttributes(bg, &sqsapi.SetQueueAttributesRequest{QueueUrl: api.Ptr(other), Attributes: redriveTo("dlq")})
	wantError(t, err, "InvalidParameterValue", "")

	if err := setAllow(dlq, `{"redrivePermission":"allowAll"}`); err != nil {
		t.Fatal(err)
	}
	must(s.SetQueueAttributes(bg, &sqsapi.SetQueueAttributesRequest{QueueUrl: api.Ptr(other), Attributes: redriveTo("dlq")}))(t)

	for _, bad := range []string{
		`{"redrivePermission":"byQueue"}`,
		`{"redrivePermission":"allowAll","sourceQueueArns":["arn:aws:sqs:us-east-1:123456789012:other"]}`,
		`{"redrivePermission":"sometimes"}`,
		`not json`,
	} {
		wantError(t, setAllow(dlq, bad), "InvalidParameterValue", "")
	}
	if got := queueAttr(t, s, dlq, "RedriveAllowPolicy"); got != `{"redrivePermission":"allowAll"}` {
		t.Errorf("after rejected updates RedriveAllowPolicy = %s", got)
	}
}
