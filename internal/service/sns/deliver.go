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
	"github.com/kiricloud/kiri/internal/store"
)

// fanOut delivers an accepted message to each of its subscriptions, each
// in its own goroutine: Publish returns once the message is accepted (and
// its deliveries stored), as on AWS, and a slow or failing endpoint delays
// no other.
func (s *Service) fanOut(p *published) {
	for _, d := range p.deliveries {
		s.start(d)
	}
}

// start runs the stored delivery d in the background. A FIFO topic
// delivers to each subscription in publish order, so its deliveries queue
// on the subscription's lane.
func (s *Service) start(d *deliveryRec) {
	if d.fifo() {
		s.inLane(d.SubArn, func(ctx context.Context) { s.run(ctx, d) })
		return
	}
	s.goDeliver(func(ctx context.Context) { s.run(ctx, d) })
}

// resume starts every stored delivery, as New does: those of a kiri that
// stopped before making them. They are read in key order, so each FIFO
// subscription's lane gets them in publish order.
func (s *Service) resume() {
	var pending []*deliveryRec
	err := s.st.View(func(tx store.Tx) error {
		return scanJSON(tx, globalNS.Prefix("delivery"), nil, func(_ []byte, d *deliveryRec) error {
			pending = append(pending, d)
			return nil
		})
	})
	if err != nil {
		s.logf("sns: reading pending deliveries: %v", err)
	}
	for _, d := range pending {
		s.start(d)
	}
}

// run makes the stored delivery d, retrying as deliver does, and forgets it
// once made or given up on. A delivery cut short by Close stays stored for
// the next start: at least once, as on AWS.
func (s *Service) run(ctx context.Context, d *deliveryRec) {
	if ctx.Err() != nil {
		return
	}
	// Deliveries act in the topic's account, as SNS's own calls to SQS
	// and Lambda do on AWS.
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "sns", Account: d.Account, Region: d.Region})
	if d.Plan == nil {
		d.Plan = s.plan(s.topicDeliveryPolicy(d.ref()), &d.Sub)
	}
	n := d.N
	if err := s.sign(&n, d.SigVersion); err != nil {
		s.logf("sns: sign notification %s: %v", n.MessageID, err)
		return // stays stored; tried again at the next start
	}
	err := s.deliver(ctx, d, &n)
	if err != nil && ctx.Err() != nil {
		return
	}
	if err != nil {
		s.logf("sns: delivery of %s to %s %s failed: %v", n.MessageID, d.Sub.Protocol, d.Sub.Endpoint, err)
		if err := s.deadLetter(ctx, d, &n); err != nil && ctx.Err() != nil {
			return
		}
	}
	if err := s.st.Update(func(tx store.Tx) error { return tx.Delete(d.key()) }); err != nil {
		s.logf("sns: forgetting delivery of %s to %s: %v", n.MessageID, d.SubArn, err)
	}
}

// failed records a failed attempt at d and when the next is due.
func (s *Service) failed(d *deliveryRec, delay time.Duration) {
	d.Attempts++
	d.Next = s.now().Add(delay).UnixMilli()
	if err := s.st.Update(func(tx store.Tx) error { return store.PutJSON(tx, d.key(), d) }); err != nil {
		s.logf("sns: recording attempt at %s for %s: %v", d.N.MessageID, d.SubArn, err)
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

// deliver makes the delivery d of n, its signed notification.
func (s *Service) deliver(ctx context.Context, d *deliveryRec, n *notification) error {
	sub := &d.Sub
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
			body, attrs = n.Message, n.Attributes
		}
		return s.retry(ctx, d, d.Plan, func() error {
			_, err := s.cfg.Queues.SendToArn(ctx, sub.Endpoint, body, attrs, d.GroupID, d.DedupID)
			return err
		})
	case "lambda":
		if s.cfg.Functions == nil {
			return fmt.Errorf("no Lambda configured")
		}
		payload, err := n.lambdaPayload(d.SubArn)
		if err != nil {
			return err
		}
		return s.retry(ctx, d, d.Plan, func() error { return s.cfg.Functions.InvokeEvent(ctx, sub.Endpoint, n.TopicArn, payload) })
	case "http", "https":
		return s.postHTTP(ctx, d, d.Plan, sub.Endpoint, n, d.SubArn, raw)
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
		ref := d.ref()
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
	case "sms":
		return s.sendSMS(ctx, d.Account, d.Region, sub.Endpoint, n.Message, n.Attributes)
	case "application":
		return s.push(ctx, sub.Endpoint, n.Message) // n.Message is the endpoint platform's body (see enqueue)
	}
	// firehose subscriptions are recorded but kiri has nowhere to
	// deliver them.
	return nil
}

// permanent marks an error that retrying cannot cure.
type permanent struct{ error }

// deliveryPlan is how a delivery is retried and sent, from the delivery
// policies in force when its message was accepted.
type deliveryPlan struct {
	Waits       []int64 `json:"waits,omitempty"`       // ms before each retry, before DelayScale
	ContentType string  `json:"contentType,omitempty"` // of http/https POSTs; "": the default
	PerSecond   int     `json:"perSecond,omitempty"`   // maxReceivesPerSecond; 0: unthrottled
}

