package sts

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
	stsapi "github.com/kiricloud/kiri/internal/api/sts"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	iamservice "github.com/kiricloud/kiri/internal/service/iam"
	"github.com/kiricloud/kiri/internal/store"
)

const account = "000000000000"

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	iam   *iamservice.Service
	sts   *Service
	clock *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	c := &clock{t: time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)}
	iam := iamservice.New(st, account)
	iam.SetClock(c.now)
	return &fixture{iam: iam, sts: New(st, iam, account), clock: c}
}

// as is a request context signed with accessKey, in the account the
// gateway would resolve for it.
func (f *fixture) as(accessKey string) context.Context {
	acct := account
	if a, _, ok := f.iam.LookupAccessKey(context.Background(), accessKey); ok {
		acct = a
	}
	return request.With(context.Background(), &request.Info{Account: acct, Region: "ap-northeast-1", AccessKey: accessKey})
}

func (f *fixture) createRole(t *testing.T, name string) *iamapi.Role {
	t.Helper()
	out, err := f.iam.CreateRole(f.as("test"), &iamapi.CreateRoleRequest{RoleName: api.Ptr(name), AssumeRolePolicyDocument: api.Ptr(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Role
}

func (f *fixture) userKey(t *testing.T, name string) string {
	t.Helper()
	ctx := f.as("test")
	if _, err := f.iam.CreateUser(ctx, &iamapi.CreateUserRequest{UserName: api.Ptr(name)}); err != nil {
		t.Fatal(err)
	}
	out, err := f.iam.CreateAccessKey(ctx, &iamapi.CreateAccessKeyRequest{UserName: api.Ptr(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.AccessKey.AccessKeyId
}

func wantError(t *testing.T, err error, code, message string) {
	t.Helper()
	var perr *protocol.Error
	if !errors.As(err, &perr) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if perr.WireCode() != code || (message != "" && perr.Message != message) {
		t.Fatalf("error = %s %q, want %s %q", perr.WireCode(), perr.Message, code, message)
	}
}

func (f *fixture) identity(t *testing.T, ctx context.Context) *stsapi.GetCallerIdentityResponse {
	t.Helper()
	out, err := f.sts.GetCallerIdentity(ctx, &stsapi.GetCallerIdentityRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGetCallerIdentityOfTheRoot(t *testing.T) {
	f := newFixture(t)
	id := f.identity(t, f.as("AKIAIOSFODNN7EXAMPLE"))
	if *id.Account != account || *id.Arn != "arn:aws:iam::000000000000:root" || *id.UserId != account {
		t.Fatalf("identity = %+v", id)
	}
}

func TestGetCallerIdentityOfAUser(t *testing.T) {
	f := newFixture(t)
	key := f.userKey(t, "devuser")
	user, _ := f.iam.GetUser(f.as("test"), &iamapi.GetUserRequest{UserName: api.Ptr("devuser")})
	id := f.identity(t, f.as(key))
	if *id.Arn != "arn:aws:iam::000000000000:user/devuser" || *id.UserId != *user.User.UserId {
		t.Fatalf("identity = %+v", id)
	}
}

func TestAssumeRole(t *testing.T) {
	f := newFixture(t)
	role := f.createRole(t, "EventBridge-Kinesis-role")
	out, err := f.sts.AssumeRole(f.as("test"), &stsapi.AssumeRoleRequest{RoleArn: role.Arn, RoleSessionName: api.Ptr("kinesis-target")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if !regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`).MatchString(*c.AccessKeyId) || len(*c.SecretAccessKey) != 40 ||
		len(*c.SessionToken) < 300 || !c.Expiration.Equal(f.clock.now().Add(time.Hour)) {
		t.Fatalf("credentials = %+v", c)
	}
	u := out.AssumedRoleUser
	if *u.AssumedRoleId != *role.RoleId+":kinesis-target" ||
		*u.Arn != "arn:aws:sts::000000000000:assumed-role/EventBridge-Kinesis-role/kinesis-target" {
		t.Fatalf("assumed role user = %+v", u)
	}
	if out.PackedPolicySize != nil {
		t.Fatal("PackedPolicySize without a session policy")
	}
	id := f.identity(t, f.as(*c.AccessKeyId))
	if *id.Arn != *u.Arn || *id.UserId != *u.AssumedRoleId || *id.Account != account {
		t.Fatalf("identity = %+v", id)
	}
	f.clock.advance(time.Hour)
	if id := f.identity(t, f.as(*c.AccessKeyId)); *id.Arn != "arn:aws:iam::000000000000:root" {
		t.Fatalf("expired credentials still identify the role: %+v", id)
	}
}

func TestAssumeRoleInAnotherAccount(t *testing.T) {
	f := newFixture(t)
	other := request.With(context.Background(), &request.Info{Account: "111111111111"})
	created, err := f.iam.CreateRole(other, &iamapi.CreateRoleRequest{RoleName: api.Ptr("cross"), AssumeRolePolicyDocument: api.Ptr(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.sts.AssumeRole(f.as("test"), &stsapi.AssumeRoleRequest{RoleArn: created.Role.Arn, RoleSessionName: api.Ptr("s1")})
	if err != nil {
		t.Fatal(err)
	}
	acct, _, ok := f.iam.LookupAccessKey(context.Background(), *out.Credentials.AccessKeyId)
	if !ok || acct != "111111111111" {
		t.Fatalf("temporary key acts in %s, want the role's account", acct)
	}
	info, _ := f.sts.GetAccessKeyInfo(f.as("test"), &stsapi.GetAccessKeyInfoRequest{AccessKeyId: out.Credentials.AccessKeyId})
	if *info.Account != "111111111111" {
		t.Fatalf("GetAccessKeyInfo = %s", *info.Account)
	}
}

func TestAssumeMissingRole(t *testing.T) {
	f := newFixture(t)
	_, err := f.sts.AssumeRole(f.as("test"), &stsapi.AssumeRoleRequest{RoleArn: api.Ptr("arn:aws:iam::000000000000:role/absent"), RoleSessionName: api.Ptr("s1")})
	wantError(t, err, "AccessDenied", "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/absent")

	key := f.userKey(t, "devuser")
	_, err = f.sts.AssumeRole(f.as(key), &stsapi.AssumeRoleRequest{RoleArn: api.Ptr("arn:aws:iam::000000000000:role/absent"), RoleSessionName: api.Ptr("s1")})
	wantError(t, err, "AccessDenied", "User: arn:aws:iam::000000000000:user/devuser is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/absent")

	// A role is found in the account its ARN names, not the caller's.
	f.createRole(t, "mine")
	_, err = f.sts.AssumeRole(f.as("test"), &stsapi.AssumeRoleRequest{RoleArn: api.Ptr("arn:aws:iam::111111111111:role/mine"), RoleSessionName: api.Ptr("s1")})
	wantError(t, err, "AccessDenied", "")
}

func TestAssumeRoleDuration(t *testing.T) {
	f := newFixture(t)
	role := f.createRole(t, "r")
	assume := func(ctx context.Context, seconds int64) (*stsapi.AssumeRoleResponse, error) {
		return f.sts.AssumeRole(ctx, &stsapi.AssumeRoleRequest{RoleArn: role.Arn, RoleSessionName: api.Ptr("s1"), DurationSeconds: api.Ptr(seconds)})
	}
	out, err := assume(f.as("test"), 900)
	if err != nil || !out.Credentials.Expiration.Equal(f.clock.now().Add(15*time.Minute)) {
		t.Fatalf("out = %+v, %v", out, err)
	}
	_, err = assume(f.as("test"), 7200)
	wantError(t, err, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")

	if _, err := f.iam.UpdateRole(f.as("test"), &iamapi.UpdateRoleRequest{RoleName: api.Ptr("r"), MaxSessionDuration: api.Ptr(int64(43200))}); err != nil {
		t.Fatal(err)
	}
	out, err = assume(f.as("test"), 7200)
	if err != nil {
		t.Fatal(err)
	}
	// Role chaining: a role session may assume a role for an hour at most.
	chained := f.as(*out.Credentials.AccessKeyId)
	_, err = assume(chained, 7200)
	wantError(t, err, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	if _, err := assume(chained, 3600); err != nil {
		t.Fatal(err)
	}
}

func TestAssumeRoleWithSessionPolicy(t *testing.T) {
	f := newFixture(t)
	role := f.createRole(t, "r")
	out, err := f.sts.AssumeRole(f.as("test"), &stsapi.AssumeRoleRequest{
		RoleArn: role.Arn, RoleSessionName: api.Ptr("s1"),
		Policy: api.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 || *out.PackedPolicySize > 100 {
		t.Fatalf("PackedPolicySize = %v", out.PackedPolicySize)
	}
	_, err = f.sts.AssumeRole(f.as("test"), &stsapi.AssumeRoleRequest{RoleArn: role.Arn, RoleSessionName: api.Ptr("s1"), Policy: api.Ptr("{not json")})
	wantError(t, err, "MalformedPolicyDocument", "")
}

func TestGetSessionToken(t *testing.T) {
	f := newFixture(t)
	key := f.userKey(t, "devuser")
	out, err := f.sts.GetSessionToken(f.as(key), &stsapi.GetSessionTokenRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Credentials.Expiration.Equal(f.clock.now().Add(12 * time.Hour)) {
		t.Fatalf("expiration = %v", out.Credentials.Expiration)
	}
	session := f.as(*out.Credentials.AccessKeyId)
	if id := f.identity(t, session); *id.Arn != "arn:aws:iam::000000000000:user/devuser" {
		t.Fatalf("identity = %+v", id)
	}
	_, err = f.sts.GetSessionToken(session, &stsapi.GetSessionTokenRequest{})
	wantError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")

	root, err := f.sts.GetSessionToken(f.as("test"), &stsapi.GetSessionTokenRequest{DurationSeconds: api.Ptr(int64(7200))})
	if err != nil || !root.Credentials.Expiration.Equal(f.clock.now().Add(time.Hour)) {
		t.Fatalf("root session = %+v, %v", root, err)
	}
}

func TestGetAccessKeyInfo(t *testing.T) {
	f := newFixture(t)
	key := f.userKey(t, "devuser")
	for k, want := range map[string]string{
		key:                    account,
		"123456789012":         "123456789012",
		"AKIAIOSFODNN7EXAMPLE": account,
	} {
		out, err := f.sts.GetAccessKeyInfo(f.as("test"), &stsapi.GetAccessKeyInfoRequest{AccessKeyId: api.Ptr(k)})
		if err != nil || *out.Account != want {
			t.Errorf("%s: %v %v, want %s", k, out, err, want)
		}
	}
}

func TestAssumeRoleFor(t *testing.T) {
	f := newFixture(t)
	role := f.createRole(t, "role-lambdaexec")
	session, err := f.sts.AssumeRoleFor(context.Background(), account, *role.Arn, "HelloLambda", 12*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if session.AssumedRoleArn != "arn:aws:sts::000000000000:assumed-role/role-lambdaexec/HelloLambda" ||
		!session.Credentials.Expiration.Equal(f.clock.now().Add(12*time.Hour)) {
		t.Fatalf("session = %+v", session)
	}
	acct, secret, ok := f.iam.LookupAccessKey(context.Background(), session.Credentials.AccessKeyID)
	if !ok || acct != account || secret != session.Credentials.SecretAccessKey {
		t.Fatal("service-issued credentials are not in the key index")
	}
	_, err = f.sts.AssumeRoleFor(context.Background(), account, "arn:aws:iam::000000000000:role/absent", "x", 0)
	wantError(t, err, "AccessDenied", "")
}
