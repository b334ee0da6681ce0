package sqs

import (
	"context"

	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

// SendToArn is the Go API other kiri services deliver through (SNS
// subscriptions, Lambda dead-letter queues and destinations, EventBridge
// targets): it sends body to the queue named by queueArn, in the ARN's
// account and region, with AWS's validation. groupID and dedupID matter for
// FIFO queues only (dedupID may be empty with ContentBasedDeduplication).
// It returns the new MessageId, or the original's for a FIFO duplicate;
// errors are SQS's own (*protocol.Error), e.g. QueueDoesNotExist.
func (s *Service) SendToArn(ctx context.Context, queueArn, body string, attrs map[string]sqsapi.MessageAttributeValue, groupID, dedupID string) (string, error) {
	ref, ok := parseArn(queueArn)
	if !ok {
		return "", errParamValue(queueArn, "QueueArn", "Invalid ARN")
	}
	m := outgoing{Body: body, Attrs: attrs, GroupID: groupID, DedupID: dedupID, Sender: ref.account}
	var res sent
	var woken []queueRef
	err := s.updateIn(ref.account, ref.region, func(r *region) error {
		q, err := r.mustQueue(ref.name)
		if err != nil {
			return err
		}
		res, err = r.send(q, m)
		woken = r.woken
		return err
	})
	if err != nil {
		return "", err
	}
	for _, w := range woken {
		s.notify(w)
	}
	return res.MessageID, nil
}
