package sns

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

const (
	maxMessageBytes = 256 * 1024 // message plus attributes, per message and per batch
	maxSubjectLen   = 100
	maxBatchEntries = 10
	dedupWindow     = 5 * time.Minute
	// sequenceBase makes FIFO sequence numbers look like AWS's: 20 digits.
	sequenceBase = uint64(10_000_000_000_000_000_000)
)

// message is a validated message about to be published.
type message struct {
	subject   string
	body      string
	structure map[string]string // per-protocol bodies of MessageStructure json; nil otherwise
	attrs     map[string]MessageAttribute
	groupID   string
	dedupID   string
	size      int
}

// bodyFor is the message a protocol's endpoints receive.
func (m *message) bodyFor(protocol string) string {
	if m.structure != nil {
		if b, ok := m.structure[protocol]; ok {
			return b
		}
		return m.structure["default"]
	}
	return m.body
}

// publishFields are the fields Publish and PublishBatch entries share.
type publishFields struct {
	Message, Subject, MessageStructure *string
	MessageAttributes                  map[string]snsapi.MessageAttributeValue
	MessageDeduplicationId             *string
	MessageGroupId                     *string
}

func invalid(format string, args ...any) *protocol.Error {
	return snsapi.NewInvalidParameterException(format, args...)
}

