package sqs

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/request"
)

// outgoing is one message to send, from SendMessage, a batch entry or
// another kiri service.
type outgoing struct {
	Body     string
	Delay    *int64
	Attrs    map[string]sqsapi.MessageAttributeValue
	SysAttrs map[string]sqsapi.MessageSystemAttributeValue
	DedupID  string
	GroupID  string
	Sender   string
}

// sent is what a send acknowledges.
type sent struct {
	MessageID, MD5Body, MD5Attrs, MD5Sys, SeqNumber string
}

// SendMessage stores a message; it is durable when the call returns.
func (s *Service) SendMessage(ctx context.Context, in *sqsapi.SendMessageRequest) (*sqsapi.SendMessageResult, error) {
	sender, _ := request.Scope(ctx) // SenderId: the calling account
	m := outgoing{
		Body: api.Deref(in.MessageBody), Delay: in.DelaySeconds, Attrs: in.MessageAttributes, SysAttrs: in.MessageSystemAttributes,
		DedupID: api.Deref(in.MessageDeduplicationId), GroupID: api.Deref(in.MessageGroupId), Sender: sender,
	}
	var res sent
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		var err error
		res, err = r.send(q, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res.result(), nil
}

func (o sent) result() *sqsapi.SendMessageResult {
	return &sqsapi.SendMessageResult{
		MessageId: api.Ptr(o.MessageID), MD5OfMessageBody: api.Ptr(o.MD5Body), MD5OfMessageAttributes: optional(o.MD5Attrs),
		MD5OfMessageSystemAttributes: optional(o.MD5Sys), SequenceNumber: optional(o.SeqNumber),
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// send validates m against q and stores it, or returns the original of a
// FIFO duplicate. q is updated and stored (its message counter advances).
func (r *region) send(q *queueRec, m outgoing) (sent, error) {
	if err := r.validateSend(q, m); err != nil {
		return sent{}, err
	}
	if q.fifo() {
		if dup, ok, err := r.duplicate(q, m); err != nil || ok {
			return dup, err
		}
	}
	q.Seq++
	rec := &msgRec{
		ID: request.NewID(), Body: m.Body, Attrs: m.Attrs, MD5Body: md5Hex([]byte(m.Body)),
		Sent: r.now, VisibleAt: r.now + r.delaySeconds(q, m)*1000, SenderID: m.Sender,
		GroupID: m.GroupID,
	}
	if v, ok := m.SysAttrs[sqsapi.MessageSystemAttributeNameForSendsAWSTraceHeader]; ok {
		rec.TraceHeader = api.Deref(v.StringValue)
	}
	out := sent{MessageID: rec.ID, MD5Body: rec.MD5Body, MD5Attrs: md5OfAttributes(m.Attrs), MD5Sys: md5OfSystemAttributes(m.SysAttrs)}
	if q.fifo() {
		rec.DedupID = r.dedupID(q, m)
		rec.SeqNumber = sequenceNumber(q.Seq)
		out.SeqNumber = rec.SeqNumber
		if err := r.remember(q, m, rec); err != nil {
			return sent{}, err
		}
	}
	if err := r.putMsg(q.Name, seqKey(q.Seq), rec); err != nil {
		return sent{}, err
	}
	if rec.VisibleAt <= r.now {
		r.woken = append(r.woken, r.ref(q.Name))
	}
	return out, r.putQueue(q)
}

func (r *region) delaySeconds(q *queueRec, m outgoing) int64 {
	if m.Delay != nil {
		return *m.Delay
	}
	return r.intAttr(q, attrDelay, 0)
}

// validateSend applies AWS's checks on one message, in AWS's order.
func (r *region) validateSend(q *queueRec, m outgoing) error {
	if m.Body == "" {
		return errMissing("MessageBody")
	}
	if err := validBody(m.Body); err != nil {
		return err
	}
	if m.Delay != nil {
		if q.fifo() {
			return errParamValue(*m.Delay, "DelaySeconds", "The request include parameter that is not valid for this queue type")
		}
		if *m.Delay < 0 || *m.Delay > 900 {
			return errParamValue(*m.Delay, "DelaySeconds", "Must be >= 0 and <= 900, if provided")
		}
	}
	if err := validateMessageAttributes(m.Attrs); err != nil {
		return err
	}
	if max := r.intAttr(q, attrMaxSize, defaultMaxMessageSize); messageSize(m) > max {
		return errParam("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", max)
	}
	if q.fifo() {
		return r.validateFifo(q, m)
	}
	if m.DedupID != "" {
		return errParamValue(m.DedupID, "MessageDeduplicationId", "The request include parameter that is not valid for this queue type")
	}
	return nil
}

// validBody enforces the characters SQS allows: #x9 #xA #xD #x20-#xD7FF
// #xE000-#xFFFD #x10000-#x10FFFF.
func validBody(body string) error {
	for _, c := range body {
		ok := c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
			(c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF)
		if !ok || c == utf8.RuneError {
			return sqsapi.NewInvalidMessageContents("Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", c)
		}
	}
	return nil
}

// messageSize counts the body and every attribute's name, type and value,
// as AWS does against MaximumMessageSize.
func messageSize(m outgoing) int64 {
	n := int64(len(m.Body))
	for k, v := range m.Attrs {
		n += int64(len(k) + len(api.Deref(v.DataType)) + len(api.Deref(v.StringValue)) + len(v.BinaryValue))
	}
	return n
}

var attrNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// validateMessageAttributes applies AWS's rules on message attributes;
// the messages are AWS's as LocalStack's snapshot tests record them.
func validateMessageAttributes(attrs map[string]sqsapi.MessageAttributeValue) error {
	if len(attrs) > 10 {
		return errParam("Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		if err := validateAttrName(name); err != nil {
			return err
		}
		if err := validateAttrValue(name, attrs[name]); err != nil {
			return err
		}
	}
	return nil
}

func validateAttrName(name string) error {
	lower := strings.ToLower(name)
	switch {
	case name == "":
		return errParam("The request must contain non-empty message (user) attribute names.")
	case len(name) >= 256:
		return errParam("Message (user) attribute names must be shorter than 256 Bytes")
	case !attrNameRE.MatchString(name) || strings.Contains(name, ".."):
		return errParam("Message (user) attributes name can only contain upper and lower score characters, digits, periods, hyphens and underscores. ")
	case strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, "."):
		return errParam("You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use. Additionally, they cannot start or end with '.'.")
	}
	return nil
}

func validateAttrValue(name string, v sqsapi.MessageAttributeValue) error {
	dt := api.Deref(v.DataType)
	base, _, _ := strings.Cut(dt, ".")
	switch base {
	case "String", "Number":
		if api.Deref(v.StringValue) == "" {
			return errParam("Message (user) attribute '%s' must contain a non-empty value of type '%s'.", name, base)
		}
		if base == "Number" {
			if _, err := strconv.ParseFloat(api.Deref(v.StringValue), 64); err != nil {
				return errParam("Can't cast the value of message (user) attribute '%s' to a number.", name)
			}
		}
	case "Binary":
		if len(v.BinaryValue) == 0 {
			return errParam("Message (user) attribute '%s' must contain a non-empty value of type 'Binary'.", name)
		}
	default:
		return errParam("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
	}
	return nil
}
