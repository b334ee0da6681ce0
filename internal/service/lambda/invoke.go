package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
	"github.com/kiricloud/kiri/internal/store"
)

// Invoke payload quotas.
const (
	maxSyncPayload  = 6 * 1024 * 1024 // 6291456, RequestResponse
	maxAsyncPayload = 1024 * 1024     // Event (raised from 256 KB to 1 MB by AWS in 2025)
)

// target is what an invocation runs: a version's configuration with the
// function-wide settings it needs.
type target struct {
	ref      fnRef // as invoked (qualifier "" means $LATEST)
	cfg      *fnConfig
	reserved *int64
}

// Invoke runs a function synchronously (RequestResponse), queues it
// (Event, 202) or only checks that it could (DryRun, 204).
func (s *Service) Invoke(ctx context.Context, in *lambdaapi.InvocationRequest) (*lambdaapi.InvocationResponse, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	typ := orDefault(api.Deref(in.InvocationType), lambdaapi.InvocationTypeRequestResponse)
	if limit := payloadLimit(typ); len(in.Payload) > limit {
		return nil, lambdaapi.NewRequestTooLargeException("Request must be smaller than %d bytes for the InvokeFunction operation", limit)
	}
	if len(in.Payload) > 0 && !json.Valid(in.Payload) {
		return nil, lambdaapi.NewInvalidRequestContentException("Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a valid JSON value")
	}
	switch typ {
	case lambdaapi.InvocationTypeEvent:
		if err := s.enqueue(ctx, ref, in.Payload); err != nil {
			return nil, err
		}
		return &lambdaapi.InvocationResponse{StatusCode: api.Ptr(int64(202))}, nil
	case lambdaapi.InvocationTypeDryRun:
		if _, err := s.target(ref); err != nil {
			return nil, err
		}
		return &lambdaapi.InvocationResponse{StatusCode: api.Ptr(int64(204))}, nil
	}
	t, err := s.target(ref)
	if err != nil {
		return nil, err
	}
	inv := runtime.Invocation{RequestID: requestID(ctx), Payload: in.Payload, ClientContext: api.Deref(in.ClientContext),
		TailLog: api.Deref(in.LogType) == lambdaapi.LogTypeTail}
	res, err := s.invoker.Invoke(ctx, s.runtimeFunction(t), inv)
	if err != nil {
		return nil, invokeError(t, err)
	}
	out := &lambdaapi.InvocationResponse{StatusCode: api.Ptr(int64(200)), Payload: res.Payload, ExecutedVersion: api.Ptr(t.cfg.Version),
		FunctionError: optional(res.FunctionError)}
	if inv.TailLog {
		out.LogResult = optional(res.LogTail)
	}
	return out, nil
}

func payloadLimit(invocationType string) int {
	if invocationType == lambdaapi.InvocationTypeEvent {
		return maxAsyncPayload
	}
	return maxSyncPayload
}

// InvokeAsync is the legacy asynchronous invoke: an Event invocation.
func (s *Service) InvokeAsync(ctx context.Context, in *lambdaapi.InvokeAsyncRequest) (*lambdaapi.InvokeAsyncResponse, error) {
	_, err := s.Invoke(ctx, &lambdaapi.InvocationRequest{FunctionName: in.FunctionName, Payload: in.InvokeArgs,
		InvocationType: api.Ptr(lambdaapi.InvocationTypeEvent)})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.InvokeAsyncResponse{Status: api.Ptr(int64(202))}, nil
}

func requestID(ctx context.Context) string {
	if id := request.From(ctx).ID; id != "" {
		return id
	}
	return request.NewID()
}

// invokeError maps engine failures to the Invoke API's errors.
func invokeError(t *target, err error) error {
	if errors.Is(err, runtime.ErrThrottled) {
		reason := lambdaapi.ThrottleReasonConcurrentInvocationLimitExceeded
		if t.reserved != nil {
			reason = lambdaapi.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded
		}
		e := lambdaapi.NewTooManyRequestsException("Rate Exceeded.")
		e.Fields = map[string]any{"Reason": reason}
		return e
	}
	if pe, ok := errors.AsType[*protocol.Error](err); ok {
		return pe
	}
	return lambdaapi.NewServiceException("kiri: the function could not be run: %v", err)
}

