// Package sts is kiri's AWS Security Token Service: it tells callers who
// they are (GetCallerIdentity) and issues temporary credentials for roles
// (AssumeRole) and for users (GetSessionToken).
//
// STS keeps no state of its own: the temporary keys it issues live in the
// IAM service's global key index, so that the gateway resolves them as it
// resolves IAM users' keys, and a request signed with role credentials acts
// in the role's account.
package sts

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	stsapi "github.com/kiricloud/kiri/internal/api/sts"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	iamservice "github.com/kiricloud/kiri/internal/service/iam"
	"github.com/kiricloud/kiri/internal/store"
)

// Session durations.
const (
	defaultRoleSession  = time.Hour      // AssumeRole without DurationSeconds
	roleChainingLimit   = time.Hour      // a role session assuming another role
	defaultUserSession  = 12 * time.Hour // GetSessionToken of an IAM user
	maxRootSession      = time.Hour      // GetSessionToken of the account root
	packedPolicyMaxSize = 2048           // bytes a session policy and tags may pack into
)

// Service implements the generated sts.API.
type Service struct {
	iam            *iamservice.Service
	defaultAccount string
}

var _ stsapi.API = (*Service)(nil)

// New returns the STS service. It keeps its state in IAM's key index, so st
// is not used directly; it is taken so that STS is wired like every other
// service.
func New(st store.Store, iam *iamservice.Service, defaultAccount string) *Service {
	_ = st
	return &Service{iam: iam, defaultAccount: defaultAccount}
}

// GetCallerIdentity reports the account, ARN and unique id of the caller.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	p, err := s.iam.Caller(ctx)
	if err != nil {
		return nil, err
	}
	return &stsapi.GetCallerIdentityResponse{UserId: api.Ptr(p.UserID), Account: api.Ptr(p.Account), Arn: api.Ptr(p.Arn)}, nil
}

// GetAccessKeyInfo returns the account an access key belongs to. A key
// kiri did not issue belongs to the account it acts in at the gateway: a
// 12-digit key names its account, any other the default account.
func (s *Service) GetAccessKeyInfo(ctx context.Context, in *stsapi.GetAccessKeyInfoRequest) (*stsapi.GetAccessKeyInfoResponse, error) {
	key := api.Deref(in.AccessKeyId)
	account, ok, err := s.iam.AccessKeyAccount(ctx, key)
	switch {
	case err != nil:
		return nil, err
	case ok:
	case request.IsAccountID(key):
		account = key
	default:
		account = s.defaultAccount
	}
	return &stsapi.GetAccessKeyInfoResponse{Account: api.Ptr(account)}, nil
}

// AssumeRole issues temporary credentials for a session of a role.
func (s *Service) AssumeRole(ctx context.Context, in *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
	caller, err := s.iam.Caller(ctx)
	if err != nil {
		return nil, err
	}
	roleArn := api.Deref(in.RoleArn)
	role, found, err := s.iam.RoleByArn(ctx, roleArn)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, accessDenied(caller.Arn, "sts:AssumeRole", roleArn)
	}
	duration, err := roleSessionDuration(in.DurationSeconds, role, caller)
	if err != nil {
		return nil, err
	}
	packed, err := packedPolicySize(in)
	if err != nil {
		return nil, err
	}
	session, err := s.startRoleSession(ctx, role, api.Deref(in.RoleSessionName), duration)
	if err != nil {
		return nil, err
	}
	return &stsapi.AssumeRoleResponse{
		Credentials:      session.credentialsOut(),
		AssumedRoleUser:  &stsapi.AssumedRoleUser{AssumedRoleId: api.Ptr(session.AssumedRoleID), Arn: api.Ptr(session.AssumedRoleArn)},
		PackedPolicySize: packed,
		SourceIdentity:   in.SourceIdentity,
	}, nil
}

