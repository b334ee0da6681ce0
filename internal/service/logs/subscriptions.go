package logs

import (
	"context"
	"slices"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// Subscription filters (PutSubscriptionFilter and friends). A log group has
// at most two; every batch of events it ingests afterwards — through
// PutLogEvents or from Lambda's own logging — is matched against each
// filter's pattern and the matching events are delivered, gzipped and
// base64-encoded, to the filter's destination (deliver.go).
//
// Only Lambda destinations exist in kiri today. Kinesis Data Streams,
// Firehose and cross-account Logs destinations are answered as AWS answers
// a destination that does not exist.
//
// Filters are stored at ("subscription", group, name) → subscriptionRec.

// maxSubscriptionFilters is AWS's quota of subscription filters per group.
const maxSubscriptionFilters = 2

// subscriptionRec is a stored subscription filter.
type subscriptionRec struct {
	Name         string `json:"name"`
	Pattern      string `json:"pattern"`
	Destination  string `json:"dest"`
	Role         string `json:"role,omitempty"`
	Distribution string `json:"dist"`
	Created      int64  `json:"created"`
}

// FunctionInvoker is how CloudWatch Logs reaches Lambda; kiri's app wires
// it to the Lambda service.
type FunctionInvoker interface {
	// AllowsLogs reports whether functionArn (optionally qualified) names
	// a function whose resource policy lets CloudWatch Logs invoke it for
	// the log group groupArn. A function that does not exist is not
	// allowed.
	AllowsLogs(ctx context.Context, functionArn, groupArn string) (bool, error)
	// FunctionLogGroup is the log group the function writes its own logs
	// to, so that CloudWatch Logs does not feed a function its own output.
	FunctionLogGroup(ctx context.Context, functionArn string) (string, error)
	// InvokeEvent invokes the function asynchronously with payload.
	InvokeEvent(ctx context.Context, functionArn string, payload []byte) error
}

func errSubscriptionNotFound() error {
	return logsapi.NewResourceNotFoundException("The specified subscription filter does not exist.")
}

func errLambdaNotPermitted() error {
	return errInvalid("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.")
}

func (s *Service) PutSubscriptionFilter(ctx context.Context, in *logsapi.PutSubscriptionFilterRequest) (*logsapi.PutSubscriptionFilterOutput, error) {
	group, name := api.Deref(in.LogGroupName), api.Deref(in.FilterName)
	pattern, dest := api.Deref(in.FilterPattern), api.Deref(in.DestinationArn)
	dist := api.Deref(in.Distribution)
	if dist == "" {
		dist = logsapi.DistributionByLogStream
	}
	if dist != logsapi.DistributionByLogStream && dist != logsapi.DistributionRandom {
		return nil, errInvalid("1 validation error detected: Value '%s' at 'distribution' failed to satisfy constraint: Member must satisfy enum value set: [Random, ByLogStream]", dist)
	}
	if _, err := compilePattern(pattern); err != nil {
		return nil, errInvalid("Invalid filter pattern")
	}
	// The group and the quota are checked first, then the destination,
	// outside any transaction of this service since it asks Lambda.
	check := func(r *region) error {
		if _, err := r.mustGroup(group); err != nil {
			return err
		}
		subs, err := r.subscriptions(group)
		if err != nil {
			return err
		}
		others := slices.DeleteFunc(subs, func(f *subscriptionRec) bool { return f.Name == name })
		if len(others) >= maxSubscriptionFilters {
			return logsapi.NewLimitExceededException("Resource limit exceeded.")
		}
		return nil
	}
	var groupArn string
	err := s.view(ctx, func(r *region) error {
		groupArn = r.groupArn(group) + ":*"
		return check(r)
	})
	if err != nil {
		return nil, err
	}
	if err := s.checkDestination(ctx, dest, groupArn); err != nil {
		return nil, err
	}
	return &logsapi.PutSubscriptionFilterOutput{}, s.update(ctx, func(r *region) error {
		if err := check(r); err != nil {
			return err
		}
		return r.putSubscription(group, &subscriptionRec{Name: name, Pattern: pattern, Destination: dest,
			Role: api.Deref(in.RoleArn), Distribution: dist, Created: r.now})
	})
}

// checkDestination does what AWS does before it accepts a destination:
// for a function, it checks that the function's policy lets CloudWatch
// Logs invoke it; for a stream, it sends a test message, which fails in
// kiri since it has no Kinesis or Firehose yet.
func (s *Service) checkDestination(ctx context.Context, dest, groupArn string) error {
	switch arnPart(dest, 2) {
	case "lambda":
		acct, _ := request.Scope(ctx)
		if s.functions == nil || arnPart(dest, 4) != acct {
			return errLambdaNotPermitted()
		}
		ok, err := s.functions.AllowsLogs(ctx, dest, groupArn)
		if err != nil {
			return err
		}
		if !ok {
			return errLambdaNotPermitted()
		}
		return nil
	case "kinesis":
		return errInvalid("Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state.")
	case "firehose":
		return errInvalid("Could not deliver test message to specified Firehose stream. Check if the given Firehose stream is in ACTIVE state.")
	}
	return errInvalid("Could not deliver test message to specified destination. Check if the destination is valid.")
}

func (s *Service) DescribeSubscriptionFilters(ctx context.Context, in *logsapi.DescribeSubscriptionFiltersRequest) (*logsapi.DescribeSubscriptionFiltersResponse, error) {
	var out logsapi.DescribeSubscriptionFiltersResponse
	err := s.view(ctx, func(r *region) error {
		group := api.Deref(in.LogGroupName)
		if _, err := r.mustGroup(group); err != nil {
			return err
		}
		subs, err := r.subscriptions(group)
		if err != nil {
			return err
		}
		if in.FilterNamePrefix != nil {
			subs = slices.DeleteFunc(subs, func(f *subscriptionRec) bool { return !strings.HasPrefix(f.Name, *in.FilterNamePrefix) })
		}
		page, next, err := pageAfter(subs, func(f *subscriptionRec) string { return f.Name }, false, in.NextToken, limitOf(in.Limit, describeLimit, describeLimit))
		if err != nil {
			return err
		}
		out.SubscriptionFilters = make([]logsapi.SubscriptionFilter, len(page))
		for i, f := range page {
			out.SubscriptionFilters[i] = subscriptionOut(group, f)
		}
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func subscriptionOut(group string, f *subscriptionRec) logsapi.SubscriptionFilter {
	out := logsapi.SubscriptionFilter{
		FilterName:     api.Ptr(f.Name),
		LogGroupName:   api.Ptr(group),
		FilterPattern:  api.Ptr(f.Pattern),
		DestinationArn: api.Ptr(f.Destination),
		Distribution:   api.Ptr(f.Distribution),
		CreationTime:   api.Ptr(f.Created),
	}
	if f.Role != "" {
		out.RoleArn = api.Ptr(f.Role)
	}
	return out
}

func (s *Service) DeleteSubscriptionFilter(ctx context.Context, in *logsapi.DeleteSubscriptionFilterRequest) (*logsapi.DeleteSubscriptionFilterOutput, error) {
	return &logsapi.DeleteSubscriptionFilterOutput{}, s.update(ctx, func(r *region) error {
		group, name := api.Deref(in.LogGroupName), api.Deref(in.FilterName)
		if _, err := r.mustGroup(group); err != nil {
			return err
		}
		key := r.ns.Key("subscription", group, name)
		if _, ok := r.tx.Get(key); !ok {
			return errSubscriptionNotFound()
		}
		return r.tx.Delete(key)
	})
}

// subscriptions lists a group's subscription filters, by name.
func (r *region) subscriptions(group string) ([]*subscriptionRec, error) {
	return scanJSON[subscriptionRec](r.tx, r.ns.Prefix("subscription", group))
}

func (r *region) putSubscription(group string, f *subscriptionRec) error {
	return store.PutJSON(r.tx, r.ns.Key("subscription", group, f.Name), f)
}

// arnPart is part i of an ARN ("lambda" is part 2 of arn:aws:lambda:…).
func arnPart(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) <= i || parts[0] != "arn" {
		return ""
	}
	return parts[i]
}
