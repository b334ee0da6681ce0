package sns

import (
	"context"
	"strconv"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/mailbox"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

const (
	subscriptionsPerPage = 100
	// pendingArn is what Subscribe returns for a subscription awaiting
	// confirmation; pendingListed is what the List operations show.
	pendingArn    = "pending confirmation"
	pendingListed = "PendingConfirmation"
)

// needsConfirmation tells, per protocol, whether the endpoint's owner must
// confirm; protocols absent here are unknown.
var needsConfirmation = map[string]bool{
	"sqs": false, "lambda": false, "sms": false, "application": false, "firehose": false,
	"http": true, "https": true, "email": true, "email-json": true,
}

// rawCapable are the protocols that can take RawMessageDelivery.
var rawCapable = map[string]bool{"sqs": true, "http": true, "https": true, "firehose": true}

// subscriptionAttributes are the attributes Subscribe and
// SetSubscriptionAttributes accept.
var subscriptionAttributes = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

// checkEndpoint validates a subscription endpoint for its protocol.
func checkEndpoint(protocol, endpoint string, fifoTopic bool) error {
	bad := func(what string) error { return snsapi.NewInvalidParameterException("Invalid parameter: %s", what) }
	switch protocol {
	case "sqs":
		if !strings.HasPrefix(endpoint, "arn:aws:sqs:") || strings.Count(endpoint, ":") != 5 {
			return bad("SQS endpoint ARN")
		}
		if strings.HasSuffix(endpoint, ".fifo") && !fifoTopic {
			return bad("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
		}
	case "lambda":
		if !strings.HasPrefix(endpoint, "arn:aws:lambda:") {
			return bad("Lambda endpoint ARN")
		}
	case "http", "https":
		if !strings.HasPrefix(strings.ToLower(endpoint), protocol+"://") {
			return bad("Endpoint must match the specified protocol")
		}
	case "email", "email-json":
		at := strings.IndexByte(endpoint, '@')
		if at <= 0 || at == len(endpoint)-1 || strings.ContainsAny(endpoint, " \t\r\n") {
			return bad("Email address")
		}
	case "sms":
		if !e164.MatchString(endpoint) {
			return bad("Invalid SMS endpoint")
		}
	default:
		if endpoint == "" {
			return bad("Endpoint")
		}
	}
	if fifoTopic && protocol != "sqs" {
		return bad("Invalid protocol type: " + protocol)
	}
	return nil
}

// checkSubscriptionAttribute validates one attribute of a subscription
// with protocol; inAttributes tells that it came in Subscribe's Attributes.
func (s *Service) checkSubscriptionAttribute(protocol, name, value string, attrs map[string]string, inAttributes bool) error {
	switch name {
	case "DeliveryPolicy":
		return deliveryPolicyError(checkDeliveryPolicy(value, false), inAttributes)
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [%s]. Must be true or false.", value)
		}
		if value == "true" && !rawCapable[protocol] {
			return snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: Delivery protocol [%s] does not support raw message delivery.", protocol)
		}
	case "FilterPolicyScope":
		if value != "MessageAttributes" && value != "MessageBody" {
			return snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", value)
		}
		if p := attrs["FilterPolicy"]; p != "" {
			if _, err := s.compileFilter(p, value); err != nil {
				return snsapi.NewInvalidParameterException("Invalid parameter: FilterPolicy: %v", err)
			}
		}
	case "FilterPolicy":
		if value == "" {
			return nil
		}
		scope := attrs["FilterPolicyScope"]
		if scope == "" {
			scope = "MessageAttributes"
		}
		if !isJSONObject(value) {
			return snsapi.NewInvalidParameterException("Invalid parameter: FilterPolicy: failed to parse JSON.")
		}
		if _, err := s.compileFilter(value, scope); err != nil {
			return snsapi.NewInvalidParameterException("Invalid parameter: FilterPolicy: %v", err)
		}
	case "RedrivePolicy", "ReplayPolicy":
		if value != "" && !isJSONObject(value) {
			return snsapi.NewInvalidParameterException("Invalid parameter: %s: failed to parse JSON.", name)
		}
	}
	return nil
}

func (s *Service) Subscribe(ctx context.Context, in *snsapi.SubscribeInput) (*snsapi.SubscribeResponse, error) {
	ref, err := parseTopicArn(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	protocol := strings.ToLower(api.Deref(in.Protocol))
	endpoint := api.Deref(in.Endpoint)
	if _, ok := needsConfirmation[protocol]; !ok {
		return nil, snsapi.NewInvalidParameterException("Invalid parameter: Amazon SNS does not support this protocol string: %s", api.Deref(in.Protocol))
	}
	attrs := map[string]string{}
	for k, v := range in.Attributes {
		if !subscriptionAttributes[k] {
			return nil, snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: Unknown attribute %s", k)
		}
		attrs[k] = v
	}
	for k, v := range attrs {
		if err := s.checkSubscriptionAttribute(protocol, k, v, attrs, true); err != nil {
			return nil, err
		}
	}
	owner, _ := request.Scope(ctx)
	var sub *subRec
	var topic *topicRec
	var arn string
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		var err error
		if topic, err = r.topic(ref.name); err != nil {
			return err
		}
		if err := checkEndpoint(protocol, endpoint, topic.fifo()); err != nil {
			return err
		}
		subs, err := r.subs(ref.name)
		if err != nil {
			return err
		}
		// Subscribing the same endpoint again returns the subscription
		// it already has. Pending subscriptions left unconfirmed too long
		// are gone: they are cleared away here.
		for _, old := range subs {
			if r.gone(old) {
				if err := r.deleteSub(old); err != nil {
					return err
				}
				continue
			}
			if sub == nil && old.Protocol == protocol && old.Endpoint == endpoint {
				for k, v := range attrs {
					if old.Attrs[k] != v {
						return snsapi.NewInvalidParameterException("Invalid parameter: Attributes Reason: Subscription already exists with different attributes")
					}
				}
				sub, arn = old, r.subArn(old)
			}
		}
		if sub != nil {
			if !sub.Pending {
				return nil
			}
			// The confirmation request sent again is valid as long
			// as a new one.
			sub.Expires = r.now.Add(tokenLifetime).UnixMilli()
			return r.putSub(sub)
		}
		sub = &subRec{ID: request.NewID(), Topic: ref.name, Protocol: protocol, Endpoint: endpoint, Owner: owner,
			Pending: needsConfirmation[protocol]}
		if len(attrs) > 0 {
			sub.Attrs = attrs
		}
		if sub.Pending {
			sub.Expires = r.now.Add(tokenLifetime).UnixMilli()
			sub.Token = newToken()
			if err := store.PutJSON(r.tx, r.ns.Key("token", sub.Token), &tokenRec{Topic: sub.Topic, ID: sub.ID}); err != nil {
				return err
			}
		}
		arn = r.subArn(sub)
		return r.putSub(sub)
	})
	if err != nil {
		return nil, err
	}
	// A new pending subscription asks its endpoint to confirm; subscribing
	// again while pending asks again, as AWS resends the confirmation.
	if sub.Pending {
		s.requestConfirmation(ref, topic, sub, arn)
	}
	if sub.Pending && !api.Deref(in.ReturnSubscriptionArn) {
		return &snsapi.SubscribeResponse{SubscriptionArn: api.Ptr(pendingArn)}, nil
	}
	return &snsapi.SubscribeResponse{SubscriptionArn: &arn}, nil
}

