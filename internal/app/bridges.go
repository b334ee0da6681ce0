package app

import (
	"context"
	"encoding/json"
	"net/http"

	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/mailbox"
	"github.com/kiricloud/kiri/internal/pattern"
	lambdaservice "github.com/kiricloud/kiri/internal/service/lambda"
	snsservice "github.com/kiricloud/kiri/internal/service/sns"
	sqsservice "github.com/kiricloud/kiri/internal/service/sqs"
)

// The bridges below let one service deliver to another in-process, through
// the target's own API, as AWS's services call each other.

// snsToSQS delivers SNS notifications to queues.
type snsToSQS struct{ sqs *sqsservice.Service }

func (b snsToSQS) SendToArn(ctx context.Context, queueArn, body string, attrs map[string]snsservice.MessageAttribute, groupID, dedupID string) (string, error) {
	sqsAttrs := make(map[string]sqsapi.MessageAttributeValue, len(attrs))
	for name, a := range attrs {
		v := sqsapi.MessageAttributeValue{DataType: ptr(a.DataType), BinaryValue: a.BinaryValue}
		if a.BinaryValue == nil {
			v.StringValue = ptr(a.StringValue)
		}
		sqsAttrs[name] = v
	}
	return b.sqs.SendToArn(ctx, queueArn, body, sqsAttrs, groupID, dedupID)
}

// snsToLambda invokes functions asynchronously, as SNS does.
type snsToLambda struct{ lambda *lambdaservice.Service }

func (b snsToLambda) InvokeEvent(ctx context.Context, functionArn string, payload []byte) error {
	_, err := b.lambda.Invoke(ctx, &lambdaapi.InvocationRequest{FunctionName: ptr(functionArn),
		InvocationType: ptr("Event"), Payload: payload})
	return err
}

// snsFilters compiles subscription filter policies with the matcher that
// EventBridge patterns use too.
type snsFilters struct{}

func (snsFilters) CompileFilter(policy, scope string) (snsservice.Matcher, error) {
	p, err := pattern.CompileFilterPolicy([]byte(policy), scope)
	if err != nil {
		return nil, err
	}
	if p.Scope() == pattern.ScopeMessageBody {
		return func(_ map[string]snsservice.MessageAttribute, body string) bool { return p.Match([]byte(body)) }, nil
	}
	return func(attrs map[string]snsservice.MessageAttribute, _ string) bool {
		values := make(map[string]pattern.Attribute, len(attrs))
		for name, a := range attrs {
			values[name] = pattern.Attribute{DataType: a.DataType, Value: a.StringValue}
		}
		return p.MatchAttributes(values)
	}, nil
}

// snsCertificate serves the certificate that SNS signs messages with, at
// the SigningCertURL of every notification.
func snsCertificate(svc *snsservice.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(svc.SigningCertPEM())
	})
}

// mailboxHandler lists kiri's outbound mail (SNS email subscriptions now,
// SES later) as JSON, so tests and users can read it and follow its links.
func mailboxHandler(box *mailbox.Mailbox) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mails, err := box.List(r.URL.Query().Get("account"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"messages": mails})
	})
}

func ptr[T any](v T) *T { return &v }
