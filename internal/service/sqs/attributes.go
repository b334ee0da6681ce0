package sqs

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

const (
	attrDelay             = sqsapi.QueueAttributeNameDelaySeconds
	attrMaxSize           = sqsapi.QueueAttributeNameMaximumMessageSize
	attrRetention         = sqsapi.QueueAttributeNameMessageRetentionPeriod
	attrWait              = sqsapi.QueueAttributeNameReceiveMessageWaitTimeSeconds
	attrVisibility        = sqsapi.QueueAttributeNameVisibilityTimeout
	attrRedrive           = sqsapi.QueueAttributeNameRedrivePolicy
	attrRedriveAllow      = sqsapi.QueueAttributeNameRedriveAllowPolicy
	attrFifoQueue         = sqsapi.QueueAttributeNameFifoQueue
	attrContentDedup      = sqsapi.QueueAttributeNameContentBasedDeduplication
	attrDedupScope        = sqsapi.QueueAttributeNameDeduplicationScope
	attrThroughput        = sqsapi.QueueAttributeNameFifoThroughputLimit
	attrPolicy            = sqsapi.QueueAttributeNamePolicy
	attrKmsKey            = sqsapi.QueueAttributeNameKmsMasterKeyId
	attrKmsReuse          = sqsapi.QueueAttributeNameKmsDataKeyReusePeriodSeconds
	attrManagedSse        = sqsapi.QueueAttributeNameSqsManagedSseEnabled
	attrArn               = sqsapi.QueueAttributeNameQueueArn
	attrCreated           = sqsapi.QueueAttributeNameCreatedTimestamp
	attrModified          = sqsapi.QueueAttributeNameLastModifiedTimestamp
	attrNumMessages       = sqsapi.QueueAttributeNameApproximateNumberOfMessages
	attrNumNotVisible     = sqsapi.QueueAttributeNameApproximateNumberOfMessagesNotVisible
	attrNumDelayed        = sqsapi.QueueAttributeNameApproximateNumberOfMessagesDelayed
	defaultVisibility     = 30
	defaultRetention      = 345600  // 4 days
	defaultMaxMessageSize = 1048576 // 1 MiB since August 2025 (256 KiB before)
	dedupWindowMillis     = 5 * 60 * 1000
)

// intRange bounds the numeric attributes, in seconds or bytes.
type intRange struct{ min, max int64 }

var intAttrs = map[string]intRange{
	attrDelay:      {0, 900},
	attrMaxSize:    {1024, 1048576},
	attrRetention:  {60, 1209600},
	attrWait:       {0, 20},
	attrVisibility: {0, 43200},
	attrKmsReuse:   {60, 86400},
}

// settable lists the attributes CreateQueue and SetQueueAttributes accept,
// with whether they are FIFO-only.
var settable = map[string]bool{
	attrDelay: false, attrMaxSize: false, attrRetention: false, attrWait: false,
	attrVisibility: false, attrRedrive: false, attrRedriveAllow: false, attrPolicy: false,
	attrKmsKey: false, attrKmsReuse: false, attrManagedSse: false, attrFifoQueue: true,
	attrContentDedup: true, attrDedupScope: true, attrThroughput: true,
}

// computed lists the read-only attributes GetQueueAttributes derives.
var computed = []string{attrArn, attrCreated, attrModified, attrNumMessages, attrNumNotVisible, attrNumDelayed}

// defaultAttrs are the attributes a new queue has before its request's.
func defaultAttrs(fifo bool) map[string]string {
	a := map[string]string{
		attrDelay:      "0",
		attrMaxSize:    strconv.Itoa(defaultMaxMessageSize),
		attrRetention:  strconv.Itoa(defaultRetention),
		attrWait:       "0",
		attrVisibility: strconv.Itoa(defaultVisibility),
		attrManagedSse: "true",
	}
	if fifo {
		a[attrFifoQueue] = "true"
		a[attrContentDedup] = "false"
		a[attrDedupScope] = "queue"
		a[attrThroughput] = "perQueue"
	}
	return a
}

