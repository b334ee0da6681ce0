package sqs

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/store"
)

// receiveOpts are a ReceiveMessage's validated parameters.
type receiveOpts struct {
	max        int
	visibility *int64 // nil: the queue's VisibilityTimeout
	sysAttrs   map[string]bool
	allSys     bool
	msgAttrs   []string
}

func receiveOptions(in *sqsapi.ReceiveMessageRequest) (receiveOpts, error) {
	o := receiveOpts{max: 1, visibility: in.VisibilityTimeout, sysAttrs: map[string]bool{}, msgAttrs: in.MessageAttributeNames}
	if in.MaxNumberOfMessages != nil {
		if n := *in.MaxNumberOfMessages; n < 1 || n > 10 {
			return o, errParamValue(n, "MaxNumberOfMessages", "Must be between 1 and 10, if provided")
		}
		o.max = int(*in.MaxNumberOfMessages)
	}
	if v := in.VisibilityTimeout; v != nil && (*v < 0 || *v > 43200) {
		return o, errParamValue(*v, "VisibilityTimeout", "Must be between 0 and 43200, if provided")
	}
	if w := in.WaitTimeSeconds; w != nil && (*w < 0 || *w > 20) {
		return o, errParamValue(*w, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided")
	}
	// AttributeNames is the deprecated spelling of MessageSystemAttributeNames;
	// clients send either. "All" is matched case-insensitively (the seed's
	// prose writes ['ALL']).
	for _, n := range append(append([]string(nil), in.AttributeNames...), in.MessageSystemAttributeNames...) {
		if strings.EqualFold(n, "All") {
			o.allSys = true
		}
		o.sysAttrs[n] = true
	}
	return o, nil
}

// ReceiveMessage returns up to MaxNumberOfMessages visible messages and
// hides them for the visibility timeout. With WaitTimeSeconds (or the
// queue's ReceiveMessageWaitTimeSeconds) it long-polls: it waits on the
// queue's wake-up channel, so it returns as soon as a send, a visibility
// change or a delay's end makes a message available.
func (s *Service) ReceiveMessage(ctx context.Context, in *sqsapi.ReceiveMessageRequest) (*sqsapi.ReceiveMessageResult, error) {
	opts, err := receiveOptions(in)
	if err != nil {
		return nil, err
	}
	ref, err := target(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	var deadline time.Time
	for first := true; ; first = false {
		wake := s.signal(ref) // before the attempt, so no send slips between
		got, err := s.receiveOnce(ctx, in, opts)
		if err != nil {
			return nil, err
		}
		if first {
			wait := got.wait
			if in.WaitTimeSeconds != nil {
				wait = *in.WaitTimeSeconds
			}
			deadline = time.Now().Add(time.Duration(wait) * time.Second)
		}
		if len(got.messages) > 0 || !time.Now().Before(deadline) {
			return &sqsapi.ReceiveMessageResult{Messages: got.messages}, nil
		}
		if !s.sleep(ctx, wake, deadline, got.nextVisible) {
			return &sqsapi.ReceiveMessageResult{}, nil
		}
	}
}

// sleep waits for a wake-up, the deadline or the next message's visibility
// (judged by the service clock); false when the poll must end now.
func (s *Service) sleep(ctx context.Context, wake <-chan struct{}, deadline time.Time, nextVisible int64) bool {
	d := time.Until(deadline)
	if nextVisible > 0 {
		d = min(d, time.Duration(nextVisible-s.nowMillis())*time.Millisecond)
	}
	t := time.NewTimer(max(d, time.Millisecond))
	defer t.Stop()
	select {
	case <-wake:
		return true
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closed:
		return false
	}
}

// attempt is the outcome of one pass over a queue.
type attempt struct {
	messages    []sqsapi.Message
	wait        int64 // the queue's ReceiveMessageWaitTimeSeconds
	nextVisible int64 // ms; the earliest hidden message's visibility, 0 if none
}

// receiveOnce makes one pass in a write transaction. Polling an empty queue
// writes nothing, and the store commits (and fsyncs) only transactions that
// wrote.
func (s *Service) receiveOnce(ctx context.Context, in *sqsapi.ReceiveMessageRequest, opts receiveOpts) (attempt, error) {
	var out attempt
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		out = attempt{wait: r.intAttr(q, attrWait, 0)}
		picks, err := r.scanForReceive(q, opts.max, &out)
		if err != nil {
			return err
		}
		return r.applyPicks(q, picks, opts, &out)
	})
	return out, err
}

