package sqs

import (
	"context"

	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

// TagQueue adds or replaces tags.
func (s *Service) TagQueue(ctx context.Context, in *sqsapi.TagQueueRequest) (*sqsapi.TagQueueOutput, error) {
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		if q.Tags == nil {
			q.Tags = map[string]string{}
		}
		for k, v := range in.Tags {
			q.Tags[k] = v
		}
		if len(q.Tags) > 50 {
			return errParam("Too many tags added for queue %s.", q.Name)
		}
		return r.putQueue(q)
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.TagQueueOutput{}, nil
}

// UntagQueue removes tags by key; unknown keys are ignored.
func (s *Service) UntagQueue(ctx context.Context, in *sqsapi.UntagQueueRequest) (*sqsapi.UntagQueueOutput, error) {
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		for _, k := range in.TagKeys {
			delete(q.Tags, k)
		}
		return r.putQueue(q)
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.UntagQueueOutput{}, nil
}

// ListQueueTags returns the queue's tags.
func (s *Service) ListQueueTags(ctx context.Context, in *sqsapi.ListQueueTagsRequest) (*sqsapi.ListQueueTagsResult, error) {
	out := &sqsapi.ListQueueTagsResult{}
	err := s.onQueue(ctx, in.QueueUrl, false, func(r *region, q *queueRec) error {
		if len(q.Tags) > 0 {
			out.Tags = q.Tags
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