// validateAttr checks one settable attribute and returns its canonical value.
func validateAttr(name, value string, fifo bool) (string, error) {
	fifoOnly, ok := settable[name]
	if !ok {
		return "", errAttrName(name)
	}
	if fifoOnly && !fifo && name != attrFifoQueue {
		return "", errAttrName(name)
	}
	if r, ok := intAttrs[name]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil || n < r.min || n > r.max {
			return "", errAttrValue(name)
		}
		return strconv.FormatInt(n, 10), nil
	}
	switch name {
	case attrFifoQueue, attrContentDedup, attrManagedSse:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return "", errAttrValue(name)
		}
		return strconv.FormatBool(b), nil
	case attrDedupScope:
		if value != "queue" && value != "messageGroup" {
			return "", errAttrValue(name)
		}
	case attrThroughput:
		if value != "perQueue" && value != "perMessageGroupId" {
			return "", errAttrValue(name)
		}
	case attrPolicy:
		if value != "" && !json.Valid([]byte(value)) {
			return "", errAttrValue(name)
		}
	case attrRedriveAllow:
		if value != "" {
			if _, err := parseRedriveAllow(value); err != nil {
				return "", err
			}
		}
	}
	return value, nil
}

// redrivePolicy is the parsed RedrivePolicy attribute. maxReceiveCount
// comes as a number or a string, depending on the client.
type redrivePolicy struct {
	Target     string
	MaxReceive int64
}

func parseRedrive(value string) (redrivePolicy, bool) {
	var raw struct {
		DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(value), &raw); err != nil || raw.DeadLetterTargetArn == "" {
		return redrivePolicy{}, false
	}
	n, err := strconv.ParseInt(strings.Trim(string(raw.MaxReceiveCount), `"`), 10, 64)
	if err != nil || n < 1 || n > 1000 {
		return redrivePolicy{}, false
	}
	return redrivePolicy{Target: raw.DeadLetterTargetArn, MaxReceive: n}, true
}

// redriveAllow is the parsed RedriveAllowPolicy of a dead-letter queue:
// which source queues may name it in their RedrivePolicy.
type redriveAllow struct {
	Permission string   `json:"redrivePermission"` // allowAll (default), denyAll or byQueue
	Sources    []string `json:"sourceQueueArns"`
}

// parseRedriveAllow validates a RedriveAllowPolicy as AWS documents it:
// byQueue needs 1 to 10 source queue ARNs, the other permissions none.
func parseRedriveAllow(value string) (redriveAllow, error) {
	var p redriveAllow
	if err := json.Unmarshal([]byte(value), &p); err != nil {
		return p, errParamValue(value, attrRedriveAllow, "Redrive allow policy is not a valid JSON map")
	}
	switch p.Permission {
	case "allowAll", "denyAll":
		if len(p.Sources) > 0 {
			return p, errParamValue(value, attrRedriveAllow, "sourceQueueArns can only be specified when redrivePermission is byQueue")
		}
	case "byQueue":
		if len(p.Sources) < 1 || len(p.Sources) > 10 {
			return p, errParamValue(value, attrRedriveAllow, "sourceQueueArns must contain 1 to 10 queue ARNs when redrivePermission is byQueue")
		}
	default:
		return p, errParamValue(value, attrRedriveAllow, "redrivePermission must be one of allowAll, denyAll or byQueue")
	}
	return p, nil
}

// allows reports whether the queue with ARN source may use the queue
// holding policy as its dead-letter queue.
func (p redriveAllow) allows(source string) bool {
	switch p.Permission {
	case "denyAll":
		return false
	case "byQueue":
		return slices.Contains(p.Sources, source)
	}
	return true
}