// pick is what a pass decided for one message.
type pick struct {
	storedMsg
	action int
}

const (
	actDeliver = iota
	actExpire
	actDeadLetter
)

// scanForReceive decides, in send order, what a receive does: expired
// messages are dropped, messages received maxReceiveCount times go to the
// dead-letter queue, up to max visible ones are delivered, and in a FIFO
// queue a group with a hidden message is skipped whole. Decisions are
// applied after the scan (a cursor must not see its own writes).
func (r *region) scanForReceive(q *queueRec, max int, out *attempt) ([]pick, error) {
	retention := r.retentionMillis(q)
	redrive, hasRedrive := parseRedrive(q.Attrs[attrRedrive])
	blocked := map[string]bool{}
	var picks []pick
	delivering := 0
	err := r.scanMsgs(q.Name, func(m storedMsg) error {
		switch {
		case r.now-m.Sent >= retention:
			picks = append(picks, pick{m, actExpire})
		case q.fifo() && blocked[m.GroupID]:
		case m.VisibleAt > r.now:
			blocked[m.GroupID] = true
			if out.nextVisible == 0 || m.VisibleAt < out.nextVisible {
				out.nextVisible = m.VisibleAt
			}
		case hasRedrive && m.ReceiveCount >= redrive.MaxReceive:
			picks = append(picks, pick{m, actDeadLetter})
		default:
			picks = append(picks, pick{m, actDeliver})
			if delivering++; delivering == max {
				return store.ErrStop
			}
		}
		return nil
	})
	return picks, err
}

func (r *region) applyPicks(q *queueRec, picks []pick, opts receiveOpts, out *attempt) error {
	visibility := r.intAttr(q, attrVisibility, defaultVisibility)
	if opts.visibility != nil {
		visibility = *opts.visibility
	}
	for _, p := range picks {
		if err := r.apply(q, p, visibility, opts, out); err != nil {
			return err
		}
	}
	return nil
}

func (r *region) apply(q *queueRec, p pick, visibility int64, opts receiveOpts, out *attempt) error {
	switch p.action {
	case actExpire:
		return r.deleteMsg(q.Name, p.seq)
	case actDeadLetter:
		moved, err := r.deadLetter(q, p.storedMsg)
		if moved || err != nil {
			return err
		}
		// The dead-letter queue is gone: deliver the message rather than
		// strand it.
	}
	m := p.msgRec
	m.ReceiveCount++
	if m.FirstReceive == 0 {
		m.FirstReceive = r.now
	}
	m.Token = newToken()
	m.VisibleAt = r.now + visibility*1000
	if err := r.putMsg(q.Name, p.seq, m); err != nil {
		return err
	}
	out.messages = append(out.messages, r.render(q, p.storedMsg, opts))
	return nil
}

// deadLetter moves a message to the queue its source's RedrivePolicy
// names. The MessageId and SentTimestamp stay, as on AWS. It reports false
// when the dead-letter queue no longer exists.
func (r *region) deadLetter(q *queueRec, m storedMsg) (bool, error) {
	p, _ := parseRedrive(q.Attrs[attrRedrive])
	ref, _ := parseArn(p.Target)
	dlq, err := r.queue(ref.name)
	if err != nil || dlq == nil {
		return false, err
	}
	if err := r.deleteMsg(q.Name, m.seq); err != nil {
		return false, err
	}
	dlq.Seq++
	moved := *m.msgRec
	moved.VisibleAt, moved.Token, moved.DLQSource = r.now, "", r.arn(q.Name)
	if dlq.fifo() {
		// AWS's developer guide: in a FIFO dead-letter queue the message
		// is enqueued anew (retention counts from now; a standard queue's
		// message keeps its original timestamp), and its deduplication ID
		// becomes its message ID, so two dead messages that shared one are
		// both kept.
		moved.SeqNumber = sequenceNumber(dlq.Seq)
		moved.Sent, moved.DedupID = r.now, m.ID
	}
	if err := r.putMsg(dlq.Name, seqKey(dlq.Seq), &moved); err != nil {
		return false, err
	}
	r.woken = append(r.woken, r.ref(dlq.Name))
	return true, r.putQueue(dlq)
}

