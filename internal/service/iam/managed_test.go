package iam

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

const kinesisPolicy = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
            "Resource": "arn:aws:kinesis:us-east-1:000000000000:stream/demo-stream"
        }
    ]
}`

func createPolicy(t *testing.T, s *Service, name string) *iamapi.Policy {
	t.Helper()
	out, err := s.CreatePolicy(bg, &iamapi.CreatePolicyRequest{PolicyName: api.Ptr(name), PolicyDocument: api.Ptr(kinesisPolicy)})
	if err != nil {
		t.Fatalf("CreatePolicy %s: %v", name, err)
	}
	return out.Policy
}

func TestCreatePolicyAsTheCLIShowsIt(t *testing.T) {
	s, clock := newTestService(t)
	p := createPolicy(t, s, "EventBridge-Invoke-Kinesis")
	if *p.PolicyName != "EventBridge-Invoke-Kinesis" || *p.Arn != "arn:aws:iam::000000000000:policy/EventBridge-Invoke-Kinesis" ||
		*p.Path != "/" || *p.DefaultVersionId != "v1" || *p.AttachmentCount != 0 || *p.PermissionsBoundaryUsageCount != 0 ||
		!*p.IsAttachable || !p.CreateDate.Equal(clock.Now()) || !p.UpdateDate.Equal(clock.Now()) {
		t.Fatalf("policy = %+v", p)
	}
	if !regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`).MatchString(*p.PolicyId) {
		t.Fatalf("PolicyId = %s", *p.PolicyId)
	}
	v, err := s.GetPolicyVersion(bg, &iamapi.GetPolicyVersionRequest{PolicyArn: p.Arn, VersionId: api.Ptr("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if decode(t, v.PolicyVersion.Document) != kinesisPolicy || !*v.PolicyVersion.IsDefaultVersion {
		t.Fatalf("version = %+v", v.PolicyVersion)
	}
}

func TestPolicyErrors(t *testing.T) {
	s, _ := newTestService(t)
	createPolicy(t, s, "p")
	_, err := s.CreatePolicy(bg, &iamapi.CreatePolicyRequest{PolicyName: api.Ptr("p"), Path: api.Ptr("/other/"), PolicyDocument: api.Ptr(s3Policy)})
	wantError(t, err, "EntityAlreadyExists", "A policy called p already exists. Duplicate names are not allowed.")
	_, err = s.GetPolicy(bg, &iamapi.GetPolicyRequest{PolicyArn: api.Ptr("arn:aws:iam::000000000000:policy/missing")})
	wantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::000000000000:policy/missing was not found.")
	_, err = s.GetPolicy(bg, &iamapi.GetPolicyRequest{PolicyArn: api.Ptr("arn:aws:iam::000000000000:policy/other/p")})
	wantError(t, err, "NoSuchEntity", "")
	_, err = s.GetPolicy(bg, &iamapi.GetPolicyRequest{PolicyArn: api.Ptr("not-an-arn-at-all-really")})
	wantError(t, err, "InvalidInput", "ARN not-an-arn-at-all-really is not valid.")
	_, err = s.CreatePolicy(bg, &iamapi.CreatePolicyRequest{PolicyName: api.Ptr("q"), PolicyDocument: api.Ptr(`{"Statement": `)})
	wantError(t, err, "MalformedPolicyDocument", "This policy contains invalid Json")
	_, err = s.CreatePolicy(bg, &iamapi.CreatePolicyRequest{PolicyName: api.Ptr("q"), PolicyDocument: api.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`)})
	wantError(t, err, "MalformedPolicyDocument", "Policy statement must contain resources.")
}

func TestPolicyOfAnotherAccountIsNotVisible(t *testing.T) {
	s, _ := newTestService(t)
	p := createPolicy(t, s, "p")
	_, err := s.GetPolicy(ctxAs("111111111111", ""), &iamapi.GetPolicyRequest{PolicyArn: p.Arn})
	wantError(t, err, "NoSuchEntity", "")
}

func TestGetPolicyShowsDescriptionAndTags(t *testing.T) {
	s, _ := newTestService(t)
	created, err := s.CreatePolicy(bg, &iamapi.CreatePolicyRequest{
		PolicyName: api.Ptr("p"), Path: api.Ptr("/team/"), PolicyDocument: api.Ptr(s3Policy), Description: api.Ptr("for the team"),
		Tags: []iamapi.Tag{{Key: api.Ptr("k"), Value: api.Ptr("v")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *created.Policy.Arn != "arn:aws:iam::000000000000:policy/team/p" || created.Policy.Description != nil {
		t.Fatalf("created = %+v", created.Policy)
	}
	got, err := s.GetPolicy(bg, &iamapi.GetPolicyRequest{PolicyArn: created.Policy.Arn})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Policy.Description != "for the team" || len(got.Policy.Tags) != 1 {
		t.Fatalf("policy = %+v", got.Policy)
	}
}

func TestPolicyVersions(t *testing.T) {
	s, clock := newTestService(t)
	p := createPolicy(t, s, "p")
	for i := 2; i <= 5; i++ {
		clock.Advance(60e9)
		out, err := s.CreatePolicyVersion(bg, &iamapi.CreatePolicyVersionRequest{PolicyArn: p.Arn, PolicyDocument: api.Ptr(s3Policy), SetAsDefault: api.Ptr(i == 3)})
		if err != nil {
			t.Fatal(err)
		}
		if want := "v" + string(rune('0'+i)); *out.PolicyVersion.VersionId != want || *out.PolicyVersion.IsDefaultVersion != (i == 3) {
			t.Fatalf("version = %+v, want %s", out.PolicyVersion, want)
		}
	}
	_, err := s.CreatePolicyVersion(bg, &iamapi.CreatePolicyVersionRequest{PolicyArn: p.Arn, PolicyDocument: api.Ptr(s3Policy)})
	wantError(t, err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")

	got, _ := s.GetPolicy(bg, &iamapi.GetPolicyRequest{PolicyArn: p.Arn})
	if *got.Policy.DefaultVersionId != "v3" || got.Policy.UpdateDate.Equal(*got.Policy.CreateDate) {
		t.Fatalf("policy = %+v", got.Policy)
	}
	list, err := s.ListPolicyVersions(bg, &iamapi.ListPolicyVersionsRequest{PolicyArn: p.Arn})
	if err != nil || len(list.Versions) != 5 || *list.Versions[0].VersionId != "v5" || *list.Versions[4].VersionId != "v1" {
		t.Fatalf("versions = %+v, %v", list, err)
	}
	if list.Versions[0].Document != nil {
		t.Fatal("ListPolicyVersions shows no documents")
	}
	page, _ := s.ListPolicyVersions(bg, &iamapi.ListPolicyVersionsRequest{PolicyArn: p.Arn, MaxItems: api.Ptr(int64(2))})
	next, _ := s.ListPolicyVersions(bg, &iamapi.ListPolicyVersionsRequest{PolicyArn: p.Arn, Marker: page.Marker})
	if len(page.Versions) != 2 || len(next.Versions) != 3 || *next.Versions[0].VersionId != "v3" {
		t.Fatalf("pages = %+v / %+v", page, next)
	}

	_, err = s.DeletePolicyVersion(bg, &iamapi.DeletePolicyVersionRequest{PolicyArn: p.Arn, VersionId: api.Ptr("v3")})
	wantError(t, err, "DeleteConflict", "Cannot delete the default version of a policy.")
	_, err = s.DeletePolicyVersion(bg, &iamapi.DeletePolicyVersionRequest{PolicyArn: p.Arn, VersionId: api.Ptr("v9")})
	wantError(t, err, "NoSuchEntity", "Policy "+*p.Arn+" version v9 does not exist or is not attachable.")
	if _, err := s.DeletePolicyVersion(bg, &iamapi.DeletePolicyVersionRequest{PolicyArn: p.Arn, VersionId: api.Ptr("v5")}); err != nil {
		t.Fatal(err)
	}
	out, err := s.CreatePolicyVersion(bg, &iamapi.CreatePolicyVersionRequest{PolicyArn: p.Arn, PolicyDocument: api.Ptr(s3Policy)})
	if err != nil || *out.PolicyVersion.VersionId != "v6" {
		t.Fatalf("version numbers are not reused: %+v, %v", out, err)
	}
	if _, err := s.SetDefaultPolicyVersion(bg, &iamapi.SetDefaultPolicyVersionRequest{PolicyArn: p.Arn, VersionId: api.Ptr("v1")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.SetDefaultPolicyVersion(bg, &iamapi.SetDefaultPolicyVersionRequest{PolicyArn: p.Arn, VersionId: api.Ptr("v5")})
	wantError(t, err, "NoSuchEntity", "")
	_, err = s.GetPolicyVersion(bg, &iamapi.GetPolicyVersionRequest{PolicyArn: p.Arn, VersionId: api.Ptr("v5")})
	wantError(t, err, "NoSuchEntity", "")
}

func TestDeletePolicyConflicts(t *testing.T) {
	s, _ := newTestService(t)
	p := createPolicy(t, s, "EventBridge-Invoke-Kinesis")
	createRole(t, s, "EventBridge-Kinesis-role")
	role := api.Ptr("EventBridge-Kinesis-role")
	if _, err := s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: role, PolicyArn: p.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err := s.DeletePolicy(bg, &iamapi.DeletePolicyRequest{PolicyArn: p.Arn})
	wantError(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
	if _, err := s.DetachRolePolicy(bg, &iamapi.DetachRolePolicyRequest{RoleName: role, PolicyArn: p.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePolicyVersion(bg, &iamapi.CreatePolicyVersionRequest{PolicyArn: p.Arn, PolicyDocument: api.Ptr(s3Policy)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeletePolicy(bg, &iamapi.DeletePolicyRequest{PolicyArn: p.Arn})
	wantError(t, err, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	if _, err := s.DeletePolicyVersion(bg, &iamapi.DeletePolicyVersionRequest{PolicyArn: p.Arn, VersionId: api.Ptr("v2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeletePolicy(bg, &iamapi.DeletePolicyRequest{PolicyArn: p.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetPolicy(bg, &iamapi.GetPolicyRequest{PolicyArn: p.Arn})
	wantError(t, err, "NoSuchEntity", "")
}

func TestAWSManagedPolicies(t *testing.T) {
	s, _ := newTestService(t)
	arn := "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	got, err := s.GetPolicy(bg, &iamapi.GetPolicyRequest{PolicyArn: api.Ptr(arn)})
	if err != nil {
		t.Fatal(err)
	}
	p := got.Policy
	if *p.PolicyName != "AWSLambdaBasicExecutionRole" || *p.Path != "/service-role/" || *p.PolicyId != "ANPAJNCQGXC42545SKXIK" ||
		*p.DefaultVersionId != "v1" || *p.Description != "Provides write permissions to CloudWatch Logs." || !*p.IsAttachable {
		t.Fatalf("policy = %+v", p)
	}
	v, err := s.GetPolicyVersion(bg, &iamapi.GetPolicyVersionRequest{PolicyArn: api.Ptr(arn), VersionId: api.Ptr("v1")})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version   string
		Statement []struct{ Action []string }
	}
	if err := json.Unmarshal([]byte(decode(t, v.PolicyVersion.Document)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2012-10-17" || strings.Join(doc.Statement[0].Action, ",") != "logs:CreateLogGroup,logs:CreateLogStream,logs:PutLogEvents" {
		t.Fatalf("document = %+v", doc)
	}
	_, err = s.GetPolicyVersion(bg, &iamapi.GetPolicyVersionRequest{PolicyArn: api.Ptr(arn), VersionId: api.Ptr("v2")})
	wantError(t, err, "NoSuchEntity", "")
	_, err = s.CreatePolicyVersion(bg, &iamapi.CreatePolicyVersionRequest{PolicyArn: api.Ptr(arn), PolicyDocument: api.Ptr(s3Policy)})
	wantError(t, err, "AccessDenied", "User: arn:aws:iam::000000000000:root is not authorized to perform: iam:CreatePolicyVersion on resource: policy "+arn)
	_, err = s.DeletePolicy(bg, &iamapi.DeletePolicyRequest{PolicyArn: api.Ptr(arn)})
	wantError(t, err, "AccessDenied", "")
}

func TestListPoliciesScopes(t *testing.T) {
	s, _ := newTestService(t)
	createPolicy(t, s, "EventBridge-Invoke-Kinesis")
	names := func(scope string, onlyAttached bool) map[string]bool {
		t.Helper()
		seen := map[string]bool{}
		var marker *string
		for {
			out, err := s.ListPolicies(bg, &iamapi.ListPoliciesRequest{Scope: api.Ptr(scope), OnlyAttached: api.Ptr(onlyAttached), Marker: marker, MaxItems: api.Ptr(int64(7))})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range out.Policies {
				if seen[*p.Arn] {
					t.Fatalf("%s listed twice", *p.Arn)
				}
				if p.Description != nil {
					t.Fatal("ListPolicies shows no descriptions")
				}
				seen[*p.PolicyName] = true
			}
			if !*out.IsTruncated {
				return seen
			}
			marker = out.Marker
		}
	}
	all, aws, local := names("All", false), names("AWS", false), names("Local", false)
	for _, want := range []string{
		"AWSLambdaFullAccess", "AWSLambdaReadOnlyAccess", "AWSLambdaRole", "AWSLambdaBasicExecutionRole",
		"AWSLambdaKinesisExecutionRole", "AWSLambdaDynamoDBExecutionRole", "AWSLambdaVPCAccessExecutionRole",
		"AmazonS3FullAccess", "AmazonDynamoDBFullAccess", "AmazonSESFullAccess", "AmazonSQSFullAccess",
		"AmazonSNSFullAccess", "AmazonAPIGatewayAdministrator", "IAMUserChangePassword", "AmazonEC2FullAccess",
	} {
		if !all[want] || !aws[want] || local[want] {
			t.Errorf("%s: all=%v aws=%v local=%v", want, all[want], aws[want], local[want])
		}
	}
	if !all["EventBridge-Invoke-Kinesis"] || aws["EventBridge-Invoke-Kinesis"] || len(local) != 1 {
		t.Fatalf("local = %v", local)
	}
	if len(names("All", true)) != 0 {
		t.Fatal("OnlyAttached lists unattached policies")
	}
	out, _ := s.ListPolicies(bg, &iamapi.ListPoliciesRequest{Scope: api.Ptr("AWS"), PathPrefix: api.Ptr("/service-role/")})
	for _, p := range out.Policies {
		if *p.Path != "/service-role/" {
			t.Fatalf("path filter let %s through", *p.Arn)
		}
	}
	if len(out.Policies) < 5 {
		t.Fatalf("service-role policies = %d", len(out.Policies))
	}
}