// checkRedrive validates a RedrivePolicy against the queues that exist: the
// target must exist, be of the same type and, by its RedriveAllowPolicy,
// accept this queue as a source, as AWS requires. The error texts other
// than "Dead letter target does not exist" are kiri's wording.
func (r *region) checkRedrive(value, source string, fifo bool) (string, error) {
	if value == "" {
		return "", nil
	}
	p, ok := parseRedrive(value)
	if !ok {
		return "", errParamValue(value, attrRedrive, "Redrive policy is not a valid JSON map or is missing deadLetterTargetArn or maxReceiveCount (1 to 1000)")
	}
	ref, ok := parseArn(p.Target)
	if !ok || ref.account != r.account || ref.region != r.name {
		return "", errParamValue(value, attrRedrive, "Dead letter target does not exist")
	}
	dlq, err := r.queue(ref.name)
	if err != nil {
		return "", err
	}
	if dlq == nil {
		return "", errParamValue(value, attrRedrive, "Dead letter target does not exist")
	}
	if dlq.fifo() != fifo {
		return "", errParamValue(value, attrRedrive, "Dead-letter queue must be same type of queue as the source")
	}
	if raw := dlq.Attrs[attrRedriveAllow]; raw != "" {
		if allow, err := parseRedriveAllow(raw); err == nil && !allow.allows(source) {
			return "", errParamValue(value, attrRedrive, "Queue "+source+" is not allowed to use "+p.Target+" as its dead-letter queue by its RedriveAllowPolicy")
		}
	}
	canon, _ := json.Marshal(map[string]any{"deadLetterTargetArn": p.Target, "maxReceiveCount": p.MaxReceive})
	return string(canon), nil
}

// applyAttrs validates attrs and writes them into q.Attrs.
func (r *region) applyAttrs(q *queueRec, attrs map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		v, err := validateAttr(name, attrs[name], q.fifo())
		if err != nil {
			return err
		}
		if name == attrRedrive {
			if v, err = r.checkRedrive(v, r.arn(q.Name), q.fifo()); err != nil {
				return err
			}
		}
		if name == attrFifoQueue && v == "false" {
			continue // AWS shows FifoQueue on FIFO queues only
		}
		if v == "" && (name == attrRedrive || name == attrPolicy || name == attrRedriveAllow || name == attrKmsKey) {
			delete(q.Attrs, name) // setting these to "" removes them
			continue
		}
		q.Attrs[name] = v
	}
	if q.Attrs[attrKmsKey] != "" && q.Attrs[attrKmsReuse] == "" {
		q.Attrs[attrKmsReuse] = "300"
	}
	return nil
}

// counts are the approximate message numbers of a queue.
type counts struct{ visible, notVisible, delayed int }

func (r *region) count(q *queueRec) (counts, error) {
	var c counts
	retention := r.retentionMillis(q)
	err := r.scanMsgs(q.Name, func(m storedMsg) error {
		switch {
		case r.now-m.Sent >= retention:
		case m.inFlight(r.now):
			c.notVisible++
		case m.delayed(r.now):
			c.delayed++
		default:
			c.visible++
		}
		return nil
	})
	return c, err
}

// attributes returns the queue attributes named in names ("All" for all).
func (r *region) attributes(q *queueRec, names []string) (map[string]string, error) {
	want := map[string]bool{}
	all := false
	for _, n := range names {
		if strings.EqualFold(n, "All") {
			all = true
			continue
		}
		if _, ok := settable[n]; !ok && !contains(computed, n) {
			return nil, sqsapi.NewInvalidAttributeName("Unknown Attribute %s.", n)
		}
		want[n] = true
	}
	out := map[string]string{}
	for k, v := range q.Attrs {
		if all || want[k] {
			out[k] = v
		}
	}
	if all || want[attrNumMessages] || want[attrNumNotVisible] || want[attrNumDelayed] {
		c, err := r.count(q)
		if err != nil {
			return nil, err
		}
		out[attrNumMessages] = strconv.Itoa(c.visible)
		out[attrNumNotVisible] = strconv.Itoa(c.notVisible)
		out[attrNumDelayed] = strconv.Itoa(c.delayed)
	}
	out[attrArn] = r.arn(q.Name)
	out[attrCreated] = strconv.FormatInt(q.Created, 10)
	out[attrModified] = strconv.FormatInt(q.Modified, 10)
	if !all {
		for _, k := range computed {
			if !want[k] {
				delete(out, k)
			}
		}
	}
	return out, nil
}

func (r *region) intAttr(q *queueRec, name string, def int64) int64 {
	if n, err := strconv.ParseInt(q.Attrs[name], 10, 64); err == nil {
		return n
	}
	return def
}

func (r *region) retentionMillis(q *queueRec) int64 {
	return r.intAttr(q, attrRetention, defaultRetention) * 1000
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
