package sns

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/mailbox"
	"github.com/kiricloud/kiri/internal/request"
)

// fanOut delivers an accepted message to each of its subscriptions, each
// in its own goroutine: Publish returns once the message is accepted, as on
// AWS, and a slow or failing endpoint delays no other.
//
// Deliveries are not persisted: a kiri that stops while one is under way
// (or waiting to retry) loses it.
func (s *Service) fanOut(ref topicRef, p *published, now time.Time) {
	if p.duplicate || len(p.subs) == 0 {
		return
	}
	topicArn := "arn:aws:sns:" + ref.region + ":" + ref.account + ":" + ref.name
	timestamp := now.UTC().Format(timestampLayout)
	for _, sub := range p.subs {
		subArn := topicArn + ":" + sub.ID
		run := s.goDeliver
		if p.seq != "" {
			// A FIFO topic delivers to each subscription in publish order.
			run = func(fn func(context.Context)) { s.inLane(subArn, fn) }
		}
		run(func(ctx context.Context) {
			// Deliveries act in the topic's account, as SNS's own calls
			// to SQS and Lambda do on AWS.
			ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "sns", Account: ref.account, Region: ref.region})
			body := p.msg.bodyFor(sub.Protocol)
			if !s.matches(sub, p.msg.attrs, body) {
				return
			}
			n := &notification{
				Type: typeNotification, MessageID: p.id, SequenceNumber: p.seq, TopicArn: topicArn,
				Subject: p.msg.subject, Message: body, Timestamp: timestamp,
				UnsubscribeURL: s.unsubscribeURL(subArn), Attributes: p.msg.attrs,
			}
			if err := s.sign(n, p.sigVersion); err != nil {
				s.logf("sns: sign notification %s: %v", p.id, err)
				return
			}
			if err := s.deliver(ctx, ref, sub, subArn, n, p.msg); err != nil {
				s.logf("sns: delivery of %s to %s %s failed: %v", p.id, sub.Protocol, sub.Endpoint, err)
				s.deadLetter(ctx, sub, n, p.msg)
			}
		})
	}
}

// lane runs the deliveries of one FIFO subscription one at a time, in the
// order they were queued; a delivery being retried holds up the ones behind
// it, as a FIFO subscription does on AWS.
type lane struct {
	queue   []func(context.Context)
	running bool
}

// inLane queues fn on the lane of key, starting the lane's goroutine if it
// is idle. Publish queues before it returns, so messages published one
// after the other are delivered in that order.
func (s *Service) inLane(key string, fn func(context.Context)) {
	s.lanesMu.Lock()
	defer s.lanesMu.Unlock()
	l := s.lanes[key]
	if l == nil {
		l = &lane{}
		s.lanes[key] = l
	}
	l.queue = append(l.queue, fn)
	if l.running {
		return
	}
	l.running = true
	s.goDeliver(func(ctx context.Context) {
		for {
			s.lanesMu.Lock()
			if len(l.queue) == 0 {
				l.running = false
				delete(s.lanes, key)
				s.lanesMu.Unlock()
				return
			}
			next := l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
			s.lanesMu.Unlock()
			next(ctx)
		}
	})
}

