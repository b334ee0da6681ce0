package iam

import (
	"regexp"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

func TestInlinePolicies(t *testing.T) {
	s, _ := newTestService(t)
	createRole(t, s, "LambdaExecuteRole")
	role := api.Ptr("LambdaExecuteRole")
	allowAll := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`
	if _, err := s.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: role, PolicyName: api.Ptr("allow_all"), PolicyDocument: api.Ptr(allowAll)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRolePolicy(bg, &iamapi.GetRolePolicyRequest{RoleName: role, PolicyName: api.Ptr("allow_all")})
	if err != nil {
		t.Fatal(err)
	}
	if *got.RoleName != "LambdaExecuteRole" || *got.PolicyName != "allow_all" || decode(t, got.PolicyDocument) != allowAll {
		t.Fatalf("got = %+v", got)
	}
	if _, err := s.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: role, PolicyName: api.Ptr("allow_all"), PolicyDocument: api.Ptr(s3Policy)}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListRolePolicies(bg, &iamapi.ListRolePoliciesRequest{RoleName: role})
	if err != nil || len(list.PolicyNames) != 1 || list.PolicyNames[0] != "allow_all" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	_, err = s.GetRolePolicy(bg, &iamapi.GetRolePolicyRequest{RoleName: role, PolicyName: api.Ptr("nope")})
	wantError(t, err, "NoSuchEntity", "The role policy with name nope cannot be found.")
	_, err = s.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: role, PolicyName: api.Ptr("bad"), PolicyDocument: api.Ptr("{")})
	wantError(t, err, "MalformedPolicyDocument", "This policy contains invalid Json")
	_, err = s.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: api.Ptr("ghost"), PolicyName: api.Ptr("p"), PolicyDocument: api.Ptr(s3Policy)})
	wantError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")
	if _, err := s.DeleteRolePolicy(bg, &iamapi.DeleteRolePolicyRequest{RoleName: role, PolicyName: api.Ptr("allow_all")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteRolePolicy(bg, &iamapi.DeleteRolePolicyRequest{RoleName: role, PolicyName: api.Ptr("allow_all")})
	wantError(t, err, "NoSuchEntity", "The role policy with name allow_all cannot be found.")
	list, _ = s.ListRolePolicies(bg, &iamapi.ListRolePoliciesRequest{RoleName: role})
	if list.PolicyNames == nil || len(list.PolicyNames) != 0 {
		t.Fatalf("list = %+v", list)
	}
}

func TestUserInlinePolicies(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "u", "")
	for _, n := range []string{"b", "a", "c"} {
		if _, err := s.PutUserPolicy(bg, &iamapi.PutUserPolicyRequest{UserName: api.Ptr("u"), PolicyName: api.Ptr(n), PolicyDocument: api.Ptr(s3Policy)}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.ListUserPolicies(bg, &iamapi.ListUserPoliciesRequest{UserName: api.Ptr("u"), MaxItems: api.Ptr(int64(2))})
	if err != nil || len(page.PolicyNames) != 2 || page.PolicyNames[0] != "a" || !*page.IsTruncated {
		t.Fatalf("page = %+v, %v", page, err)
	}
	got, err := s.GetUserPolicy(bg, &iamapi.GetUserPolicyRequest{UserName: api.Ptr("u"), PolicyName: api.Ptr("c")})
	if err != nil || *got.UserName != "u" || decode(t, got.PolicyDocument) != s3Policy {
		t.Fatalf("got = %+v, %v", got, err)
	}
	_, err = s.GetUserPolicy(bg, &iamapi.GetUserPolicyRequest{UserName: api.Ptr("u"), PolicyName: api.Ptr("z")})
	wantError(t, err, "NoSuchEntity", "The user policy with name z cannot be found.")
}

func TestInstanceProfiles(t *testing.T) {
	s, clock := newTestService(t)
	name := api.Ptr("role-ec2-lambdaexec")
	out, err := s.CreateInstanceProfile(bg, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: name})
	if err != nil {
		t.Fatal(err)
	}
	p := out.InstanceProfile
	if *p.Arn != "arn:aws:iam::000000000000:instance-profile/role-ec2-lambdaexec" || *p.Path != "/" ||
		!regexp.MustCompile(`^AIPA[A-Z2-7]{17}$`).MatchString(*p.InstanceProfileId) || p.Roles == nil || !p.CreateDate.Equal(clock.Now()) {
		t.Fatalf("profile = %+v", p)
	}
	_, err = s.CreateInstanceProfile(bg, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: name})
	wantError(t, err, "EntityAlreadyExists", "Instance Profile role-ec2-lambdaexec already exists.")

	createRole(t, s, "role-ec2-lambdaexec")
	createRole(t, s, "other")
	if _, err := s.AddRoleToInstanceProfile(bg, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: name, RoleName: name}); err != nil {
		t.Fatal(err)
	}
	_, err = s.AddRoleToInstanceProfile(bg, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: name, RoleName: api.Ptr("other")})
	wantError(t, err, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")

	got, err := s.GetInstanceProfile(bg, &iamapi.GetInstanceProfileRequest{InstanceProfileName: name})
	if err != nil || len(got.InstanceProfile.Roles) != 1 || *got.InstanceProfile.Roles[0].RoleName != "role-ec2-lambdaexec" ||
		got.InstanceProfile.Roles[0].AssumeRolePolicyDocument == nil {
		t.Fatalf("got = %+v, %v", got, err)
	}
	forRole, err := s.ListInstanceProfilesForRole(bg, &iamapi.ListInstanceProfilesForRoleRequest{RoleName: name})
	if err != nil || len(forRole.InstanceProfiles) != 1 {
		t.Fatalf("forRole = %+v, %v", forRole, err)
	}
	role, ok, err := s.ProfileRole(bg, "role-ec2-lambdaexec")
	if err != nil || !ok || role.Arn != "arn:aws:iam::000000000000:role/role-ec2-lambdaexec" {
		t.Fatalf("ProfileRole = %+v %v %v", role, ok, err)
	}

	_, err = s.DeleteInstanceProfile(bg, &iamapi.DeleteInstanceProfileRequest{InstanceProfileName: name})
	wantError(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	_, err = s.RemoveRoleFromInstanceProfile(bg, &iamapi.RemoveRoleFromInstanceProfileRequest{InstanceProfileName: name, RoleName: api.Ptr("other")})
	wantError(t, err, "NoSuchEntity", "The role with name other cannot be found.")
	if _, err := s.RemoveRoleFromInstanceProfile(bg, &iamapi.RemoveRoleFromInstanceProfileRequest{InstanceProfileName: name, RoleName: name}); err != nil {
		t.Fatal(err)
	}
	forRole, _ = s.ListInstanceProfilesForRole(bg, &iamapi.ListInstanceProfilesForRoleRequest{RoleName: name})
	if len(forRole.InstanceProfiles) != 0 {
		t.Fatalf("forRole = %+v", forRole)
	}
	list, _ := s.ListInstanceProfiles(bg, &iamapi.ListInstanceProfilesRequest{})
	if len(list.InstanceProfiles) != 1 || *list.IsTruncated {
		t.Fatalf("list = %+v", list)
	}
	if _, err := s.DeleteInstanceProfile(bg, &iamapi.DeleteInstanceProfileRequest{InstanceProfileName: name}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetInstanceProfile(bg, &iamapi.GetInstanceProfileRequest{InstanceProfileName: name})
	wantError(t, err, "NoSuchEntity", "Instance Profile role-ec2-lambdaexec cannot be found.")
}

func TestLoginProfiles(t *testing.T) {
	s, clock := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	user := api.Ptr("devuser")
	_, err := s.GetLoginProfile(bg, &iamapi.GetLoginProfileRequest{UserName: user})
	wantError(t, err, "NoSuchEntity", "Login Profile for User devuser cannot be found.")
	out, err := s.CreateLoginProfile(bg, &iamapi.CreateLoginProfileRequest{UserName: user, Password: api.Ptr("Passw0rd!"), PasswordResetRequired: api.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if *out.LoginProfile.UserName != "devuser" || !*out.LoginProfile.PasswordResetRequired || !out.LoginProfile.CreateDate.Equal(clock.Now()) {
		t.Fatalf("login = %+v", out.LoginProfile)
	}
	_, err = s.CreateLoginProfile(bg, &iamapi.CreateLoginProfileRequest{UserName: user, Password: api.Ptr("x")})
	wantError(t, err, "EntityAlreadyExists", "Login Profile for user devuser already exists.")
	got, err := s.GetLoginProfile(bg, &iamapi.GetLoginProfileRequest{UserName: user})
	if err != nil || !*got.LoginProfile.PasswordResetRequired {
		t.Fatalf("got = %+v, %v", got, err)
	}
	if _, err := s.DeleteLoginProfile(bg, &iamapi.DeleteLoginProfileRequest{UserName: user}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteLoginProfile(bg, &iamapi.DeleteLoginProfileRequest{UserName: user})
	wantError(t, err, "NoSuchEntity", "Login Profile for User devuser cannot be found.")
	_, err = s.CreateLoginProfile(bg, &iamapi.CreateLoginProfileRequest{UserName: api.Ptr("ghost"), Password: api.Ptr("x")})
	wantError(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")
}
