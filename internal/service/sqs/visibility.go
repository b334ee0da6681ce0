package sqs

import (
	"context"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

// DeleteMessage deletes the message a receipt handle names. As AWS
// documents, on a standard queue a handle from an earlier receive succeeds
// without deleting (only the latest receive's handle deletes), and deleting
// a message that is already gone succeeds too. On a FIFO queue a handle
// whose visibility timeout has passed has expired, which AWS refuses.
func (s *Service) DeleteMessage(ctx context.Context, in *sqsapi.DeleteMessageRequest) (*sqsapi.DeleteMessageOutput, error) {
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		return r.deleteByHandle(q, api.Deref(in.ReceiptHandle))
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.DeleteMessageOutput{}, nil
}

func (r *region) deleteByHandle(q *queueRec, raw string) error {
	h, ok := decodeHandle(raw)
	if !ok || h.queue != q.Name {
		return errBadHandle(raw)
	}
	m, err := r.msg(q.Name, h.seq)
	if err != nil || m == nil {
		return err
	}
	if q.fifo() && (m.Token != h.token || !m.inFlight(r.now)) {
		return errParamValue(raw, "ReceiptHandle", "The receipt handle has expired")
	}
	if m.Token != h.token {
		return nil
	}
	return r.deleteMsg(q.Name, h.seq)
}

// ChangeMessageVisibility sets the remaining visibility timeout of an
// in-flight message; 0 makes it visible at once.
func (s *Service) ChangeMessageVisibility(ctx context.Context, in *sqsapi.ChangeMessageVisibilityRequest) (*sqsapi.ChangeMessageVisibilityOutput, error) {
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		return r.changeVisibility(q, api.Deref(in.ReceiptHandle), in.VisibilityTimeout)
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.ChangeMessageVisibilityOutput{}, nil
}

func (r *region) changeVisibility(q *queueRec, raw string, timeout *int64) error {
	if timeout == nil {
		return errMissing("VisibilityTimeout")
	}
	if *timeout < 0 || *timeout > 43200 {
		return errParamValue(*timeout, "VisibilityTimeout", "Must be between 0 and 43200, if provided")
	}
	h, ok := decodeHandle(raw)
	if !ok || h.queue != q.Name {
		return errBadHandle(raw)
	}
	m, err := r.msg(q.Name, h.seq)
	if err != nil {
		return err
	}
	if m == nil || m.Token != h.token || !m.inFlight(r.now) {
		return errNotInflight()
	}
	m.VisibleAt = r.now + *timeout*1000
	if *timeout == 0 {
		r.woken = append(r.woken, r.ref(q.Name))
	}
	return r.putMsg(q.Name, h.seq, m)
}