// requestConfirmation sends the confirmation request of a pending
// subscription: a SubscriptionConfirmation POST to http/https endpoints
// (in the background, with retries), a mail to email endpoints (stored at
// once, so it is in the mailbox when Subscribe returns).
func (s *Service) requestConfirmation(ref topicRef, topic *topicRec, sub *subRec, subArn string) {
	topicArn := "arn:aws:sns:" + ref.region + ":" + ref.account + ":" + ref.name
	link := s.subscribeURL(topicArn, sub.Token)
	switch sub.Protocol {
	case "http", "https":
		s.postConfirmation(topicArn, topic, sub, subArn, typeSubscriptionConfirmation, sub.Token, httpConfirmationMessage(topicArn))
	case "email", "email-json":
		if s.cfg.Mailbox == nil {
			s.logf("sns: no mailbox; confirmation mail to %s dropped", sub.Endpoint)
			return
		}
		_, err := s.cfg.Mailbox.Deliver(s.ctx, mailbox.Mail{
			Account: ref.account, Source: "sns",
			From: mailFrom(topic.Attrs["DisplayName"]), To: []string{sub.Endpoint},
			Subject: confirmationMailSubject,
			Text:    confirmationMailText(topicArn, link),
			HTML:    confirmationMailHTML(topicArn, link),
			Time:    s.now(),
		})
		if err != nil {
			s.logf("sns: confirmation mail to %s: %v", sub.Endpoint, err)
		}
	}
}

