package sqs

import (
	"context"
	"encoding/base64"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/request"
)

var queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// validateName applies AWS's naming rules; a FIFO queue's name ends in .fifo
// and only a FIFO queue's does.
func validateName(name string, fifo bool) error {
	if fifo {
		base, ok := strings.CutSuffix(name, ".fifo")
		if !ok || len(name) > 80 || !queueNameRE.MatchString(base) {
			return errParam("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return nil
	}
	if len(name) > 80 || !queueNameRE.MatchString(name) {
		return errParam("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	return nil
}

// target resolves a request's QueueUrl to the account, region and name it
// names; the region is the request's, as on AWS. Without a QueueUrl, the
// queue is the request's path: on the query protocol, old clients post
// queue-scoped actions to the queue URL itself, and AWS acts on that queue.
// (The query model leaves QueueUrl optional for that reason, see
// internal/gen/query.go; the JSON model requires it, so JSON requests
// never get here without one.) A QueueUrl field, when present, wins.
func target(ctx context.Context, queueURL *string) (queueRef, error) {
	acct, reg := request.Scope(ctx)
	raw := api.Deref(queueURL)
	if raw == "" {
		raw = pathQueueURL(ctx)
	}
	if raw == "" {
		return queueRef{}, errMissing("QueueUrl")
	}
	a, name, err := queueFromURL(raw, acct)
	if err != nil {
		return queueRef{}, err
	}
	return queueRef{a, reg, name}, nil
}

// pathQueueURL is the path of an SQS request that names a queue, read as a
// QueueUrl would be; "" for a request to "/" and for calls that did not
// come to SQS over HTTP (another service's in-process call carries the
// request info of its own request, whose path is no queue).
func pathQueueURL(ctx context.Context) string {
	info := request.From(ctx)
	if info.Service != "sqs" || strings.Trim(info.Path, "/") == "" {
		return ""
	}
	return info.Path
}

// onQueue runs fn on the queue a QueueUrl names, in a write transaction
// when write is set, and wakes the long polls of every queue fn gave
// messages to once the transaction has committed.
func (s *Service) onQueue(ctx context.Context, queueURL *string, write bool, fn func(r *region, q *queueRec) error) error {
	ref, err := target(ctx, queueURL)
	if err != nil {
		return err
	}
	var woken []queueRef
	run := func(r *region) error {
		q, err := r.mustQueue(ref.name)
		if err != nil {
			return err
		}
		err = fn(r, q)
		woken = r.woken
		return err
	}
	if write {
		err = s.updateIn(ref.account, ref.region, run)
	} else {
		err = s.viewIn(ref.account, ref.region, run)
	}
	if err == nil {
		for _, w := range woken {
			s.notify(w)
		}
	}
	return err
}

// CreateQueue creates a queue, or returns the URL of an existing one whose
// attributes match those requested.
func (s *Service) CreateQueue(ctx context.Context, in *sqsapi.CreateQueueRequest) (*sqsapi.CreateQueueResult, error) {
	name := api.Deref(in.QueueName)
	fifo := false
	if v, ok := in.Attributes[attrFifoQueue]; ok {
		b, err := validateAttr(attrFifoQueue, v, true)
		if err != nil {
			return nil, err
		}
		fifo = b == "true"
	}
	if err := validateName(name, fifo); err != nil {
		return nil, err
	}
	acct, reg := request.Scope(ctx)
	var url string
	err := s.updateIn(acct, reg, func(r *region) error {
		url = r.url(name)
		now := r.now / 1000
		q := &queueRec{Name: name, Attrs: defaultAttrs(fifo), Created: now, Modified: now}
		if err := r.applyAttrs(q, in.Attributes); err != nil {
			return err
		}
		old, err := r.queue(name)
		if err != nil || old != nil {
			return sameQueue(old, q, in.Attributes, err)
		}
		if len(in.Tags) > 0 {
			q.Tags = in.Tags
		}
		return r.putQueue(q)
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.CreateQueueResult{QueueUrl: api.Ptr(url)}, nil
}

// sameQueue decides whether a CreateQueue of an existing name is the
// idempotent repeat AWS allows: every requested attribute must match.
func sameQueue(old, req *queueRec, asked map[string]string, err error) error {
	if err != nil {
		return err
	}
	if old.fifo() != req.fifo() {
		return sqsapi.NewQueueNameExists("A queue already exists with the same name and a different value for attribute %s", attrFifoQueue)
	}
	for _, k := range slices.Sorted(maps.Keys(asked)) {
		if old.Attrs[k] != req.Attrs[k] {
			return sqsapi.NewQueueNameExists("A queue already exists with the same name and a different value for attribute %s", k)
		}
	}
	return nil
}

// GetQueueUrl returns the URL of a queue by name.
func (s *Service) GetQueueUrl(ctx context.Context, in *sqsapi.GetQueueUrlRequest) (*sqsapi.GetQueueUrlResult, error) {
	acct, reg := request.Scope(ctx)
	if owner := api.Deref(in.QueueOwnerAWSAccountId); owner != "" {
		acct = owner
	}
	var url string
	err := s.viewIn(acct, reg, func(r *region) error {
		_, err := r.mustQueue(api.Deref(in.QueueName))
		url = r.url(api.Deref(in.QueueName))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.GetQueueUrlResult{QueueUrl: api.Ptr(url)}, nil
}

// ListQueues lists queue URLs by name, filtered by prefix. Without
// MaxResults AWS returns up to 1000 and no token.
func (s *Service) ListQueues(ctx context.Context, in *sqsapi.ListQueuesRequest) (*sqsapi.ListQueuesResult, error) {
	limit := api.Deref(in.MaxResults)
	if in.MaxResults != nil && (limit < 1 || limit > 1000) {
		return nil, errParamValue(limit, "MaxResults", "MaxResults must be an integer between 1 and 1000")
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	acct, reg := request.Scope(ctx)
	out := &sqsapi.ListQueuesResult{}
	err = s.viewIn(acct, reg, func(r *region) error {
		qs, err := r.queues()
		if err != nil {
			return err
		}
		var names []string
		for _, q := range qs {
			if strings.HasPrefix(q.Name, api.Deref(in.QueueNamePrefix)) && q.Name > after {
				names = append(names, q.Name)
			}
		}
		page := names
		if in.MaxResults != nil && int64(len(names)) > limit {
			page = names[:limit]
			out.NextToken = api.Ptr(encodeToken(page[len(page)-1]))
		} else if len(page) > 1000 {
			page = page[:1000]
		}
		for _, n := range page {
			out.QueueUrls = append(out.QueueUrls, r.url(n))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func encodeToken(last string) string { return base64.RawURLEncoding.EncodeToString([]byte(last)) }

func decodeToken(tok *string) (string, error) {
	if tok == nil || *tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil {
		return "", errParam("Invalid NextToken value.")
	}
	return string(b), nil
}

// DeleteQueue deletes a queue with its messages, deduplication window and
// message move tasks.
func (s *Service) DeleteQueue(ctx context.Context, in *sqsapi.DeleteQueueRequest) (*sqsapi.DeleteQueueOutput, error) {
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		if err := r.deletePrefix(r.ns.Prefix("msg", q.Name)); err != nil {
			return err
		}
		if err := r.deletePrefix(r.ns.Prefix("dedup", q.Name)); err != nil {
			return err
		}
		// Its message move tasks go too; a running one's mover notices and
		// stops.
		if err := r.deletePrefix(r.ns.Prefix("movetask", q.Name)); err != nil {
			return err
		}
		r.woken = append(r.woken, r.ref(q.Name)) // pending long polls end now
		return r.tx.Delete(r.ns.Key("queue", q.Name))
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.DeleteQueueOutput{}, nil
}

// PurgeQueue deletes every message. AWS allows one purge per queue every
// 60 seconds and refuses a second with PurgeQueueInProgress.
func (s *Service) PurgeQueue(ctx context.Context, in *sqsapi.PurgeQueueRequest) (*sqsapi.PurgeQueueOutput, error) {
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		if q.LastPurge != 0 && r.now-q.LastPurge < 60_000 {
			return sqsapi.NewPurgeQueueInProgress("Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.Name)
		}
		q.LastPurge = r.now
		if err := r.deletePrefix(r.ns.Prefix("msg", q.Name)); err != nil {
			return err
		}
		return r.putQueue(q)
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.PurgeQueueOutput{}, nil
}

// GetQueueAttributes returns the named attributes ("All" for every one).
func (s *Service) GetQueueAttributes(ctx context.Context, in *sqsapi.GetQueueAttributesRequest) (*sqsapi.GetQueueAttributesResult, error) {
	var out map[string]string
	err := s.onQueue(ctx, in.QueueUrl, false, func(r *region, q *queueRec) error {
		var err error
		out, err = r.attributes(q, in.AttributeNames)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		out = nil
	}
	return &sqsapi.GetQueueAttributesResult{Attributes: out}, nil
}

// SetQueueAttributes changes settable attributes; FifoQueue cannot change.
func (s *Service) SetQueueAttributes(ctx context.Context, in *sqsapi.SetQueueAttributesRequest) (*sqsapi.SetQueueAttributesOutput, error) {
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		if _, ok := in.Attributes[attrFifoQueue]; ok {
			return sqsapi.NewInvalidAttributeName("Invalid attribute name %s", attrFifoQueue)
		}
		if err := r.applyAttrs(q, in.Attributes); err != nil {
			return err
		}
		q.Modified = r.now / 1000
		r.woken = append(r.woken, r.ref(q.Name)) // shorter delays may free messages
		return r.putQueue(q)
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.SetQueueAttributesOutput{}, nil
}

// ListDeadLetterSourceQueues lists the queues whose RedrivePolicy targets
// this one.
func (s *Service) ListDeadLetterSourceQueues(ctx context.Context, in *sqsapi.ListDeadLetterSourceQueuesRequest) (*sqsapi.ListDeadLetterSourceQueuesResult, error) {
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := api.Deref(in.MaxResults)
	out := &sqsapi.ListDeadLetterSourceQueuesResult{QueueUrls: []string{}}
	err = s.onQueue(ctx, in.QueueUrl, false, func(r *region, dlq *queueRec) error {
		qs, err := r.queues()
		if err != nil {
			return err
		}
		arn := r.arn(dlq.Name)
		for _, q := range qs {
			p, ok := parseRedrive(q.Attrs[attrRedrive])
			if !ok || p.Target != arn || q.Name <= after {
				continue
			}
			if limit > 0 && int64(len(out.QueueUrls)) == limit {
				out.NextToken = api.Ptr(encodeToken(lastName(out.QueueUrls)))
				break
			}
			out.QueueUrls = append(out.QueueUrls, r.url(q.Name))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func lastName(urls []string) string {
	u := urls[len(urls)-1]
	return u[strings.LastIndex(u, "/")+1:]
}
