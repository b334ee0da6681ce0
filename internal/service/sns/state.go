package sns

import (
	"context"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// Key layout inside the namespace ("sns", account, region):
//
//	("topic", name)              → topicRec
//	("sub", topic, id)           → subRec; its ARN is the topic ARN + ":" + id
//	("token", token)             → tokenRec, the confirmation token of a pending subscription, or
//	                               the token of an UnsubscribeConfirmation (which restores one)
//	("dedup", topic, dedupID)    → dedupRec, FIFO deduplication for five minutes
//	("dedupexp", topic, expiry, dedupID) → nothing; expiry index for purging
//
// Subscriptions sort under their topic, so ListSubscriptionsByTopic and
// DeleteTopic are prefix scans. The signing key lives outside every
// account, in ("sns", "", "") under ("signing").
//
// Deliveries not yet made live there too, so that New finds them all with
// one scan:
//
//	("delivery", subscription ARN, order) → deliveryRec
//
// order is the FIFO sequence number (20 digits) for FIFO topics, so a
// subscription's deliveries sort in publish order; for standard topics it is
// the publish time (expiryKey) and the message id.
//
// Operations addressed by ARN act in the account and region the ARN names,
// not the caller's: a confirmation link followed by a browser (an unsigned
// request, so the default region) must confirm a subscription of a Tokyo
// topic.

// topicRec is a stored topic. Attrs holds the attributes the user set
// (DisplayName, Policy, DeliveryPolicy, FifoTopic, …); the computed ones are
// filled in by GetTopicAttributes.
type topicRec struct {
	Name    string            `json:"name"`
	Attrs   map[string]string `json:"attrs,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	Deleted int64             `json:"deleted,omitempty"` // SubscriptionsDeleted
	Seq     uint64            `json:"seq,omitempty"`     // last FIFO sequence number handed out
}

func (t *topicRec) fifo() bool { return t.Attrs["FifoTopic"] == "true" }

// subRec is a stored subscription.
type subRec struct {
	ID            string            `json:"id"`
	Topic         string            `json:"topic"`
	Protocol      string            `json:"protocol"`
	Endpoint      string            `json:"endpoint"`
	Owner         string            `json:"owner"`
	Pending       bool              `json:"pending,omitempty"`
	Token         string            `json:"token,omitempty"`
	Authenticated bool              `json:"authenticated,omitempty"` // ConfirmationWasAuthenticated
	Attrs         map[string]string `json:"attrs,omitempty"`
	// Expires is when a pending subscription, unconfirmed, is deleted
	// (Unix ms; see tokenLifetime); 0 (stored by an older kiri) is never.
	Expires int64 `json:"expires,omitempty"`
}

// deliveryRec is a delivery not yet made: written in the transaction that
// accepts the message, so an acknowledged message is never lost, and
// deleted once delivered or given up on (after the dead-letter queue, if
// any). It holds everything the delivery needs, since the subscription may
// change or go before it is made.
type deliveryRec struct {
	Account    string       `json:"account"`
	Region     string       `json:"region"`
	SubArn     string       `json:"subArn"`
	Order      string       `json:"order"`
	Sub        subRec       `json:"sub"` // the subscription as it was at publish
	N          notification `json:"n"`   // unsigned: signed when delivered (deterministically)
	SigVersion string       `json:"sigVersion,omitempty"`
	GroupID    string       `json:"groupId,omitempty"`  // FIFO topics
	DedupID    string       `json:"dedupId,omitempty"`  // FIFO topics
	Attempts   int          `json:"attempts,omitempty"` // failed attempts so far
	Next       int64        `json:"next"`               // Unix ms of the next attempt
	// Plan is how to retry, fixed when the message is accepted, so a
	// delivery resumed after a restart keeps its schedule. Deliveries
	// stored by an older kiri have none and get one when they resume.
	Plan *deliveryPlan `json:"plan,omitempty"`
}

func (d *deliveryRec) ref() topicRef {
	return topicRef{account: d.Account, region: d.Region, name: d.Sub.Topic}
}

func (d *deliveryRec) key() []byte { return deliveryKey(d.SubArn, d.Order) }

// fifo reports whether d belongs to a FIFO topic, whose deliveries to a
// subscription are made one at a time in order.
func (d *deliveryRec) fifo() bool { return d.N.SequenceNumber != "" }

var globalNS = store.NS("sns", "", "")

func deliveryKey(subArn, order string) []byte { return globalNS.Key("delivery", subArn, order) }

type tokenRec struct {
	Topic string `json:"topic"`
	ID    string `json:"id"`
	// Restore is the subscription an UnsubscribeConfirmation's token
	// brings back, as it was when unsubscribed; such a token is valid
	// until Expires (Unix ms). Confirmation tokens of pending
	// subscriptions have neither: their subscription's Expires rules.
	Restore *subRec `json:"restore,omitempty"`
	Expires int64   `json:"expires,omitempty"`
}

// tokenLifetime is how long a confirmation token is valid and an
// unconfirmed subscription lives: AWS's Subscribe reference says
// confirmation tokens are valid for two days, and its developer guide that
// SNS deletes unconfirmed subscriptions after 48 hours. Expiry is judged
// when a subscription or token is read, against the service clock; expired
// pending subscriptions are removed when their topic's subscriptions are
// next written (Subscribe, Unsubscribe, DeleteTopic).
const tokenLifetime = 48 * time.Hour

type dedupRec struct {
	MessageID string `json:"id"`
	Seq       string `json:"seq,omitempty"`
	Expires   int64  `json:"exp"` // Unix ms
}

// region is one account's state in one region, inside a transaction.
type region struct {
	tx      store.Tx
	ns      store.Namespace
	account string
	name    string
	now     time.Time // the service clock when the transaction began
}

func (r *region) topicArn(name string) string {
	return "arn:aws:sns:" + r.name + ":" + r.account + ":" + name
}

func (r *region) subArn(sub *subRec) string { return r.topicArn(sub.Topic) + ":" + sub.ID }

func (r *region) topic(name string) (*topicRec, error) {
	var t topicRec
	ok, err := store.GetJSON(r.tx, r.ns.Key("topic", name), &t)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, snsapi.NewNotFoundException("Topic does not exist")
	}
	return &t, nil
}

func (r *region) putTopic(t *topicRec) error {
	return store.PutJSON(r.tx, r.ns.Key("topic", t.Name), t)
}

func (r *region) sub(topic, id string) (*subRec, bool, error) {
	var sub subRec
	ok, err := store.GetJSON(r.tx, r.ns.Key("sub", topic, id), &sub)
	if err != nil || !ok {
		return nil, false, err
	}
	return &sub, true, nil
}

func (r *region) putSub(sub *subRec) error {
	return store.PutJSON(r.tx, r.ns.Key("sub", sub.Topic, sub.ID), sub)
}

// gone reports whether sub is a pending subscription left unconfirmed past
// its expiry: for AWS it no longer exists.
func (r *region) gone(sub *subRec) bool {
	return sub.Pending && sub.Expires != 0 && r.now.UnixMilli() >= sub.Expires
}

// deleteSub removes sub and its confirmation token.
func (r *region) deleteSub(sub *subRec) error {
	if sub.Token != "" {
		if err := r.tx.Delete(r.ns.Key("token", sub.Token)); err != nil {
			return err
		}
	}
	return r.tx.Delete(r.ns.Key("sub", sub.Topic, sub.ID))
}

// subs returns the subscriptions of topic in id order.
func (r *region) subs(topic string) ([]*subRec, error) {
	var out []*subRec
	err := scanJSON(r.tx, r.ns.Prefix("sub", topic), nil, func(_ []byte, sub *subRec) error {
		out = append(out, sub)
		return nil
	})
	return out, err
}

// scanJSON visits the records under prefix from start, decoded.
func scanJSON[T any](tx store.Tx, prefix, start []byte, fn func(key []byte, v *T) error) error {
	return tx.Scan(prefix, start, func(k, v []byte) error {
		rec := new(T)
		if err := jsonUnmarshal(v, rec); err != nil {
			return err
		}
		return fn(k, rec)
	})
}

func (s *Service) open(tx store.Tx, acct, reg string) *region {
	return &region{tx: tx, ns: store.NS("sns", acct, reg), account: acct, name: reg, now: s.now()}
}

// view runs fn on the caller's state in a read transaction.
func (s *Service) view(ctx context.Context, fn func(r *region) error) error {
	acct, reg := request.Scope(ctx)
	return s.viewIn(acct, reg, fn)
}

// update runs fn on the caller's state in a write transaction.
func (s *Service) update(ctx context.Context, fn func(r *region) error) error {
	acct, reg := request.Scope(ctx)
	return s.updateIn(acct, reg, fn)
}

func (s *Service) viewIn(acct, reg string, fn func(r *region) error) error {
	return s.st.View(func(tx store.Tx) error { return fn(s.open(tx, acct, reg)) })
}

func (s *Service) updateIn(acct, reg string, fn func(r *region) error) error {
	return s.st.Update(func(tx store.Tx) error { return fn(s.open(tx, acct, reg)) })
}

// topicRef is a parsed topic ARN.
type topicRef struct{ account, region, name string }

// parseTopicArn parses arn:aws:sns:<region>:<account>:<name>.
func parseTopicArn(arn *string, param string) (topicRef, error) {
	parts := strings.Split(api.Deref(arn), ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[3] == "" || parts[4] == "" || !validTopicName(parts[5]) {
		return topicRef{}, snsapi.NewInvalidParameterException("Invalid parameter: %s", param)
	}
	return topicRef{account: parts[4], region: parts[3], name: parts[5]}, nil
}

// subRef is a parsed subscription ARN.
type subRef struct {
	topicRef
	id string
}

// parseSubArn parses arn:aws:sns:<region>:<account>:<topic>:<id>.
func parseSubArn(arn *string) (subRef, error) {
	s := api.Deref(arn)
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return subRef{}, snsapi.NewInvalidParameterException("Invalid parameter: SubscriptionArn")
	}
	topic := s[:i]
	t, err := parseTopicArn(&topic, "SubscriptionArn")
	if err != nil || s[i+1:] == "" {
		return subRef{}, snsapi.NewInvalidParameterException("Invalid parameter: SubscriptionArn")
	}
	return subRef{topicRef: t, id: s[i+1:]}, nil
}