// plan is the delivery plan of sub under its topic's DeliveryPolicy
// topicDP. Only http/https subscriptions have delivery policies; the
// others retry as kiri's managedWaits say.
func (s *Service) plan(topicDP string, sub *subRec) *deliveryPlan {
	if sub.Protocol != "http" && sub.Protocol != "https" {
		return &deliveryPlan{Waits: millis(s.managedWaits)}
	}
	eff := effectiveHTTPPolicy(topicDP, sub.Attrs["DeliveryPolicy"])
	p := &deliveryPlan{Waits: millis(eff.Retry.waits()), ContentType: eff.Request.HeaderContentType}
	if eff.Throttle != nil {
		p.PerSecond = eff.Throttle.MaxReceivesPerSecond
	}
	return p
}

func millis(ds []time.Duration) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.Milliseconds()
	}
	return out
}

// topicDeliveryPolicy is the DeliveryPolicy of the topic ref, "" when it
// has none or is gone.
func (s *Service) topicDeliveryPolicy(ref topicRef) string {
	var dp string
	_ = s.viewIn(ref.account, ref.region, func(r *region) error {
		if t, err := r.topic(ref.name); err == nil {
			dp = t.Attrs["DeliveryPolicy"]
		}
		return nil
	})
	return dp
}

// scaled is a wait of ms milliseconds at the configured DelayScale.
func (s *Service) scaled(ms int64) time.Duration {
	return time.Duration(float64(ms) * float64(time.Millisecond) * s.scale)
}

// sleep waits for d or until ctx ends, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// retry runs fn until it succeeds, trying again after each of plan's
// waits, or until ctx ends or fn fails permanently. With a stored
// delivery d, it goes on from d's attempts, waits until d's next attempt
// is due, and records each failed attempt in the store.
func (s *Service) retry(ctx context.Context, d *deliveryRec, plan *deliveryPlan, fn func() error) error {
	attempts := 0
	if d != nil {
		attempts = d.Attempts
		if !sleep(ctx, time.UnixMilli(d.Next).Sub(s.now())) {
			return ctx.Err()
		}
	}
	for ; ; attempts++ {
		err := fn()
		if _, ok := err.(permanent); ok || err == nil || ctx.Err() != nil || attempts >= len(plan.Waits) {
			return err
		}
		delay := s.scaled(plan.Waits[attempts])
		if d != nil {
			s.failed(d, delay)
		}
		if !sleep(ctx, delay) {
			return err
		}
	}
}

// throttle waits for the next delivery slot of a subscription whose
// policy allows it perSecond deliveries a second. Slots are kept in
// memory only: after a restart a subscription starts unthrottled.
func (s *Service) throttle(ctx context.Context, subArn string, perSecond int) bool {
	if perSecond <= 0 {
		return true
	}
	now := time.Now() // real time: the slot is slept until
	s.throttleMu.Lock()
	slot := s.nextSlot[subArn]
	if slot.Before(now) {
		slot = now
	}
	s.nextSlot[subArn] = slot.Add(s.scaled(1000 / int64(perSecond)))
	s.throttleMu.Unlock()
	return sleep(ctx, slot.Sub(now))
}

// postHTTP POSTs n to an http/https endpoint as SNS does, retrying and
// throttled as plan says: any answer outside 200–499 and any transport
// error count as failures (AWS treats 4xx other than 429 as permanent, as
// here).
func (s *Service) postHTTP(ctx context.Context, d *deliveryRec, plan *deliveryPlan, endpoint string, n *notification, subArn string, raw bool) error {
	body := n.JSON()
	if raw {
		body = n.Message
	}
	contentType := plan.ContentType
	if contentType == "" {
		contentType = defaultContentType
	}
	return s.retry(ctx, d, plan, func() error {
		if !s.throttle(ctx, subArn, plan.PerSecond) {
			return ctx.Err()
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
		if err != nil {
			return err
		}
		h := req.Header
		h.Set("Content-Type", contentType)
		h.Set("User-Agent", "Amazon Simple Notification Service Agent")
		h.Set("x-amz-sns-message-type", n.Type)
		h.Set("x-amz-sns-message-id", n.MessageID)
		h.Set("x-amz-sns-topic-arn", n.TopicArn)
		if n.Type == typeNotification || n.Type == typeUnsubscribeConfirmation {
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
// receive it. It returns the queue's error, having logged it.
func (s *Service) deadLetter(ctx context.Context, d *deliveryRec, n *notification) error {
	sub := &d.Sub
	var policy struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if sub.Attrs["RedrivePolicy"] == "" || json.Unmarshal([]byte(sub.Attrs["RedrivePolicy"]), &policy) != nil || policy.DeadLetterTargetArn == "" {
		return nil
	}
	if s.cfg.Queues == nil {
		return nil
	}
	body, attrs := n.JSON(), map[string]MessageAttribute(nil)
	if sub.Attrs["RawMessageDelivery"] == "true" {
		body, attrs = n.Message, n.Attributes
	}
	if _, err := s.cfg.Queues.SendToArn(ctx, policy.DeadLetterTargetArn, body, attrs, d.GroupID, d.DedupID); err != nil {
		s.logf("sns: dead-letter queue %s: %v", policy.DeadLetterTargetArn, err)
		return err
	}
	return nil
}