// target resolves what an invocation of ref runs. An alias with a
// RoutingConfig sends each invocation to its additional version with the
// configured probability.
func (s *Service) target(ref fnRef) (*target, error) {
	t := &target{ref: ref}
	err := s.st.View(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		t.reserved = f.Reserved
		version := ref.qualifier
		if version != "" && version != latest && !isVersion(version) {
			a, err := getAlias(tx, ref, version)
			if err != nil {
				return functionNotFound(ref)
			}
			version = pickVersion(a)
		}
		t.cfg, err = loadVersion(tx, ref, f, version)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func pickVersion(a *aliasRecord) string {
	r := rand.Float64()
	for v, w := range a.Weights {
		if r < w {
			return v
		}
		r -= w
	}
	return a.Version
}

// runtimeFunction describes a version to the engine.
func (s *Service) runtimeFunction(t *target) *runtime.Function {
	c, sc := t.cfg, t.ref.scope
	fn := &runtime.Function{
		Key:         runtimeKeyPrefix(sc, c.Name, c.Version) + c.RevisionID,
		Name:        c.Name,
		Version:     c.Version,
		ARN:         sc.functionArn(c.Name),
		Account:     sc.account,
		Region:      sc.region,
		Runtime:     c.Runtime,
		Handler:     c.Handler,
		CodeDir:     s.codeDir(sc, c.Name, c.CodeRev),
		LayersDir:   s.layerMount(sc, c),
		MemoryMB:    int(c.MemorySize),
		Timeout:     time.Duration(c.Timeout) * time.Second,
		Environment: c.Env,
		LogGroup:    orDefault(c.LogGroup, "/aws/lambda/"+c.Name),
		Credentials: s.credentials(sc.account, c.Role, c.Name),
		LogAccess:   s.logAccess(sc.account, sc.region, c.Role),
	}
	if t.reserved != nil {
		n := int(*t.reserved)
		fn.ReservedConcurrency = &n
	}
	return fn
}

// logAccess answers what the execution role lets the function do in
// CloudWatch Logs, the way CloudWatch Logs would judge the calls Lambda
// makes with the role's credentials: logs:CreateLogGroup on the group,
// logs:CreateLogStream and logs:PutLogEvents on the environment's stream.
// The engine asks once per execution environment, when it starts, so warm
// invocations pay nothing for it. CreateLogGroup counts as allowed on
// either form of the group's ARN (with or without the trailing ":*" that
// DescribeLogGroups shows).
func (s *Service) logAccess(account, region, role string) func(context.Context, string, string) (runtime.LogAccess, error) {
	if s.cfg.IAM == nil {
		return nil
	}
	return func(ctx context.Context, group, stream string) (runtime.LogAccess, error) {
		perms, found, err := s.cfg.IAM.RolePermissions(ctx, role)
		if err != nil || !found {
			return runtime.LogAccess{}, err
		}
		groupArn := "arn:aws:logs:" + region + ":" + account + ":log-group:" + group
		streamArn := groupArn + ":log-stream:" + stream
		return runtime.LogAccess{
			CreateGroup: perms.Allows("logs:CreateLogGroup", groupArn) || perms.Allows("logs:CreateLogGroup", groupArn+":*"),
			Write:       perms.Allows("logs:CreateLogStream", streamArn) && perms.Allows("logs:PutLogEvents", streamArn),
		}, nil
	}
}

// credentials issues the execution role's temporary credentials through
// STS, with the function name as session name as Lambda does.
func (s *Service) credentials(account, role, session string) func(context.Context) (runtime.Credentials, error) {
	return func(ctx context.Context) (runtime.Credentials, error) {
		if s.cfg.STS == nil {
			return runtime.Credentials{}, nil
		}
		rs, err := s.cfg.STS.AssumeRoleFor(ctx, account, role, session, 0)
		if err != nil {
			return runtime.Credentials{}, err
		}
		c := rs.Credentials
		return runtime.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration}, nil
	}
}
