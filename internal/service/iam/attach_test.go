package iam

import (
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

func TestAttachManagedPoliciesToARole(t *testing.T) {
	s, _ := newTestService(t)
	createRole(t, s, "role-lambdaexec")
	role := api.Ptr("role-lambdaexec")
	arns := []string{
		"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
		"arn:aws:iam::aws:policy/AmazonS3FullAccess",
		"arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
	}
	for _, arn := range append(arns, arns[0]) { // attaching twice changes nothing
		if _, err := s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: role, PolicyArn: api.Ptr(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.ListAttachedRolePolicies(bg, &iamapi.ListAttachedRolePoliciesRequest{RoleName: role})
	if err != nil || len(out.AttachedPolicies) != 3 {
		t.Fatalf("attached = %+v, %v", out, err)
	}
	names := map[string]string{}
	for _, p := range out.AttachedPolicies {
		names[*p.PolicyName] = *p.PolicyArn
	}
	if names["AWSLambdaBasicExecutionRole"] != arns[0] {
		t.Fatalf("names = %v", names)
	}
	filtered, _ := s.ListAttachedRolePolicies(bg, &iamapi.ListAttachedRolePoliciesRequest{RoleName: role, PathPrefix: api.Ptr("/service-role/")})
	if len(filtered.AttachedPolicies) != 1 {
		t.Fatalf("filtered = %+v", filtered)
	}
	got, _ := s.GetPolicy(bg, &iamapi.GetPolicyRequest{PolicyArn: api.Ptr(arns[1])})
	if *got.Policy.AttachmentCount != 1 {
		t.Fatalf("AttachmentCount = %d", *got.Policy.AttachmentCount)
	}
	// The count is the caller's account's.
	other, _ := s.GetPolicy(ctxAs("111111111111", ""), &iamapi.GetPolicyRequest{PolicyArn: api.Ptr(arns[1])})
	if *other.Policy.AttachmentCount != 0 {
		t.Fatalf("AttachmentCount in another account = %d", *other.Policy.AttachmentCount)
	}
	attachedOnly, _ := s.ListPolicies(bg, &iamapi.ListPoliciesRequest{OnlyAttached: api.Ptr(true)})
	if len(attachedOnly.Policies) != 3 || *attachedOnly.Policies[0].AttachmentCount != 1 {
		t.Fatalf("OnlyAttached = %+v", attachedOnly)
	}
}

func TestAttachErrors(t *testing.T) {
	s, _ := newTestService(t)
	createRole(t, s, "r")
	_, err := s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: api.Ptr("r"), PolicyArn: api.Ptr("arn:aws:iam::000000000000:policy/x")})
	wantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::000000000000:policy/x does not exist or is not attachable.")
	_, err = s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: api.Ptr("ghost"), PolicyArn: api.Ptr("arn:aws:iam::aws:policy/AdministratorAccess")})
	wantError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")
	_, err = s.AttachUserPolicy(bg, &iamapi.AttachUserPolicyRequest{UserName: api.Ptr("ghost"), PolicyArn: api.Ptr("arn:aws:iam::aws:policy/AdministratorAccess")})
	wantError(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")
	_, err = s.DetachRolePolicy(bg, &iamapi.DetachRolePolicyRequest{RoleName: api.Ptr("r"), PolicyArn: api.Ptr("arn:aws:iam::aws:policy/AdministratorAccess")})
	wantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/AdministratorAccess was not found.")
}

func TestAttachLimit(t *testing.T) {
	s, _ := newTestService(t)
	createRole(t, s, "r")
	for i := range maxAttachedPolicies {
		p := createPolicy(t, s, "p"+string(rune('a'+i)))
		if _, err := s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: api.Ptr("r"), PolicyArn: p.Arn}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: api.Ptr("r"), PolicyArn: api.Ptr("arn:aws:iam::aws:policy/AdministratorAccess")})
	wantError(t, err, "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10")
}

func TestDevuserPolicies(t *testing.T) {
	// The book's devuser (B:9969–10150) with its six managed policies.
	s, _ := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	for _, name := range []string{"AWSLambdaFullAccess", "IAMUserChangePassword", "AmazonAPIGatewayAdministrator",
		"AmazonSESFullAccess", "AmazonSQSFullAccess", "AmazonSNSFullAccess"} {
		if _, err := s.AttachUserPolicy(bg, &iamapi.AttachUserPolicyRequest{UserName: api.Ptr("devuser"), PolicyArn: api.Ptr("arn:aws:iam::aws:policy/" + name)}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	out, err := s.ListAttachedUserPolicies(bg, &iamapi.ListAttachedUserPoliciesRequest{UserName: api.Ptr("devuser"), MaxItems: api.Ptr(int64(4))})
	if err != nil || len(out.AttachedPolicies) != 4 || !*out.IsTruncated {
		t.Fatalf("out = %+v, %v", out, err)
	}
	rest, _ := s.ListAttachedUserPolicies(bg, &iamapi.ListAttachedUserPoliciesRequest{UserName: api.Ptr("devuser"), Marker: out.Marker})
	if len(rest.AttachedPolicies) != 2 || *rest.IsTruncated {
		t.Fatalf("rest = %+v", rest)
	}
}

func TestListEntitiesForPolicy(t *testing.T) {
	s, _ := newTestService(t)
	arn := api.Ptr("arn:aws:iam::aws:policy/service-role/AWSLambdaRole")
	createUser(t, s, bg, "soracom-funk-test-taro", "")
	createRole(t, s, "role-a")
	if _, err := s.AttachUserPolicy(bg, &iamapi.AttachUserPolicyRequest{UserName: api.Ptr("soracom-funk-test-taro"), PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: api.Ptr("role-a"), PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	out, err := s.ListEntitiesForPolicy(bg, &iamapi.ListEntitiesForPolicyRequest{PolicyArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.PolicyUsers) != 1 || len(out.PolicyRoles) != 1 || out.PolicyGroups == nil || *out.PolicyRoles[0].RoleName != "role-a" || out.PolicyUsers[0].UserId == nil {
		t.Fatalf("out = %+v", out)
	}
	roles, _ := s.ListEntitiesForPolicy(bg, &iamapi.ListEntitiesForPolicyRequest{PolicyArn: arn, EntityFilter: api.Ptr("Role")})
	if len(roles.PolicyUsers) != 0 || len(roles.PolicyRoles) != 1 {
		t.Fatalf("roles = %+v", roles)
	}
	_, err = s.ListEntitiesForPolicy(bg, &iamapi.ListEntitiesForPolicyRequest{PolicyArn: api.Ptr("arn:aws:iam::aws:policy/Nope")})
	wantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nope was not found.")
}