// render is a delivered message as ReceiveMessage returns it: system
// attributes and message attributes only as requested, and the attribute
// MD5 over the attributes returned, which is what SDKs check.
func (r *region) render(q *queueRec, m storedMsg, opts receiveOpts) sqsapi.Message {
	out := sqsapi.Message{
		MessageId: api.Ptr(m.ID), ReceiptHandle: api.Ptr(encodeHandle(q.Name, m.seq, m.Token)),
		MD5OfBody: api.Ptr(m.MD5Body), Body: api.Ptr(m.Body),
	}
	out.Attributes = systemAttributes(m.msgRec, opts)
	out.MessageAttributes = selectAttributes(m.Attrs, opts.msgAttrs)
	out.MD5OfMessageAttributes = optional(md5OfAttributes(out.MessageAttributes))
	return out
}

func systemAttributes(m *msgRec, opts receiveOpts) map[string]string {
	all := map[string]string{
		sqsapi.MessageSystemAttributeNameSenderId:                         m.SenderID,
		sqsapi.MessageSystemAttributeNameSentTimestamp:                    strconv.FormatInt(m.Sent, 10),
		sqsapi.MessageSystemAttributeNameApproximateReceiveCount:          strconv.FormatInt(m.ReceiveCount, 10),
		sqsapi.MessageSystemAttributeNameApproximateFirstReceiveTimestamp: strconv.FormatInt(m.FirstReceive, 10),
	}
	optionalAttrs := map[string]string{
		sqsapi.MessageSystemAttributeNameMessageGroupId:           m.GroupID,
		sqsapi.MessageSystemAttributeNameMessageDeduplicationId:   m.DedupID,
		sqsapi.MessageSystemAttributeNameSequenceNumber:           m.SeqNumber,
		sqsapi.MessageSystemAttributeNameAWSTraceHeader:           m.TraceHeader,
		sqsapi.MessageSystemAttributeNameDeadLetterQueueSourceArn: m.DLQSource,
	}
	for k, v := range optionalAttrs {
		if v != "" {
			all[k] = v
		}
	}
	out := map[string]string{}
	for k, v := range all {
		if opts.allSys || opts.sysAttrs[k] {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// selectAttributes filters message attributes by MessageAttributeNames:
// "All" or ".*" for every one, "prefix.*" for a prefix, else exact names.
func selectAttributes(attrs map[string]sqsapi.MessageAttributeValue, names []string) map[string]sqsapi.MessageAttributeValue {
	out := map[string]sqsapi.MessageAttributeValue{}
	for k, v := range attrs {
		for _, n := range names {
			prefix, isPrefix := strings.CutSuffix(n, ".*")
			if strings.EqualFold(n, "All") || n == ".*" || n == k || isPrefix && strings.HasPrefix(k, prefix) {
				out[k] = v
				break
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Receipt handles are opaque to clients: the queue, the message's key and
// the token of this receive, base64-encoded. A later receive of the same
// message gets a new token, which is how a stale handle is told apart.
func encodeHandle(queue, seq, token string) string {
	return base64.StdEncoding.EncodeToString([]byte("v1\n" + queue + "\n" + seq + "\n" + token))
}

type handle struct{ queue, seq, token string }

func decodeHandle(s string) (handle, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return handle{}, false
	}
	parts := strings.Split(string(b), "\n")
	if len(parts) != 4 || parts[0] != "v1" || len(parts[2]) != 20 {
		return handle{}, false
	}
	return handle{parts[1], parts[2], parts[3]}, true
}