// postConfirmation POSTs a SubscriptionConfirmation or an
// UnsubscribeConfirmation (typ) carrying token to sub's http/https
// endpoint, signed, in the background, retried as the delivery policy of
// the topic and sub says.
func (s *Service) postConfirmation(topicArn string, topic *topicRec, sub *subRec, subArn, typ, token, message string) {
	n := &notification{
		Type: typ, MessageID: request.NewID(), Token: token, TopicArn: topicArn,
		Message: message, SubscribeURL: s.subscribeURL(topicArn, token),
		Timestamp: s.now().UTC().Format(timestampLayout),
	}
	if err := s.sign(n, topic.Attrs["SignatureVersion"]); err != nil {
		s.logf("sns: sign %s for %s: %v", typ, subArn, err)
		return
	}
	plan := s.plan(topic.Attrs["DeliveryPolicy"], sub)
	s.goDeliver(func(ctx context.Context) {
		if err := s.postHTTP(ctx, nil, plan, sub.Endpoint, n, subArn, false); err != nil {
			s.logf("sns: %s to %s failed: %v", typ, sub.Endpoint, err)
		}
	})
}

func (s *Service) ConfirmSubscription(ctx context.Context, in *snsapi.ConfirmSubscriptionInput) (*snsapi.ConfirmSubscriptionResponse, error) {
	ref, err := parseTopicArn(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	token := api.Deref(in.Token)
	authenticate := false
	switch strings.ToLower(api.Deref(in.AuthenticateOnUnsubscribe)) {
	case "", "false":
	case "true":
		authenticate = true
	default:
		return nil, snsapi.NewInvalidParameterException("Invalid parameter: AuthenticateOnUnsubscribe")
	}
	var arn string
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		if _, err := r.topic(ref.name); err != nil {
			return err
		}
		var tok tokenRec
		ok, err := store.GetJSON(r.tx, r.ns.Key("token", token), &tok)
		if err != nil {
			return err
		}
		if !ok || token == "" || tok.Topic != ref.name {
			return snsapi.NewInvalidParameterException("Invalid token")
		}
		if tok.Restore != nil {
			var err error
			arn, err = r.restore(&tok, token, authenticate)
			return err
		}
		sub, ok, err := r.sub(tok.Topic, tok.ID)
		if err != nil {
			return err
		}
		if !ok || r.gone(sub) {
			return snsapi.NewInvalidParameterException("Invalid token")
		}
		arn = r.subArn(sub)
		if !sub.Pending {
			return nil // confirming twice returns the same subscription
		}
		sub.Pending = false
		sub.Authenticated = authenticate
		return r.putSub(sub)
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.ConfirmSubscriptionResponse{SubscriptionArn: &arn}, nil
}

// restore brings back the subscription an UnsubscribeConfirmation's
// token (tok, stored under token) names, confirmed, with the ARN,
// endpoint and attributes it had, and returns its ARN. The token then
// works like a used confirmation token: confirming again returns the same
// ARN. If the endpoint is subscribed to the topic again meanwhile, that
// subscription stands (a pending one gives way to the restored one).
func (r *region) restore(tok *tokenRec, token string, authenticate bool) (string, error) {
	if r.now.UnixMilli() >= tok.Expires {
		return "", snsapi.NewInvalidParameterException("Invalid token")
	}
	subs, err := r.subs(tok.Topic)
	if err != nil {
		return "", err
	}
	for _, old := range subs {
		if old.Protocol != tok.Restore.Protocol || old.Endpoint != tok.Restore.Endpoint {
			continue
		}
		if !old.Pending {
			return r.subArn(old), nil
		}
		if err := r.deleteSub(old); err != nil {
			return "", err
		}
	}
	sub := *tok.Restore
	sub.Pending, sub.Expires, sub.Token, sub.Authenticated = false, 0, token, authenticate
	if err := store.PutJSON(r.tx, r.ns.Key("token", token), &tokenRec{Topic: sub.Topic, ID: sub.ID}); err != nil {
		return "", err
	}
	return r.subArn(&sub), r.putSub(&sub)
}

// Unsubscribe deletes a subscription. A confirmed http/https one is sent
// an UnsubscribeConfirmation whose SubscribeURL (or Token, with
// ConfirmSubscription) restores it for tokenLifetime, as on AWS; pending
// subscriptions and other protocols are sent nothing.
func (s *Service) Unsubscribe(ctx context.Context, in *snsapi.UnsubscribeInput) (*snsapi.UnsubscribeOutput, error) {
	ref, err := parseSubArn(in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	var farewell struct {
		sub           *subRec
		topic         *topicRec
		topicArn, arn string
		token         string
		notify        bool
	}
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		sub, ok, err := r.sub(ref.name, ref.id)
		if err != nil || !ok {
			return err // unsubscribing twice succeeds, as on AWS
		}
		if err := r.deleteSub(sub); err != nil {
			return err
		}
		if r.gone(sub) {
			return nil // expired unconfirmed: it was gone already
		}
		t, err := r.topic(ref.name)
		if err != nil {
			return err
		}
		t.Deleted++
		if err := r.putTopic(t); err != nil {
			return err
		}
		if sub.Pending || (sub.Protocol != "http" && sub.Protocol != "https") {
			return nil
		}
		token := newToken()
		kept := *sub
		kept.Token = ""
		rec := tokenRec{Topic: sub.Topic, ID: sub.ID, Restore: &kept, Expires: r.now.Add(tokenLifetime).UnixMilli()}
		if err := store.PutJSON(r.tx, r.ns.Key("token", token), &rec); err != nil {
			return err
		}
		farewell.sub, farewell.topic, farewell.token, farewell.notify = sub, t, token, true
		farewell.topicArn, farewell.arn = r.topicArn(sub.Topic), r.subArn(sub)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if farewell.notify {
		s.postConfirmation(farewell.topicArn, farewell.topic, farewell.sub, farewell.arn,
			typeUnsubscribeConfirmation, farewell.token, unsubscribeConfirmationMessage(farewell.arn))
	}
	return &snsapi.UnsubscribeOutput{}, nil
}

// listed is a subscription as the List operations show it.
func (r *region) listed(sub *subRec) snsapi.Subscription {
	arn := r.subArn(sub)
	if sub.Pending {
		arn = pendingListed
	}
	return snsapi.Subscription{
		SubscriptionArn: api.Ptr(arn), Owner: api.Ptr(sub.Owner), Protocol: api.Ptr(sub.Protocol),
		Endpoint: api.Ptr(sub.Endpoint), TopicArn: api.Ptr(r.topicArn(sub.Topic)),
	}
}

// listSubs lists one page of the subscriptions under prefix, resuming at
// the subscription a NextToken names.
func (r *region) listSubs(prefix []byte, token *string) ([]snsapi.Subscription, *string, error) {
	start, err := r.resumeKey(token, 2, "sub")
	if err != nil {
		return nil, nil, err
	}
	out := []snsapi.Subscription{}
	var next *string
	err = scanJSON(r.tx, prefix, start, func(_ []byte, sub *subRec) error {
		if r.gone(sub) {
			return nil
		}
		if len(out) == subscriptionsPerPage {
			next = api.Ptr(encodeToken(sub.Topic + "/" + sub.ID))
			return store.ErrStop
		}
		out = append(out, r.listed(sub))
		return nil
	})
	return out, next, err
}

func (s *Service) ListSubscriptions(ctx context.Context, in *snsapi.ListSubscriptionsInput) (*snsapi.ListSubscriptionsResponse, error) {
	out := &snsapi.ListSubscriptionsResponse{}
	err := s.view(ctx, func(r *region) error {
		var err error
		out.Subscriptions, out.NextToken, err = r.listSubs(r.ns.Prefix("sub"), in.NextToken)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) ListSubscriptionsByTopic(ctx context.Context, in *snsapi.ListSubscriptionsByTopicInput) (*snsapi.ListSubscriptionsByTopicResponse, error) {
	ref, err := parseTopicArn(in.TopicArn, "TopicArn")
	if err != nil {
		return nil, err
	}
	out := &snsapi.ListSubscriptionsByTopicResponse{}
	err = s.viewIn(ref.account, ref.region, func(r *region) error {
		if _, err := r.topic(ref.name); err != nil {
			return err
		}
		var err error
		out.Subscriptions, out.NextToken, err = r.listSubs(r.ns.Prefix("sub", ref.name), in.NextToken)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// subscription loads the subscription an ARN names.
func (r *region) subscription(ref subRef) (*subRec, error) {
	sub, ok, err := r.sub(ref.name, ref.id)
	if err != nil {
		return nil, err
	}
	if !ok || r.gone(sub) {
		return nil, snsapi.NewNotFoundException("Subscription does not exist")
	}
	return sub, nil
}

func (s *Service) GetSubscriptionAttributes(ctx context.Context, in *snsapi.GetSubscriptionAttributesInput) (*snsapi.GetSubscriptionAttributesResponse, error) {
	ref, err := parseSubArn(in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	err = s.viewIn(ref.account, ref.region, func(r *region) error {
		sub, err := r.subscription(ref)
		if err != nil {
			return err
		}
		for k, v := range sub.Attrs {
			attrs[k] = v
		}
		attrs["SubscriptionArn"] = r.subArn(sub)
		attrs["TopicArn"] = r.topicArn(sub.Topic)
		attrs["Owner"] = sub.Owner
		attrs["Protocol"] = sub.Protocol
		attrs["Endpoint"] = sub.Endpoint
		attrs["PendingConfirmation"] = strconv.FormatBool(sub.Pending)
		attrs["ConfirmationWasAuthenticated"] = strconv.FormatBool(sub.Authenticated)
		attrs["SubscriptionPrincipal"] = "arn:aws:iam::" + sub.Owner + ":root"
		if attrs["RawMessageDelivery"] == "" {
			attrs["RawMessageDelivery"] = "false"
		}
		if attrs["FilterPolicy"] != "" && attrs["FilterPolicyScope"] == "" {
			attrs["FilterPolicyScope"] = "MessageAttributes"
		}
		if sub.Protocol == "http" || sub.Protocol == "https" {
			topicDP := ""
			if t, err := r.topic(sub.Topic); err == nil {
				topicDP = t.Attrs["DeliveryPolicy"]
			}
			attrs["EffectiveDeliveryPolicy"] = subEffectivePolicy(topicDP, sub.Attrs["DeliveryPolicy"])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.GetSubscriptionAttributesResponse{Attributes: attrs}, nil
}

func (s *Service) SetSubscriptionAttributes(ctx context.Context, in *snsapi.SetSubscriptionAttributesInput) (*snsapi.SetSubscriptionAttributesOutput, error) {
	ref, err := parseSubArn(in.SubscriptionArn)
	if err != nil {
		return nil, err
	}
	name, value := api.Deref(in.AttributeName), api.Deref(in.AttributeValue)
	if !subscriptionAttributes[name] {
		return nil, snsapi.NewInvalidParameterException("Invalid parameter: AttributeName")
	}
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		sub, err := r.subscription(ref)
		if err != nil {
			return err
		}
		if err := s.checkSubscriptionAttribute(sub.Protocol, name, value, sub.Attrs, false); err != nil {
			return err
		}
		if sub.Attrs == nil {
			sub.Attrs = map[string]string{}
		}
		if value == "" {
			delete(sub.Attrs, name)
		} else {
			sub.Attrs[name] = value
		}
		return r.putSub(sub)
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.SetSubscriptionAttributesOutput{}, nil
}
