package sns

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/store"
)

const topicsPerPage = 100

// topicAttributes are the attributes CreateTopic and SetTopicAttributes
// accept; FifoTopic only at creation.
var topicAttributes = map[string]bool{
	"DisplayName":               true,
	"Policy":                    true,
	"DeliveryPolicy":            true,
	"FifoTopic":                 true,
	"ContentBasedDeduplication": true,
	"KmsMasterKeyId":            true,
	"SignatureVersion":          true,
	"TracingConfig":             true,
	"ArchivePolicy":             true,
	"FifoThroughputScope":       true,
	"DataProtectionPolicy":      true,
}

// validTopicAttribute also admits the delivery-status logging attributes
// (HTTPSuccessFeedbackRoleArn, SQSFailureFeedbackRoleArn, …), which kiri
// stores but does not act on.
func validTopicAttribute(name string) bool {
	return topicAttributes[name] ||
		strings.HasSuffix(name, "SuccessFeedbackRoleArn") ||
		strings.HasSuffix(name, "FailureFeedbackRoleArn") ||
		strings.HasSuffix(name, "SuccessFeedbackSampleRate")
}

// validTopicName: 1–256 ASCII letters, digits, hyphens and underscores; a
// FIFO topic's name adds ".fifo" (which counts toward the 256).
func validTopicName(name string) bool {
	if len(name) == 0 || len(name) > 256 {
		return false
	}
	base := strings.TrimSuffix(name, ".fifo")
	if base == "" {
		return false
	}
	for _, c := range base {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

const fifoNameMessage = "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."

func (s *Service) CreateTopic(ctx context.Context, in *snsapi.CreateTopicInput) (*snsapi.CreateTopicResponse, error) {
	name := api.Deref(in.Name)
	attrs := map[string]string{}
	for k, v := range in.Attributes {
		if !validTopicAttribute(k) {
			return nil, snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: Unknown attribute %s", k)
		}
		attrs[k] = v
	}
	if in.DataProtectionPolicy != nil {
		attrs["DataProtectionPolicy"] = *in.DataProtectionPolicy
	}
	switch v := attrs["FifoTopic"]; v {
	case "", "false":
		delete(attrs, "FifoTopic")
		if !validTopicName(name) || strings.HasSuffix(name, ".fifo") {
			return nil, snsapi.NewInvalidParameterException("Invalid parameter: Topic Name")
		}
	case "true":
		if !validTopicName(name) || !strings.HasSuffix(name, ".fifo") {
			return nil, snsapi.NewInvalidParameterException(fifoNameMessage)
		}
	default:
		return nil, snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: FifoTopic: Invalid value [%s]. Must be true or false.", v)
	}
	for k, v := range attrs {
		if err := checkTopicAttribute(k, v, attrs["FifoTopic"] == "true", true); err != nil {
			return nil, err
		}
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	var arn string
	err = s.update(ctx, func(r *region) error {
		arn = r.topicArn(name)
		old, err := r.topic(name)
		if err == nil {
			// CreateTopic is idempotent, but not a way to change a topic.
			for k, v := range attrs {
				if old.Attrs[k] != v {
					return snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: Topic already exists with different attributes")
				}
			}
			for k, v := range tags {
				if ov, ok := old.Tags[k]; !ok || ov != v {
					return snsapi.NewInvalidParameterException("Invalid parameter: Tags Reason: Topic already exists with different tags")
				}
			}
			return nil
		}
		if !isNotFound(err) {
			return err
		}
		t := &topicRec{Name: name, Attrs: attrs, Tags: tags}
		if len(t.Attrs) == 0 {
			t.Attrs = nil
		}
		return r.putTopic(t)
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.CreateTopicResponse{TopicArn: &arn}, nil
}

// checkTopicAttribute validates one attribute value; inAttributes tells
// that it came in CreateTopic's Attributes.
func checkTopicAttribute(name, value string, fifo, inAttributes bool) error {
	switch name {
	case "DeliveryPolicy":
		return deliveryPolicyError(checkDeliveryPolicy(value, true), inAttributes)
	case "Policy", "DataProtectionPolicy", "ArchivePolicy", "TracingConfig":
		if name == "TracingConfig" {
			if value != "PassThrough" && value != "Active" {
				return snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: TracingConfig: Invalid value [%s]. Must be PassThrough or Active.", value)
			}
			return nil
		}
		if value != "" && !json.Valid([]byte(value)) {
			return snsapi.NewInvalidParameterException("Invalid parameter: %s: failed to parse JSON.", name)
		}
	case "ContentBasedDeduplication":
		if value != "true" && value != "false" {
			return snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: ContentBasedDeduplication: Invalid value [%s]. Must be true or false.", value)
		}
		if !fifo && value == "true" {
			return snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: Content-based deduplication can only be set for FIFO topics")
		}
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: SignatureVersion: Invalid value [%s]. Must be 1 or 2.", value)
		}
	}
	return nil
}

func (s *Service) DeleteTopic(ctx context.Context, in *snsapi.DeleteTopicInput) (*snsapi.DeleteTopicOutput, error) {
	ref, err := parseTopicArn(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		// Deleting a topic that does not exist succeeds, as on AWS.
		subs, err := r.subs(ref.name)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if err := r.deleteSub(sub); err != nil {
				return err
			}
		}
		var dedups [][]byte
		for _, kind := range []string{"dedup", "dedupexp"} {
			err = r.tx.Scan(r.ns.Prefix(kind, ref.name), nil, func(k, _ []byte) error {
				dedups = append(dedups, append([]byte(nil), k...))
				return nil
			})
			if err != nil {
				return err
			}
		}
		for _, k := range dedups {
			if err := r.tx.Delete(k); err != nil {
				return err
			}
		}
		return r.tx.Delete(r.ns.Key("topic", ref.name))
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.DeleteTopicOutput{}, nil
}

func (s *Service) ListTopics(ctx context.Context, in *snsapi.ListTopicsInput) (*snsapi.ListTopicsResponse, error) {
	out := &snsapi.ListTopicsResponse{Topics: []snsapi.Topic{}}
	err := s.view(ctx, func(r *region) error {
		start, err := r.resumeKey(in.NextToken, 1, "topic")
		if err != nil {
			return err
		}
		return scanJSON(r.tx, r.ns.Prefix("topic"), start, func(_ []byte, t *topicRec) error {
			if len(out.Topics) == topicsPerPage {
				out.NextToken = api.Ptr(encodeToken(t.Name))
				return store.ErrStop
			}
			out.Topics = append(out.Topics, snsapi.Topic{TopicArn: api.Ptr(r.topicArn(t.Name))})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// defaultEffectiveDeliveryPolicy is what AWS reports for a topic without a
// DeliveryPolicy.
const defaultEffectiveDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

// deliveryPolicyError is the error for a DeliveryPolicy rejected for
// reason (nil for ""): CreateTopic and Subscribe name their Attributes
// parameter, as AWS does.
func deliveryPolicyError(reason string, inAttributes bool) error {
	switch {
	case reason == "":
		return nil
	case inAttributes:
		return snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: %s", reason)
	}
	return snsapi.NewInvalidParameterException("Invalid parameter: %s", reason)
}

func (s *Service) GetTopicAttributes(ctx context.Context, in *snsapi.GetTopicAttributesInput) (*snsapi.GetTopicAttributesResponse, error) {
	ref, err := parseTopicArn(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	err = s.viewIn(ref.account, ref.region, func(r *region) error {
		t, err := r.topic(ref.name)
		if err != nil {
			return err
		}
		subs, err := r.subs(ref.name)
		if err != nil {
			return err
		}
		pending, confirmed := 0, 0
		for _, sub := range subs {
			if r.gone(sub) {
				continue
			}
			if sub.Pending {
				pending++
			} else {
				confirmed++
			}
		}
		for k, v := range t.Attrs {
			attrs[k] = v
		}
		arn := r.topicArn(t.Name)
		attrs["TopicArn"] = arn
		attrs["Owner"] = r.account
		attrs["SubscriptionsPending"] = strconv.Itoa(pending)
		attrs["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
		attrs["SubscriptionsDeleted"] = strconv.FormatInt(t.Deleted, 10)
		if _, ok := attrs["DisplayName"]; !ok {
			attrs["DisplayName"] = ""
		}
		if attrs["Policy"] == "" {
			attrs["Policy"] = defaultPolicy(arn, r.account)
		}
		attrs["EffectiveDeliveryPolicy"] = topicEffectivePolicy(attrs["DeliveryPolicy"])
		if t.fifo() && attrs["ContentBasedDeduplication"] == "" {
			attrs["ContentBasedDeduplication"] = "false"
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.GetTopicAttributesResponse{Attributes: attrs}, nil
}

func (s *Service) SetTopicAttributes(ctx context.Context, in *snsapi.SetTopicAttributesInput) (*snsapi.SetTopicAttributesOutput, error) {
	ref, err := parseTopicArn(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	name, value := api.Deref(in.AttributeName), api.Deref(in.AttributeValue)
	if !validTopicAttribute(name) || name == "FifoTopic" {
		return nil, snsapi.NewInvalidParameterException("Invalid parameter: AttributeName")
	}
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		t, err := r.topic(ref.name)
		if err != nil {
			return err
		}
		if err := checkTopicAttribute(name, value, t.fifo(), false); err != nil {
			return err
		}
		if t.Attrs == nil {
			t.Attrs = map[string]string{}
		}
		// An empty value clears the attribute (an empty Policy brings
		// back the default one).
		if value == "" && name != "DisplayName" {
			delete(t.Attrs, name)
		} else {
			t.Attrs[name] = value
		}
		return r.putTopic(t)
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.SetTopicAttributesOutput{}, nil
}