// parseMessage validates what a publish carries, independent of its topic.
func parseMessage(f publishFields) (*message, error) {
	m := &message{body: api.Deref(f.Message), subject: api.Deref(f.Subject), groupID: api.Deref(f.MessageGroupId), dedupID: api.Deref(f.MessageDeduplicationId)}
	if m.body == "" {
		return nil, invalid("Invalid parameter: Empty message")
	}
	if f.Subject != nil {
		if m.subject == "" || len(m.subject) > maxSubjectLen || strings.ContainsAny(m.subject, "\r\n") || !isPrintableASCII(m.subject) {
			return nil, invalid("Invalid parameter: Subject")
		}
	}
	switch api.Deref(f.MessageStructure) {
	case "":
	case "json":
		var structure map[string]any
		if err := json.Unmarshal([]byte(m.body), &structure); err != nil {
			return nil, invalid("Invalid parameter: Message Structure - JSON message body failed to parse")
		}
		m.structure = make(map[string]string, len(structure))
		for k, v := range structure {
			s, ok := v.(string)
			if !ok {
				return nil, invalid("Invalid parameter: Message Structure - JSON message body failed to parse")
			}
			m.structure[k] = s
		}
		if _, ok := m.structure["default"]; !ok {
			return nil, invalid("Invalid parameter: Message Structure - No default entry in JSON message body")
		}
	default:
		return nil, invalid("Invalid parameter: MessageStructure")
	}
	m.size = len(m.body)
	if len(f.MessageAttributes) > 0 {
		m.attrs = make(map[string]MessageAttribute, len(f.MessageAttributes))
		for name, v := range f.MessageAttributes {
			a, err := parseAttribute(name, v)
			if err != nil {
				return nil, err
			}
			m.attrs[name] = a
			m.size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
		}
	}
	if m.size > maxMessageBytes {
		return nil, invalid("Invalid parameter: Message too long")
	}
	return m, nil
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// parseAttribute validates a message attribute with AWS's messages.
func parseAttribute(name string, v snsapi.MessageAttributeValue) (MessageAttribute, error) {
	bad := func(format string, args ...any) error {
		return snsapi.NewInvalidParameterValueException(format, args...)
	}
	if name == "" || len(name) > 256 {
		return MessageAttribute{}, bad("The message attribute name must be between 1 and 256 characters.")
	}
	lower := strings.ToLower(name)
	if (strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.")) && !smsMessageAttributes[name] {
		return MessageAttribute{}, bad("The message attribute name '%s' is reserved for use by Amazon SNS.", name)
	}
	a := MessageAttribute{DataType: api.Deref(v.DataType), StringValue: api.Deref(v.StringValue), BinaryValue: v.BinaryValue}
	base, _, _ := strings.Cut(a.DataType, ".")
	if a.DataType == "String.Array" {
		base = "String.Array"
	}
	switch base {
	case "String", "Number", "String.Array":
		if v.StringValue == nil || (a.StringValue == "" && base != "String") {
			return MessageAttribute{}, bad("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, base)
		}
		if base == "Number" {
			if _, err := strconv.ParseFloat(a.StringValue, 64); err != nil {
				return MessageAttribute{}, bad("Could not cast message attribute '%s' value to number.", name)
			}
		}
		if base == "String.Array" {
			var arr []any
			if err := json.Unmarshal([]byte(a.StringValue), &arr); err != nil {
				return MessageAttribute{}, bad("The message attribute '%s' with type 'String.Array' has an invalid value: %s.", name, a.StringValue)
			}
		}
	case "Binary":
		if len(a.BinaryValue) == 0 {
			return MessageAttribute{}, bad("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
		}
	default:
		return MessageAttribute{}, bad("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
	}
	return a, nil
}

// published is a message accepted for a topic: the result returned to the
// caller and the deliveries to make once the transaction has committed.
type published struct {
	id, seq   string
	duplicate bool
	msg       *message
	// sigVersion is the topic's SignatureVersion attribute.
	sigVersion string
	// deliveryPolicy is the topic's DeliveryPolicy attribute.
	deliveryPolicy string
	subs           []*subRec
	// deliveries are the stored deliveries to make once the transaction
	// has committed, one per confirmed subscription whose filter matches.
	deliveries []*deliveryRec
}

// enqueue stores the deliveries of p, inside the transaction that accepts
// it: one per confirmed subscription whose filter policy matches.
func (s *Service) enqueue(r *region, p *published, now time.Time) error {
	if p.duplicate {
		return nil
	}
	timestamp := now.UTC().Format(timestampLayout)
	for _, sub := range p.subs {
		body := p.msg.bodyFor(deliveryProtocol(sub))
		if !s.matches(sub, p.msg.attrs, body) {
			continue
		}
		subArn := r.subArn(sub)
		d := &deliveryRec{
			Account: r.account, Region: r.name, SubArn: subArn, Order: p.seq, Sub: *sub,
			N: notification{
				Type: typeNotification, MessageID: p.id, SequenceNumber: p.seq, TopicArn: r.topicArn(sub.Topic),
				Subject: p.msg.subject, Message: body, Timestamp: timestamp,
				UnsubscribeURL: s.unsubscribeURL(subArn), Attributes: p.msg.attrs,
			},
			SigVersion: p.sigVersion, Next: now.UnixMilli(), Plan: s.plan(p.deliveryPolicy, sub),
		}
		if p.seq != "" {
			d.GroupID, d.DedupID = p.msg.groupID, p.msg.dedupID
		} else {
			d.Order = expiryKey(now.UnixMilli()) + "-" + p.id
		}
		if err := store.PutJSON(r.tx, d.key(), d); err != nil {
			return err
		}
		p.deliveries = append(p.deliveries, d)
	}
	return nil
}

// accept runs the topic's rules (FIFO group and deduplication, sequence
// numbers) for m inside the transaction and picks the subscriptions to
// deliver to.
func (r *region) accept(t *topicRec, m *message, now time.Time, subs []*subRec) (*published, error) {
	p := &published{id: request.NewID(), msg: m, sigVersion: t.Attrs["SignatureVersion"], deliveryPolicy: t.Attrs["DeliveryPolicy"]}
	if !t.fifo() {
		if m.dedupID != "" {
			return nil, invalid("Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
		}
	} else {
		if m.groupID == "" {
			return nil, invalid("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
		}
		if m.dedupID == "" {
			if t.Attrs["ContentBasedDeduplication"] != "true" {
				return nil, invalid("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			// Content-based deduplication hashes the body only, as AWS.
			sum := sha256.Sum256([]byte(m.body))
			m.dedupID = hex.EncodeToString(sum[:])
		}
		if err := r.purgeDedup(t.Name, now); err != nil {
			return nil, err
		}
		key := r.ns.Key("dedup", t.Name, m.dedupID)
		var d dedupRec
		ok, err := store.GetJSON(r.tx, key, &d)
		if err != nil {
			return nil, err
		}
		if ok && d.Expires > now.UnixMilli() {
			// A duplicate is accepted and answered like the original,
			// but not delivered again.
			p.id, p.seq, p.duplicate = d.MessageID, d.Seq, true
			return p, nil
		}
		t.Seq++
		p.seq = strconv.FormatUint(sequenceBase+t.Seq, 10)
		d = dedupRec{MessageID: p.id, Seq: p.seq, Expires: now.Add(dedupWindow).UnixMilli()}
		if err := store.PutJSON(r.tx, key, &d); err != nil {
			return nil, err
		}
		if err := r.tx.Put(r.ns.Key("dedupexp", t.Name, expiryKey(d.Expires), m.dedupID), nil); err != nil {
			return nil, err
		}
	}
	for _, sub := range subs {
		if !sub.Pending {
			p.subs = append(p.subs, sub)
		}
	}
	return p, nil
}

// publishTarget resolves the topic of a Publish: TopicArn or TargetArn
// (a TargetArn naming a platform endpoint is handled by Publish before).
func publishTarget(in *snsapi.PublishInput) (topicRef, error) {
	switch {
	case in.TopicArn != nil && in.TargetArn != nil:
		return topicRef{}, invalid("Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified")
	case in.TopicArn != nil:
		return parseTopicArn(in.TopicArn, "TopicArn")
	case in.TargetArn != nil:
		return parseTopicArn(in.TargetArn, "TargetArn")
	}
	return topicRef{}, invalid("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
}

func (s *Service) Publish(ctx context.Context, in *snsapi.PublishInput) (*snsapi.PublishResponse, error) {
	m, err := parseMessage(publishFields{in.Message, in.Subject, in.MessageStructure, in.MessageAttributes, in.MessageDeduplicationId, in.MessageGroupId})
	if err != nil {
		return nil, err
	}
	if in.PhoneNumber != nil && in.TopicArn == nil && in.TargetArn == nil {
		return s.publishSMS(ctx, api.Deref(in.PhoneNumber), m)
	}
	if in.TargetArn != nil && in.TopicArn == nil && isEndpointArn(*in.TargetArn) {
		return s.publishToEndpoint(ctx, *in.TargetArn, m)
	}
	ref, err := publishTarget(in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var p *published
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		t, err := r.topic(ref.name)
		if err != nil {
			return err
		}
		subs, err := r.subs(ref.name)
		if err != nil {
			return err
		}
		if p, err = r.accept(t, m, now, subs); err != nil {
			return err
		}
		if err := s.enqueue(r, p, now); err != nil {
			return err
		}
		if p.seq != "" && !p.duplicate {
			return r.putTopic(t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.fanOut(p)
	out := &snsapi.PublishResponse{MessageId: api.Ptr(p.id)}
	if p.seq != "" {
		out.SequenceNumber = api.Ptr(p.seq)
	}
	return out, nil
}

var batchIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (s *Service) PublishBatch(ctx context.Context, in *snsapi.PublishBatchInput) (*snsapi.PublishBatchResponse, error) {
	ref, err := parseTopicArn(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	entries := in.PublishBatchRequestEntries
	switch {
	case len(entries) == 0:
		return nil, snsapi.NewEmptyBatchRequestException("The batch request doesn't contain any entries.")
	case len(entries) > maxBatchEntries:
		return nil, snsapi.NewTooManyEntriesInBatchRequestException("The batch request contains more entries than permissible.")
	}
	seen := map[string]bool{}
	total := 0
	for _, e := range entries {
		id := api.Deref(e.Id)
		if len(id) > 80 || !batchIDPattern.MatchString(id) {
			return nil, snsapi.NewInvalidBatchEntryIdException("The Id of a batch entry in a batch request doesn't abide by the specification.")
		}
		if seen[id] {
			return nil, snsapi.NewBatchEntryIdsNotDistinctException("Two or more batch entries in the request have the same Id.")
		}
		seen[id] = true
		total += len(api.Deref(e.Message))
		for name, a := range e.MessageAttributes {
			total += len(name) + len(api.Deref(a.DataType)) + len(api.Deref(a.StringValue)) + len(a.BinaryValue)
		}
	}
	if total > maxMessageBytes {
		return nil, snsapi.NewBatchRequestTooLongException("The length of all the batch messages put together is more than the limit.")
	}

	out := &snsapi.PublishBatchResponse{Successful: []snsapi.PublishBatchResultEntry{}, Failed: []snsapi.BatchResultErrorEntry{}}
	fail := func(id string, err error) error {
		var perr *protocol.Error
		if !errors.As(err, &perr) {
			return err // not the entry's fault: fail the request
		}
		out.Failed = append(out.Failed, snsapi.BatchResultErrorEntry{
			Id: api.Ptr(id), Code: api.Ptr(perr.WireCode()), Message: api.Ptr(perr.Message), SenderFault: api.Ptr(perr.Sender || perr.Status < 500),
		})
		return nil
	}
	now := s.now()
	var accepted []*published
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		out.Successful, out.Failed, accepted = out.Successful[:0], out.Failed[:0], nil // fn may run again
		t, err := r.topic(ref.name)
		if err != nil {
			return err
		}
		subs, err := r.subs(ref.name)
		if err != nil {
			return err
		}
		for _, e := range entries {
			id := api.Deref(e.Id)
			m, err := parseMessage(publishFields{e.Message, e.Subject, e.MessageStructure, e.MessageAttributes, e.MessageDeduplicationId, e.MessageGroupId})
			if err != nil {
				if err := fail(id, err); err != nil {
					return err
				}
				continue
			}
			p, err := r.accept(t, m, now, subs)
			if err != nil {
				if err := fail(id, err); err != nil {
					return err
				}
				continue
			}
			if err := s.enqueue(r, p, now); err != nil {
				return err
			}
			res := snsapi.PublishBatchResultEntry{Id: api.Ptr(id), MessageId: api.Ptr(p.id)}
			if p.seq != "" {
				res.SequenceNumber = api.Ptr(p.seq)
			}
			out.Successful = append(out.Successful, res)
			accepted = append(accepted, p)
		}
		if t.fifo() {
			return r.putTopic(t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, p := range accepted {
		s.fanOut(p)
	}
	return out, nil
}

// expiryKey orders expiry times (Unix ms) as strings.
func expiryKey(ms int64) string { return fmt.Sprintf("%020d", max(ms, 0)) }

// purgeDedup forgets a few expired deduplication ids of topic, so that the
// five-minute window does not keep every id ever used. The index
// ("dedupexp", topic, expiry, id) lists them oldest first; a bounded number
// per publish keeps each publish cheap and still outpaces any publisher.
func (r *region) purgeDedup(topic string, now time.Time) error {
	const perCall = 64
	type expired struct {
		index []byte
		id    string
	}
	var old []expired
	prefix := r.ns.Prefix("dedupexp", topic)
	limit := expiryKey(now.UnixMilli())
	err := r.tx.Scan(prefix, nil, func(k, _ []byte) error {
		parts, ok := r.ns.Parts(k)
		if !ok || len(parts) != 4 || parts[2] > limit || len(old) == perCall {
			return store.ErrStop
		}
		old = append(old, expired{append([]byte(nil), k...), parts[3]})
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range old {
		if err := r.tx.Delete(e.index); err != nil {
			return err
		}
		// The id may have been used again since, with a later expiry.
		var d dedupRec
		key := r.ns.Key("dedup", topic, e.id)
		if ok, err := store.GetJSON(r.tx, key, &d); err != nil {
			return err
		} else if ok && d.Expires <= now.UnixMilli() {
			if err := r.tx.Delete(key); err != nil {
				return err
			}
		}
	}
	return nil
}

// e164 is a phone number in E.164 form, as SNS requires for SMS.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
