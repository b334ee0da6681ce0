package sns

import (
	"encoding/base64"
	"maps"
	"slices"
	"strings"
)

// The Type of the documents SNS sends.
const (
	typeNotification             = "Notification"
	typeSubscriptionConfirmation = "SubscriptionConfirmation"
	typeUnsubscribeConfirmation  = "UnsubscribeConfirmation"
)

// confirmation reports whether n is a SubscriptionConfirmation or an
// UnsubscribeConfirmation: the documents with a Token and a SubscribeURL.
func (n *notification) confirmation() bool {
	return n.Type == typeSubscriptionConfirmation || n.Type == typeUnsubscribeConfirmation
}

// timestampLayout is ISO 8601 with milliseconds, as in every SNS document.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// notification is one document SNS sends to an endpoint: a Notification, a
// SubscriptionConfirmation or an UnsubscribeConfirmation.
type notification struct {
	Type             string
	MessageID        string
	Token            string // confirmations
	SequenceNumber   string // notifications of FIFO topics
	TopicArn         string
	Subject          string // "" = none
	Message          string
	SubscribeURL     string // confirmations
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string
	UnsubscribeURL   string // notifications
	Attributes       map[string]MessageAttribute
}

// JSON renders n byte for byte as AWS does for http/https, sqs and
// email-json endpoints: keys in AWS's order, "key" : value pairs, two-space
// indent, Subject and MessageAttributes only when present, and each
// attribute on one line. Consumers that parse it do not care; those that
// compare or log it see what they would see on AWS.
func (n *notification) JSON() string {
	var b strings.Builder
	first := true
	field := func(k, v string) {
		if !first {
			b.WriteString(",\n")
		}
		first = false
		b.WriteString("  ")
		b.WriteString(jsonString(k))
		b.WriteString(" : ")
		b.WriteString(v)
	}
	b.WriteString("{\n")
	field("Type", jsonString(n.Type))
	field("MessageId", jsonString(n.MessageID))
	if n.confirmation() {
		field("Token", jsonString(n.Token))
	}
	if n.SequenceNumber != "" {
		field("SequenceNumber", jsonString(n.SequenceNumber))
	}
	field("TopicArn", jsonString(n.TopicArn))
	if n.Subject != "" {
		field("Subject", jsonString(n.Subject))
	}
	field("Message", jsonString(n.Message))
	if n.confirmation() {
		field("SubscribeURL", jsonString(n.SubscribeURL))
	}
	field("Timestamp", jsonString(n.Timestamp))
	field("SignatureVersion", jsonString(n.SignatureVersion))
	field("Signature", jsonString(n.Signature))
	field("SigningCertURL", jsonString(n.SigningCertURL))
	if n.Type == typeNotification {
		field("UnsubscribeURL", jsonString(n.UnsubscribeURL))
		if len(n.Attributes) > 0 {
			var a strings.Builder
			a.WriteString("{\n")
			for i, name := range slices.Sorted(maps.Keys(n.Attributes)) {
				if i > 0 {
					a.WriteString(",\n")
				}
				typ, val := attributeJSON(n.Attributes[name])
				a.WriteString("    " + jsonString(name) + " : {\"Type\":" + jsonString(typ) + ",\"Value\":" + jsonString(val) + "}")
			}
			a.WriteString("\n  }")
			field("MessageAttributes", a.String())
		}
	}
	b.WriteString("\n}")
	return b.String()
}

// attributeJSON is an attribute's Type and Value in SNS documents: binary
// values base64-encoded.
func attributeJSON(a MessageAttribute) (typ, value string) {
	if strings.HasPrefix(a.DataType, "Binary") {
		return a.DataType, base64.StdEncoding.EncodeToString(a.BinaryValue)
	}
	return a.DataType, a.StringValue
}

// lambdaEvent is the event a lambda subscription's function receives: one
// record per invocation. Field names differ from the JSON document
// (SigningCertUrl, UnsubscribeUrl) and Subject is null when absent, as on
// AWS.
type lambdaEvent struct {
	Records []lambdaRecord `json:"Records"`
}

type lambdaRecord struct {
	EventSource          string    `json:"EventSource"`
	EventVersion         string    `json:"EventVersion"`
	EventSubscriptionArn string    `json:"EventSubscriptionArn"`
	Sns                  lambdaSns `json:"Sns"`
}

