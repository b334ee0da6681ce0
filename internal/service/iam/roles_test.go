package iam

import (
	"regexp"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

func createRole(t *testing.T, s *Service, name string) *iamapi.Role {
	t.Helper()
	out, err := s.CreateRole(bg, &iamapi.CreateRoleRequest{RoleName: api.Ptr(name), AssumeRolePolicyDocument: api.Ptr(lambdaTrust)})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return out.Role
}

func TestCreateRoleAsTheCLIShowsIt(t *testing.T) {
	s, clock := newTestService(t)
	r := createRole(t, s, "EventBridge-Kinesis-role")
	if *r.Path != "/" || *r.RoleName != "EventBridge-Kinesis-role" || *r.Arn != "arn:aws:iam::000000000000:role/EventBridge-Kinesis-role" {
		t.Fatalf("role = %+v", r)
	}
	if !regexp.MustCompile(`^AROA[A-Z2-7]{17}$`).MatchString(*r.RoleId) || !r.CreateDate.Equal(clock.Now()) {
		t.Fatalf("role = %+v", r)
	}
	if decode(t, r.AssumeRolePolicyDocument) != lambdaTrust {
		t.Fatalf("trust policy = %s", *r.AssumeRolePolicyDocument)
	}
	if r.Tags != nil || r.RoleLastUsed != nil {
		t.Fatalf("CreateRole shows only what AWS shows: %+v", r)
	}
}

func TestGetRole(t *testing.T) {
	s, _ := newTestService(t)
	created := createRole(t, s, "role-lambdaexec")
	out, err := s.GetRole(bg, &iamapi.GetRoleRequest{RoleName: api.Ptr("role-lambdaexec")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if *r.RoleId != *created.RoleId || *r.MaxSessionDuration != 3600 || r.RoleLastUsed == nil {
		t.Fatalf("role = %+v", r)
	}
	if *r.AssumeRolePolicyDocument != *created.AssumeRolePolicyDocument {
		t.Fatal("trust policy differs between CreateRole and GetRole")
	}
}

func TestRoleErrors(t *testing.T) {
	s, _ := newTestService(t)
	createRole(t, s, "role-lambdaexec")
	_, err := s.CreateRole(bg, &iamapi.CreateRoleRequest{RoleName: api.Ptr("role-lambdaexec"), AssumeRolePolicyDocument: api.Ptr(lambdaTrust)})
	wantError(t, err, "EntityAlreadyExists", "Role with name role-lambdaexec already exists.")
	_, err = s.GetRole(bg, &iamapi.GetRoleRequest{RoleName: api.Ptr("nope")})
	wantError(t, err, "NoSuchEntity", "The role with name nope cannot be found.")
	_, err = s.CreateRole(bg, &iamapi.CreateRoleRequest{RoleName: api.Ptr("bad"), AssumeRolePolicyDocument: api.Ptr(`{"Version": "2012-10-17", "Statement": [`)})
	wantError(t, err, "MalformedPolicyDocument", "This policy contains invalid Json")
	_, err = s.CreateRole(bg, &iamapi.CreateRoleRequest{RoleName: api.Ptr("bad"), AssumeRolePolicyDocument: api.Ptr(s3Policy)})
	wantError(t, err, "MalformedPolicyDocument", "Has prohibited field Resource")
}

func TestCreateRoleOptions(t *testing.T) {
	s, _ := newTestService(t)
	out, err := s.CreateRole(bg, &iamapi.CreateRoleRequest{
		RoleName: api.Ptr("r"), Path: api.Ptr("/service-role/"), AssumeRolePolicyDocument: api.Ptr(lambdaTrust),
		Description: api.Ptr("exec role"), MaxSessionDuration: api.Ptr(int64(7200)),
		PermissionsBoundary: api.Ptr("arn:aws:iam::aws:policy/AdministratorAccess"),
		Tags:                []iamapi.Tag{{Key: api.Ptr("k"), Value: api.Ptr("v")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if *r.Arn != "arn:aws:iam::000000000000:role/service-role/r" || *r.Description != "exec role" || len(r.Tags) != 1 {
		t.Fatalf("role = %+v", r)
	}
	if *r.PermissionsBoundary.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/AdministratorAccess" ||
		*r.PermissionsBoundary.PermissionsBoundaryType != "PermissionsBoundaryPolicy" {
		t.Fatalf("boundary = %+v", r.PermissionsBoundary)
	}
	got, _ := s.GetRole(bg, &iamapi.GetRoleRequest{RoleName: api.Ptr("r")})
	if *got.Role.MaxSessionDuration != 7200 {
		t.Fatalf("MaxSessionDuration = %d", *got.Role.MaxSessionDuration)
	}
	_, err = s.CreateRole(bg, &iamapi.CreateRoleRequest{
		RoleName: api.Ptr("r2"), AssumeRolePolicyDocument: api.Ptr(lambdaTrust), PermissionsBoundary: api.Ptr("arn:aws:iam::aws:policy/Nope"),
	})
	wantError(t, err, "NoSuchEntity", "Scope ARN: arn:aws:iam::aws:policy/Nope does not exist or is not attachable.")
}

func TestUpdateRoleAndTrustPolicy(t *testing.T) {
	s, _ := newTestService(t)
	createRole(t, s, "r")
	if _, err := s.UpdateRole(bg, &iamapi.UpdateRoleRequest{RoleName: api.Ptr("r"), Description: api.Ptr("d"), MaxSessionDuration: api.Ptr(int64(43200))}); err != nil {
		t.Fatal(err)
	}
	ec2Trust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`
	if _, err := s.UpdateAssumeRolePolicy(bg, &iamapi.UpdateAssumeRolePolicyRequest{RoleName: api.Ptr("r"), PolicyDocument: api.Ptr(ec2Trust)}); err != nil {
		t.Fatal(err)
	}
	out, _ := s.GetRole(bg, &iamapi.GetRoleRequest{RoleName: api.Ptr("r")})
	if *out.Role.Description != "d" || *out.Role.MaxSessionDuration != 43200 || decode(t, out.Role.AssumeRolePolicyDocument) != ec2Trust {
		t.Fatalf("role = %+v", out.Role)
	}
	_, err := s.UpdateAssumeRolePolicy(bg, &iamapi.UpdateAssumeRolePolicyRequest{RoleName: api.Ptr("r"), PolicyDocument: api.Ptr("nope")})
	wantError(t, err, "MalformedPolicyDocument", "This policy contains invalid Json")
	_, err = s.UpdateRole(bg, &iamapi.UpdateRoleRequest{RoleName: api.Ptr("ghost")})
	wantError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")
}

func TestDeleteRoleConflicts(t *testing.T) {
	s, _ := newTestService(t)
	createRole(t, s, "role-ec2-lambdaexec")
	role := api.Ptr("role-ec2-lambdaexec")
	arn := api.Ptr("arn:aws:iam::aws:policy/AmazonS3FullAccess")
	if _, err := s.CreateInstanceProfile(bg, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: role}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRoleToInstanceProfile(bg, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: role, RoleName: role}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: role, PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: role, PolicyName: api.Ptr("allow_all"), PolicyDocument: api.Ptr(s3Policy)}); err != nil {
		t.Fatal(err)
	}
	deleteRole := func() error {
		_, err := s.DeleteRole(bg, &iamapi.DeleteRoleRequest{RoleName: role})
		return err
	}
	wantError(t, deleteRole(), "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	if _, err := s.RemoveRoleFromInstanceProfile(bg, &iamapi.RemoveRoleFromInstanceProfileRequest{InstanceProfileName: role, RoleName: role}); err != nil {
		t.Fatal(err)
	}
	wantError(t, deleteRole(), "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	if _, err := s.DetachRolePolicy(bg, &iamapi.DetachRolePolicyRequest{RoleName: role, PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	wantError(t, deleteRole(), "DeleteConflict", "Cannot delete entity, must delete policies first.")
	if _, err := s.DeleteRolePolicy(bg, &iamapi.DeleteRolePolicyRequest{RoleName: role, PolicyName: api.Ptr("allow_all")}); err != nil {
		t.Fatal(err)
	}
	if err := deleteRole(); err != nil {
		t.Fatal(err)
	}
	wantError(t, deleteRole(), "NoSuchEntity", "The role with name role-ec2-lambdaexec cannot be found.")
}

func TestListRoles(t *testing.T) {
	s, _ := newTestService(t)
	for _, n := range []string{"c", "a", "b"} {
		createRole(t, s, n)
	}
	out, err := s.ListRoles(bg, &iamapi.ListRolesRequest{MaxItems: api.Ptr(int64(2))})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Roles) != 2 || *out.Roles[0].RoleName != "a" || !*out.IsTruncated || out.Marker == nil {
		t.Fatalf("out = %+v", out)
	}
	if out.Roles[0].AssumeRolePolicyDocument == nil || out.Roles[0].MaxSessionDuration == nil || out.Roles[0].RoleLastUsed != nil {
		t.Fatalf("listed role = %+v", out.Roles[0])
	}
	rest, err := s.ListRoles(bg, &iamapi.ListRolesRequest{Marker: out.Marker})
	if err != nil || len(rest.Roles) != 1 || *rest.Roles[0].RoleName != "c" || *rest.IsTruncated {
		t.Fatalf("rest = %+v, %v", rest, err)
	}
}

func TestRoleTags(t *testing.T) {
	s, _ := newTestService(t)
	createRole(t, s, "r")
	if _, err := s.TagRole(bg, &iamapi.TagRoleRequest{RoleName: api.Ptr("r"), Tags: []iamapi.Tag{{Key: api.Ptr("env"), Value: api.Ptr("dev")}}}); err != nil {
		t.Fatal(err)
	}
	out, err := s.ListRoleTags(bg, &iamapi.ListRoleTagsRequest{RoleName: api.Ptr("r")})
	if err != nil || len(out.Tags) != 1 || *out.Tags[0].Value != "dev" || *out.IsTruncated {
		t.Fatalf("tags = %+v, %v", out, err)
	}
	if _, err := s.UntagRole(bg, &iamapi.UntagRoleRequest{RoleName: api.Ptr("r"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	out, _ = s.ListRoleTags(bg, &iamapi.ListRoleTagsRequest{RoleName: api.Ptr("r")})
	if out.Tags == nil || len(out.Tags) != 0 {
		t.Fatalf("tags = %+v", out.Tags)
	}
	_, err = s.ListRoleTags(bg, &iamapi.ListRoleTagsRequest{RoleName: api.Ptr("ghost")})
	wantError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")
}
