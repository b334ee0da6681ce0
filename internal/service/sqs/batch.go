package sqs

import (
	"context"
	"regexp"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
)

// The batch operations check the request as a whole (AWS fails the call
// for these), then run each entry on its own: an entry's failure is
// reported in Failed and does not stop the others.

// maxBatchBytes bounds the sum of a SendMessageBatch's messages (1 MiB).
const maxBatchBytes = 1048576

var batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// checkBatch applies the whole-request rules to the entry ids; what names
// the entry type in AWS's EmptyBatchRequest message.
func checkBatch(ids []string, what string) error {
	if len(ids) == 0 {
		return sqsapi.NewEmptyBatchRequest("There should be at least one %s in the request.", what)
	}
	if len(ids) > 10 {
		return sqsapi.NewTooManyEntriesInBatchRequest("Maximum number of entries per request are 10. You have sent %d.", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if len(id) > 80 || !batchIDRE.MatchString(id) {
			return sqsapi.NewInvalidBatchEntryId("A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return sqsapi.NewBatchEntryIdsNotDistinct("Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}

// failure is a failed entry; AWS's own errors keep their code.
func failure(id string, err error) (sqsapi.BatchResultErrorEntry, bool) {
	perr, ok := err.(*protocol.Error)
	if !ok {
		return sqsapi.BatchResultErrorEntry{}, false
	}
	return sqsapi.BatchResultErrorEntry{Id: api.Ptr(id), SenderFault: api.Ptr(perr.Sender), Code: api.Ptr(perr.WireCode()), Message: api.Ptr(perr.Message)}, true
}

// SendMessageBatch sends up to ten messages in one transaction.
func (s *Service) SendMessageBatch(ctx context.Context, in *sqsapi.SendMessageBatchRequest) (*sqsapi.SendMessageBatchResult, error) {
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = api.Deref(e.Id)
		total += messageSizeOf(e)
	}
	if err := checkBatch(ids, "SendMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	if total > maxBatchBytes {
		return nil, sqsapi.NewBatchRequestTooLong("Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxBatchBytes, total)
	}
	sender, _ := request.Scope(ctx) // SenderId: the calling account
	out := &sqsapi.SendMessageBatchResult{Successful: []sqsapi.SendMessageBatchResultEntry{}, Failed: []sqsapi.BatchResultErrorEntry{}}
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		for _, e := range in.Entries {
			res, err := r.send(q, outgoing{
				Body: api.Deref(e.MessageBody), Delay: e.DelaySeconds, Attrs: e.MessageAttributes, SysAttrs: e.MessageSystemAttributes,
				DedupID: api.Deref(e.MessageDeduplicationId), GroupID: api.Deref(e.MessageGroupId), Sender: sender,
			})
			if err != nil {
				f, ok := failure(api.Deref(e.Id), err)
				if !ok {
					return err
				}
				out.Failed = append(out.Failed, f)
				continue
			}
			out.Successful = append(out.Successful, sqsapi.SendMessageBatchResultEntry{
				Id: e.Id, MessageId: api.Ptr(res.MessageID), MD5OfMessageBody: api.Ptr(res.MD5Body), MD5OfMessageAttributes: optional(res.MD5Attrs),
				MD5OfMessageSystemAttributes: optional(res.MD5Sys), SequenceNumber: optional(res.SeqNumber),
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func messageSizeOf(e sqsapi.SendMessageBatchRequestEntry) int {
	return int(messageSize(outgoing{Body: api.Deref(e.MessageBody), Attrs: e.MessageAttributes}))
}

// DeleteMessageBatch deletes up to ten messages by receipt handle.
func (s *Service) DeleteMessageBatch(ctx context.Context, in *sqsapi.DeleteMessageBatchRequest) (*sqsapi.DeleteMessageBatchResult, error) {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = api.Deref(e.Id)
	}
	if err := checkBatch(ids, "DeleteMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	out := &sqsapi.DeleteMessageBatchResult{Successful: []sqsapi.DeleteMessageBatchResultEntry{}, Failed: []sqsapi.BatchResultErrorEntry{}}
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		for _, e := range in.Entries {
			if err := r.deleteByHandle(q, api.Deref(e.ReceiptHandle)); err != nil {
				f, ok := failure(api.Deref(e.Id), err)
				if !ok {
					return err
				}
				out.Failed = append(out.Failed, f)
				continue
			}
			out.Successful = append(out.Successful, sqsapi.DeleteMessageBatchResultEntry{Id: e.Id})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ChangeMessageVisibilityBatch changes up to ten messages' visibility.
func (s *Service) ChangeMessageVisibilityBatch(ctx context.Context, in *sqsapi.ChangeMessageVisibilityBatchRequest) (*sqsapi.ChangeMessageVisibilityBatchResult, error) {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = api.Deref(e.Id)
	}
	if err := checkBatch(ids, "ChangeMessageVisibilityBatchRequestEntry"); err != nil {
		return nil, err
	}
	out := &sqsapi.ChangeMessageVisibilityBatchResult{Successful: []sqsapi.ChangeMessageVisibilityBatchResultEntry{}, Failed: []sqsapi.BatchResultErrorEntry{}}
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		for _, e := range in.Entries {
			timeout := e.VisibilityTimeout
			if timeout == nil {
				timeout = api.Ptr(int64(0))
			}
			if err := r.changeVisibility(q, api.Deref(e.ReceiptHandle), timeout); err != nil {
				f, ok := failure(api.Deref(e.Id), err)
				if !ok {
					return err
				}
				out.Failed = append(out.Failed, f)
				continue
			}
			out.Successful = append(out.Successful, sqsapi.ChangeMessageVisibilityBatchResultEntry{Id: e.Id})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
