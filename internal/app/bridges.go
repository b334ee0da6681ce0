package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/mailbox"
	"github.com/kiricloud/kiri/internal/pattern"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
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
		v := sqsapi.MessageAttributeValue{DataType: api.Ptr(a.DataType), BinaryValue: a.BinaryValue}
		if a.BinaryValue == nil {
			v.StringValue = api.Ptr(a.StringValue)
		}
		sqsAttrs[name] = v
	}
	return b.sqs.SendToArn(ctx, queueArn, body, sqsAttrs, groupID, dedupID)
}

// snsToLambda invokes functions asynchronously, as SNS does, when the
// function's resource policy lets the topic do so.
type snsToLambda struct{ lambda *lambdaservice.Service }

func (b snsToLambda) InvokeEvent(ctx context.Context, functionArn, topicArn string, payload []byte) error {
	allowed, err := b.lambda.AllowsInvoke(ctx, functionArn, "sns.amazonaws.com", topicArn, arnAccount(topicArn))
	if err != nil {
		return err
	}
	if !allowed {
		return fmt.Errorf("the resource policy of %s does not allow sns.amazonaws.com to invoke it for %s (lambda add-permission)", functionArn, topicArn)
	}
	return invokeEvent(ctx, b.lambda, functionArn, payload)
}

// logsToLambda lets CloudWatch Logs subscription filters invoke functions
// asynchronously, when the function's resource policy lets CloudWatch Logs
// (logs.amazonaws.com, or the regional logs.<region>.amazonaws.com) invoke
// it for the log group.
type logsToLambda struct{ lambda *lambdaservice.Service }

func (b logsToLambda) AllowsLogs(ctx context.Context, functionArn, groupArn string) (bool, error) {
	for _, principal := range []string{"logs.amazonaws.com", "logs." + arnPart(groupArn, 3) + ".amazonaws.com"} {
		allowed, err := b.lambda.AllowsInvoke(ctx, functionArn, principal, groupArn, arnAccount(groupArn))
		var perr *protocol.Error
		if errors.As(err, &perr) {
			return false, nil // no such function: CloudWatch Logs cannot execute it
		}
		if err != nil || allowed {
			return allowed, err
		}
	}
	return false, nil
}

// FunctionLogGroup is the group the function logs to: its LoggingConfig's,
// else /aws/lambda/<name>.
func (b logsToLambda) FunctionLogGroup(ctx context.Context, functionArn string) (string, error) {
	cfg, err := b.lambda.GetFunctionConfiguration(ctx, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: api.Ptr(functionArn)})
	if err != nil {
		return "", err
	}
	if cfg.LoggingConfig != nil && api.Deref(cfg.LoggingConfig.LogGroup) != "" {
		return *cfg.LoggingConfig.LogGroup, nil
	}
	return "/aws/lambda/" + api.Deref(cfg.FunctionName), nil
}

func (b logsToLambda) InvokeEvent(ctx context.Context, functionArn string, payload []byte) error {
	return invokeEvent(ctx, b.lambda, functionArn, payload)
}

// invokeEvent invokes a function asynchronously.
func invokeEvent(ctx context.Context, lambda *lambdaservice.Service, functionArn string, payload []byte) error {
	_, err := lambda.Invoke(ctx, &lambdaapi.InvocationRequest{FunctionName: api.Ptr(functionArn),
		InvocationType: api.Ptr("Event"), Payload: payload})
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

// lambdaDestinations delivers the outcomes of asynchronous invocations: a
// failure to the function's dead-letter queue and on-failure destination, a
// success to its on-success destination — an SQS queue, an SNS topic or
// another function. It reads the services when it delivers, because Lambda
// and SNS each need the other to exist.
type lambdaDestinations struct{ sv *services }

func (b lambdaDestinations) Deliver(ctx context.Context, fe lambdaservice.AsyncOutcome) error {
	ctx = request.With(ctx, &request.Info{Account: fe.Account, Region: fe.Region})
	var errs []error
	if fe.DeadLetterArn != "" {
		errs = append(errs, b.send(ctx, fe.DeadLetterArn, string(fe.Payload), deadLetterAttributes(fe)))
	}
	if fe.Destination != "" {
		errs = append(errs, b.send(ctx, fe.Destination, invocationRecord(fe), nil))
	}
	return errors.Join(errs...)
}

// deadLetterAttributes are the message attributes AWS puts on a DLQ
// message: the request id, the HTTP status of the invocation (200 for a
// function error) and the start of the error message.
func deadLetterAttributes(fe lambdaservice.AsyncOutcome) map[string]snsservice.MessageAttribute {
	code := "200"
	if fe.ErrorCode != "Unhandled" {
		code = "500"
	}
	msg := fe.ErrorMessage
	if len(msg) > 1024 {
		msg = msg[:1024]
	}
	return map[string]snsservice.MessageAttribute{
		"RequestID":    {DataType: "String", StringValue: fe.RequestID},
		"ErrorCode":    {DataType: "Number", StringValue: code},
		"ErrorMessage": {DataType: "String", StringValue: msg},
	}
}

// invocationRecord is the document Lambda sends to a destination.
func invocationRecord(fe lambdaservice.AsyncOutcome) string {
	response := map[string]any{"statusCode": 200, "executedVersion": "$LATEST"}
	var result any = asJSON(fe.Response)
	if fe.Condition != "Success" {
		response["functionError"] = fe.ErrorCode
		result = asJSON([]byte(fe.ErrorMessage))
	}
	record, _ := json.Marshal(map[string]any{
		"version":   "1.0",
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"requestContext": map[string]any{"requestId": fe.RequestID, "functionArn": fe.FunctionArn,
			"condition": fe.Condition, "approximateInvokeCount": fe.Attempts},
		"requestPayload":  asJSON(fe.Payload),
		"responseContext": response,
		"responsePayload": result,
	})
	return string(record)
}

// asJSON embeds a payload as JSON when it is JSON (function payloads and
// error documents are), else as a string.
func asJSON(b []byte) json.RawMessage {
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

// send delivers a message to the service an ARN names.
func (b lambdaDestinations) send(ctx context.Context, target, body string, attrs map[string]snsservice.MessageAttribute) error {
	switch arnService(target) {
	case "sqs":
		_, err := snsToSQS{b.sv.sqs}.SendToArn(ctx, target, body, attrs, "", "")
		return err
	case "sns":
		snsAttrs := make(map[string]snsapi.MessageAttributeValue, len(attrs))
		for name, a := range attrs {
			snsAttrs[name] = snsapi.MessageAttributeValue{DataType: api.Ptr(a.DataType), StringValue: api.Ptr(a.StringValue)}
		}
		_, err := b.sv.sns.Publish(ctx, &snsapi.PublishInput{TopicArn: api.Ptr(target), Message: api.Ptr(body), MessageAttributes: snsAttrs})
		return err
	case "lambda":
		// Destinations use the function's execution role, not a resource policy.
		return invokeEvent(ctx, b.sv.lambda, target, []byte(body))
	}
	return fmt.Errorf("kiri cannot deliver Lambda failures to %s yet", target)
}

// arnService is the service part of an ARN ("sqs" of arn:aws:sqs:…).
func arnService(arn string) string { return arnPart(arn, 2) }

// arnAccount is the account part of an ARN.
func arnAccount(arn string) string { return arnPart(arn, 4) }

func arnPart(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) <= i {
		return ""
	}
	return parts[i]
}
