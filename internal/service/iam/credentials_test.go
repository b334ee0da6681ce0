package iam

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

func TestCallerKinds(t *testing.T) {
	s, _ := newTestService(t)
	root, err := s.Caller(ctxAs("123456789012", "whatever"))
	if err != nil || root.Kind != Root || root.Arn != "arn:aws:iam::123456789012:root" || root.UserID != "123456789012" {
		t.Fatalf("root = %+v, %v", root, err)
	}
	u := createUser(t, s, bg, "devuser", "/dev/")
	k := createKey(t, s, "devuser")
	user, err := s.Caller(ctxAs(testAccount, *k.AccessKeyId))
	if err != nil || user.Kind != User || user.Arn != "arn:aws:iam::000000000000:user/dev/devuser" || user.UserID != *u.UserId || user.Temporary {
		t.Fatalf("user = %+v, %v", user, err)
	}
}

func TestTemporaryCredentialsOfARole(t *testing.T) {
	s, clock := newTestService(t)
	created := createRole(t, s, "role-lambdaexec")
	role, ok, err := s.RoleByArn(bg, *created.Arn)
	if err != nil || !ok || role.ID != *created.RoleId || role.MaxSessionDuration != time.Hour || role.TrustPolicy != lambdaTrust {
		t.Fatalf("role = %+v %v %v", role, ok, err)
	}
	creds, err := s.IssueTemporaryCredentials(bg, RoleSession(role, "HelloLambda"), 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`).MatchString(creds.AccessKeyID) || len(creds.SecretAccessKey) != 40 ||
		len(creds.SessionToken) < 300 || !creds.Expiration.Equal(clock.Now().Add(15*time.Minute)) {
		t.Fatalf("creds = %+v", creds)
	}
	account, secret, ok := s.LookupAccessKey(bg, creds.AccessKeyID)
	if !ok || account != testAccount || secret != creds.SecretAccessKey {
		t.Fatalf("lookup = %s %s %v", account, secret, ok)
	}
	caller, err := s.Caller(ctxAs(testAccount, creds.AccessKeyID))
	if err != nil || caller.Kind != AssumedRole || !caller.Temporary ||
		caller.Arn != "arn:aws:sts::000000000000:assumed-role/role-lambdaexec/HelloLambda" ||
		caller.UserID != *created.RoleId+":HelloLambda" {
		t.Fatalf("caller = %+v, %v", caller, err)
	}
	got, _ := s.GetRole(bg, &iamapi.GetRoleRequest{RoleName: api.Ptr("role-lambdaexec")})
	if got.Role.RoleLastUsed.LastUsedDate == nil || *got.Role.RoleLastUsed.Region != "us-east-1" {
		t.Fatalf("RoleLastUsed = %+v", got.Role.RoleLastUsed)
	}

	clock.Advance(15 * time.Minute)
	if _, _, ok := s.LookupAccessKey(bg, creds.AccessKeyID); ok {
		t.Fatal("expired credentials must not be found")
	}
	expired, _ := s.Caller(ctxAs(testAccount, creds.AccessKeyID))
	if expired.Kind != Root {
		t.Fatalf("expired caller = %+v", expired)
	}
	if account, ok, _ := s.AccessKeyAccount(bg, creds.AccessKeyID); !ok || account != testAccount {
		t.Fatal("an expired key still has an account until swept")
	}
	// Issuing more credentials sweeps the expired ones from the index.
	if _, err := s.IssueTemporaryCredentials(bg, RootPrincipal(testAccount), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.AccessKeyAccount(bg, creds.AccessKeyID); ok {
		t.Fatal("expired key not swept")
	}
}

func TestRoleByArn(t *testing.T) {
	s, _ := newTestService(t)
	if _, err := s.CreateRole(bg, &iamapi.CreateRoleRequest{RoleName: api.Ptr("r"), Path: api.Ptr("/a/"), AssumeRolePolicyDocument: api.Ptr(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	for arn, want := range map[string]bool{
		"arn:aws:iam::000000000000:role/a/r": true,
		"arn:aws:iam::000000000000:role/r":   false, // wrong path
		"arn:aws:iam::111111111111:role/a/r": false, // another account
		"arn:aws:iam::000000000000:user/a/r": false,
		"garbage":                            false,
	} {
		if _, ok, err := s.RoleByArn(bg, arn); err != nil || ok != want {
			t.Errorf("%s: ok=%v err=%v, want %v", arn, ok, err, want)
		}
	}
}

func TestSessionOfAUserActsAsTheUser(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	k := createKey(t, s, "devuser")
	userCtx := ctxAs(testAccount, *k.AccessKeyId)
	me, _ := s.Caller(userCtx)
	creds, err := s.IssueTemporaryCredentials(userCtx, me, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	session, err := s.Caller(ctxAs(testAccount, creds.AccessKeyID))
	if err != nil || session.Kind != User || session.Arn != me.Arn || session.UserID != me.UserID || !session.Temporary {
		t.Fatalf("session = %+v, %v", session, err)
	}
}

func TestCredentialsOfAnotherAccount(t *testing.T) {
	s, _ := newTestService(t)
	other := ctxAs("222222222222", "")
	createUser(t, s, other, "u", "")
	out, err := s.CreateAccessKey(other, &iamapi.CreateAccessKeyRequest{UserName: api.Ptr("u")})
	if err != nil {
		t.Fatal(err)
	}
	account, _, ok := s.LookupAccessKey(bg, *out.AccessKey.AccessKeyId)
	if !ok || account != "222222222222" {
		t.Fatalf("account = %s %v", account, ok)
	}
}

func TestPolicyDocuments(t *testing.T) {
	s, _ := newTestService(t)
	created := createRole(t, s, "LambdaExecuteRole")
	role := api.Ptr("LambdaExecuteRole")
	if _, err := s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: role, PolicyArn: api.Ptr("arn:aws:iam::aws:policy/service-role/AWSLambdaRole")}); err != nil {
		t.Fatal(err)
	}
	p := createPolicy(t, s, "own")
	if _, err := s.CreatePolicyVersion(bg, &iamapi.CreatePolicyVersionRequest{PolicyArn: p.Arn, PolicyDocument: api.Ptr(s3Policy), SetAsDefault: api.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: role, PolicyArn: p.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: role, PolicyName: api.Ptr("allow_all"), PolicyDocument: api.Ptr(lambdaAllowAll)}); err != nil {
		t.Fatal(err)
	}
	info, _, _ := s.RoleByArn(bg, *created.Arn)
	docs, err := s.PolicyDocuments(bg, RoleSession(info, "s"))
	if err != nil || len(docs) != 3 {
		t.Fatalf("docs = %v, %v", docs, err)
	}
	if docs[2] != lambdaAllowAll || !slices.Contains(docs, s3Policy) {
		t.Fatalf("docs = %v", docs)
	}
	if root, _ := s.PolicyDocuments(bg, RootPrincipal(testAccount)); root != nil {
		t.Fatalf("root = %v", root)
	}
}

const lambdaAllowAll = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`