type lambdaSns struct {
	Type              string                     `json:"Type"`
	MessageID         string                     `json:"MessageId"`
	SequenceNumber    string                     `json:"SequenceNumber,omitempty"`
	TopicArn          string                     `json:"TopicArn"`
	Subject           *string                    `json:"Subject"`
	Message           string                     `json:"Message"`
	Timestamp         string                     `json:"Timestamp"`
	SignatureVersion  string                     `json:"SignatureVersion"`
	Signature         string                     `json:"Signature"`
	SigningCertURL    string                     `json:"SigningCertUrl"`
	UnsubscribeURL    string                     `json:"UnsubscribeUrl"`
	MessageAttributes map[string]lambdaAttribute `json:"MessageAttributes"`
}

type lambdaAttribute struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// lambdaPayload renders the event of a lambda subscription.
func (n *notification) lambdaPayload(subscriptionArn string) ([]byte, error) {
	ev := lambdaSns{
		Type: n.Type, MessageID: n.MessageID, SequenceNumber: n.SequenceNumber, TopicArn: n.TopicArn,
		Message: n.Message, Timestamp: n.Timestamp, SignatureVersion: n.SignatureVersion,
		Signature: n.Signature, SigningCertURL: n.SigningCertURL, UnsubscribeURL: n.UnsubscribeURL,
		MessageAttributes: map[string]lambdaAttribute{},
	}
	if n.Subject != "" {
		ev.Subject = &n.Subject
	}
	for name, a := range n.Attributes {
		typ, val := attributeJSON(a)
		ev.MessageAttributes[name] = lambdaAttribute{Type: typ, Value: val}
	}
	return marshalNoEscape(lambdaEvent{Records: []lambdaRecord{{
		EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: subscriptionArn, Sns: ev,
	}}})
}

// Links in SNS documents and mails point at kiri's endpoint as query
// requests: the Version parameter lets kiri's gateway route an unsigned GET
// (a browser, curl, a subscriber following SubscribeURL) to SNS. ARNs and
// tokens go in unescaped, as in AWS's links: their characters (letters,
// digits, ':', '-', '_', '.') are all legal in a query.

func (s *Service) subscribeURL(topicArn, token string) string {
	return s.endpoint + "/?Action=ConfirmSubscription&Version=2010-03-31&TopicArn=" + topicArn + "&Token=" + token
}

func (s *Service) unsubscribeURL(subscriptionArn string) string {
	return s.endpoint + "/?Action=Unsubscribe&Version=2010-03-31&SubscriptionArn=" + subscriptionArn
}

// Texts AWS sends.

func httpConfirmationMessage(topicArn string) string {
	return "You have chosen to subscribe to the topic " + topicArn + ".\nTo confirm the subscription, visit the SubscribeURL included in this message."
}

// unsubscribeConfirmationMessage is the Message of the
// UnsubscribeConfirmation sent when subscriptionArn is unsubscribed.
func unsubscribeConfirmationMessage(subscriptionArn string) string {
	return "You have chosen to deactivate subscription " + subscriptionArn + ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
}

const (
	confirmationMailSubject = "AWS Notification - Subscription Confirmation"
	defaultMailSubject      = "AWS Notification Message"
	mailSenderAddress       = "no-reply@sns.amazonaws.com"
)

// mailFrom is the sender of SNS mails: the topic's display name, if it has
// one, else "AWS Notifications".
func mailFrom(displayName string) string {
	if displayName == "" {
		displayName = "AWS Notifications"
	}
	return displayName + " <" + mailSenderAddress + ">"
}

func confirmationMailText(topicArn, link string) string {
	return "You have chosen to subscribe to the topic: \n" + topicArn + "\n\n" +
		"To confirm this subscription, click or visit the link below (If this was in error no action is necessary): \n" +
		link + "\n\n" +
		"Please do not reply directly to this email. If you wish to remove yourself from receiving all future SNS subscription confirmation requests please send an email to sns-opt-out\n"
}

func confirmationMailHTML(topicArn, link string) string {
	return "<p>You have chosen to subscribe to the topic: <br>" + htmlEscape(topicArn) + "</p>" +
		"<p>To confirm this subscription, click or visit the link below (If this was in error no action is necessary): <br>" +
		"<a href=\"" + htmlEscape(link) + "\">Confirm subscription</a></p>" +
		"<p><small>Please do not reply directly to this email. If you wish to remove yourself from receiving all future SNS subscription confirmation requests please send an email to sns-opt-out</small></p>"
}

// notificationMailText is an email subscription's mail: the message and
// AWS's footer.
func notificationMailText(message, unsubscribeLink string) string {
	return message + "\n\n-- \n" +
		"If you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n" +
		unsubscribeLink + "\n\n" +
		"Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support"
}

var htmlReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func htmlEscape(s string) string { return htmlReplacer.Replace(s) }