// roleSessionDuration checks DurationSeconds against the role's maximum
// and, for a role session assuming a role, the one-hour chaining limit.
func roleSessionDuration(seconds *int64, role iamservice.RoleInfo, caller iamservice.Principal) (time.Duration, error) {
	if seconds == nil {
		return defaultRoleSession, nil
	}
	d := time.Duration(*seconds) * time.Second
	if caller.Kind == iamservice.AssumedRole && d > roleChainingLimit {
		return 0, validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if d > role.MaxSessionDuration {
		return 0, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return d, nil
}

// packedPolicySize is how much of the space for session policies and tags
// a request uses, in percent, as AWS reports it when any are passed. AWS
// compresses them; kiri counts the compact JSON and tag bytes, which is
// close enough to refuse what AWS would refuse.
func packedPolicySize(in *stsapi.AssumeRoleRequest) (*int64, error) {
	if in.Policy == nil && len(in.PolicyArns) == 0 && len(in.Tags) == 0 {
		return nil, nil
	}
	size := 0
	if in.Policy != nil {
		var doc any
		if err := json.Unmarshal([]byte(*in.Policy), &doc); err != nil {
			return nil, stsapi.NewMalformedPolicyDocumentException("The policy is not in the valid JSON format.")
		}
		compact, _ := json.Marshal(doc)
		size += len(compact)
	}
	for _, p := range in.PolicyArns {
		size += len(api.Deref(p.Arn))
	}
	for _, t := range in.Tags {
		size += len(api.Deref(t.Key)) + len(api.Deref(t.Value))
	}
	percent := int64((size*100 + packedPolicyMaxSize - 1) / packedPolicyMaxSize)
	if percent > 100 {
		return nil, stsapi.NewPackedPolicyTooLargeException("Packed policy consumes %d%% of allotted space, please use smaller policy for this request.", percent)
	}
	return &percent, nil
}

// GetSessionToken issues temporary credentials that act as the calling
// user (or root) itself.
func (s *Service) GetSessionToken(ctx context.Context, in *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	caller, err := s.iam.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if caller.Temporary {
		return nil, protocol.Errorf("AccessDenied", http.StatusForbidden, "Cannot call GetSessionToken with session credentials")
	}
	d := defaultUserSession
	if in.DurationSeconds != nil {
		d = time.Duration(*in.DurationSeconds) * time.Second
	}
	if caller.Kind == iamservice.Root {
		// AWS caps the root's sessions at an hour rather than failing.
		d = min(d, maxRootSession)
	}
	creds, err := s.iam.IssueTemporaryCredentials(ctx, caller, d)
	if err != nil {
		return nil, err
	}
	return &stsapi.GetSessionTokenResponse{Credentials: credentialsOut(creds)}, nil
}

// RoleSession is a session of a role: its credentials and who it is.
type RoleSession struct {
	Credentials    iamservice.TemporaryCredentials
	AssumedRoleID  string // <role id>:<session name>
	AssumedRoleArn string // arn:aws:sts::<account>:assumed-role/<role>/<session>
}

func (r *RoleSession) credentialsOut() *stsapi.Credentials { return credentialsOut(r.Credentials) }

// AssumeRoleFor starts a session of a role on behalf of a kiri service, as
// AWS services assume the roles customers give them (a Lambda function's
// execution role, an EventBridge target's role). The role must exist; its
// trust policy and MaxSessionDuration are not checked, as the service, not
// a caller, asks. account is the account the service acts for; a role ARN
// in another account is found all the same. A zero duration means an hour.
func (s *Service) AssumeRoleFor(ctx context.Context, account, roleArn, sessionName string, duration time.Duration) (RoleSession, error) {
	role, found, err := s.iam.RoleByArn(ctx, roleArn)
	if err != nil {
		return RoleSession{}, err
	}
	if !found {
		return RoleSession{}, accessDenied(iamservice.RootPrincipal(account).Arn, "sts:AssumeRole", roleArn)
	}
	if duration <= 0 {
		duration = defaultRoleSession
	}
	return s.startRoleSession(ctx, role, sessionName, duration)
}

func (s *Service) startRoleSession(ctx context.Context, role iamservice.RoleInfo, name string, d time.Duration) (RoleSession, error) {
	principal := iamservice.RoleSession(role, name)
	creds, err := s.iam.IssueTemporaryCredentials(ctx, principal, d)
	if err != nil {
		return RoleSession{}, err
	}
	return RoleSession{Credentials: creds, AssumedRoleID: principal.UserID, AssumedRoleArn: principal.Arn}, nil
}

func credentialsOut(c iamservice.TemporaryCredentials) *stsapi.Credentials {
	return &stsapi.Credentials{
		AccessKeyId: api.Ptr(c.AccessKeyID), SecretAccessKey: api.Ptr(c.SecretAccessKey),
		SessionToken: api.Ptr(c.SessionToken), Expiration: api.Ptr(c.Expiration),
	}
}

func accessDenied(caller, action, resource string) error {
	return protocol.Errorf("AccessDenied", http.StatusForbidden,
		"User: %s is not authorized to perform: %s on resource: %s", caller, action, resource)
}

func validationError(message string) error {
	return protocol.Errorf("ValidationError", http.StatusBadRequest, "%s", message)
}