// deliver makes one delivery of n to sub.
func (s *Service) deliver(ctx context.Context, ref topicRef, sub *subRec, subArn string, n *notification, m *message) error {
	raw := sub.Attrs["RawMessageDelivery"] == "true"
	switch sub.Protocol {
	case "sqs":
		if s.cfg.Queues == nil {
			return fmt.Errorf("no SQS configured")
		}
		// Raw delivery sends the bare message with its attributes as
		// SQS message attributes; otherwise the attributes travel inside
		// the notification document.
		body, attrs := n.JSON(), map[string]MessageAttribute(nil)
		if raw {
			body, attrs = n.Message, m.attrs
		}
		groupID, dedupID := "", ""
		if n.SequenceNumber != "" {
			groupID, dedupID = m.groupID, m.dedupID
		}
		return s.retry(ctx, func() error {
			_, err := s.cfg.Queues.SendToArn(ctx, sub.Endpoint, body, attrs, groupID, dedupID)
			return err
		})
	case "lambda":
		if s.cfg.Functions == nil {
			return fmt.Errorf("no Lambda configured")
		}
		payload, err := n.lambdaPayload(subArn)
		if err != nil {
			return err
		}
		return s.retry(ctx, func() error { return s.cfg.Functions.InvokeEvent(ctx, sub.Endpoint, n.TopicArn, payload) })
	case "http", "https":
		return s.postHTTP(ctx, sub.Endpoint, n, subArn, raw)
	case "email", "email-json":
		if s.cfg.Mailbox == nil {
			return fmt.Errorf("no mailbox configured")
		}
		subject := n.Subject
		if subject == "" {
			subject = defaultMailSubject
		}
		text := n.JSON()
		if sub.Protocol == "email" {
			text = notificationMailText(n.Message, n.UnsubscribeURL)
		}
		displayName := ""
		_ = s.viewIn(ref.account, ref.region, func(r *region) error {
			if t, err := r.topic(ref.name); err == nil {
				displayName = t.Attrs["DisplayName"]
			}
			return nil
		})
		_, err := s.cfg.Mailbox.Deliver(ctx, mailbox.Mail{
			Account: ref.account, Source: "sns", From: mailFrom(displayName), To: []string{sub.Endpoint},
			Subject: subject, Text: text, Time: s.now(),
		})
		return err
	}
	// sms, application and firehose subscriptions are recorded but kiri
	// has nowhere to deliver them.
	return nil
}

// permanent marks an error that retrying cannot cure.
type permanent struct{ error }

// retry runs fn until it succeeds, trying again after each of
// s.retryDelays, or until ctx ends or fn fails permanently.
func (s *Service) retry(ctx context.Context, fn func() error) error {
	err := fn()
	for _, d := range s.retryDelays {
		if _, ok := err.(permanent); ok || err == nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(d):
		}
		err = fn()
	}
	return err
}

// postHTTP POSTs n to an http/https endpoint as SNS does, retrying on
// failure: any answer outside 200–499 and any transport error count as
// failures (AWS treats 4xx other than 429 as permanent, as here).
func (s *Service) postHTTP(ctx context.Context, endpoint string, n *notification, subArn string, raw bool) error {
	body := n.JSON()
	if raw {
		body = n.Message
	}
	return s.retry(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
		if err != nil {
			return err
		}
		h := req.Header
		h.Set("Content-Type", "text/plain; charset=UTF-8")
		h.Set("User-Agent", "Amazon Simple Notification Service Agent")
		h.Set("x-amz-sns-message-type", n.Type)
		h.Set("x-amz-sns-message-id", n.MessageID)
		h.Set("x-amz-sns-topic-arn", n.TopicArn)
		if n.Type == typeNotification {
			h.Set("x-amz-sns-subscription-arn", subArn)
		}
		if raw {
			h.Set("x-amz-sns-rawdelivery", "true")
		}
		resp, err := s.client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		if resp.StatusCode >= 400 {
			return permanent{fmt.Errorf("HTTP %d", resp.StatusCode)} // AWS does not retry it either
		}
		return nil
	})
}

// deadLetter sends a message that could not be delivered to the
// subscription's dead-letter queue (RedrivePolicy deadLetterTargetArn), in
// the form an sqs subscription with the same RawMessageDelivery would
// receive it.
func (s *Service) deadLetter(ctx context.Context, sub *subRec, n *notification, m *message) {
	var policy struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if sub.Attrs["RedrivePolicy"] == "" || json.Unmarshal([]byte(sub.Attrs["RedrivePolicy"]), &policy) != nil || policy.DeadLetterTargetArn == "" {
		return
	}
	if s.cfg.Queues == nil {
		return
	}
	body, attrs := n.JSON(), map[string]MessageAttribute(nil)
	if sub.Attrs["RawMessageDelivery"] == "true" {
		body, attrs = n.Message, m.attrs
	}
	groupID, dedupID := "", ""
	if n.SequenceNumber != "" {
		groupID, dedupID = m.groupID, m.dedupID
	}
	if _, err := s.cfg.Queues.SendToArn(ctx, policy.DeadLetterTargetArn, body, attrs, groupID, dedupID); err != nil {
		s.logf("sns: dead-letter queue %s: %v", policy.DeadLetterTargetArn, err)
	}
}
