package iam

import (
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

func TestEvaluateStatements(t *testing.T) {
	const logStream = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:log-stream:2026/11/22/[$LATEST]abc"
	cases := []struct {
		name     string
		doc      string
		action   string
		resource string
		want     bool
	}{
		{"allow exact", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, "s3:GetObject", "arn:aws:s3:::b/k", true},
		{"implicit deny", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, "s3:PutObject", "arn:aws:s3:::b/k", false},
		{"action case-insensitive", `{"Statement":{"Effect":"Allow","Action":"S3:getobject","Resource":"*"}}`, "s3:GetObject", "x", true},
		{"action star", `{"Statement":{"Effect":"Allow","Action":"logs:*","Resource":"*"}}`, "logs:PutLogEvents", "x", true},
		{"action question mark", `{"Statement":{"Effect":"Allow","Action":"s3:?etObject","Resource":"*"}}`, "s3:GetObject", "x", true},
		{"action list", `{"Statement":{"Effect":"Allow","Action":["sqs:*","logs:Put*"],"Resource":"*"}}`, "logs:PutLogEvents", "x", true},
		{"not action", `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`, "s3:GetObject", "x", true},
		{"not action excludes", `{"Statement":{"Effect":"Allow","NotAction":["iam:*"],"Resource":"*"}}`, "iam:CreateRole", "x", false},
		{"resource wildcard", `{"Statement":{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:*"}}`, "logs:PutLogEvents", logStream, true},
		{"resource other group", `{"Statement":{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/other:*"}}`, "logs:PutLogEvents", logStream, false},
		{"resource case-sensitive", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::Bucket/*"}}`, "s3:GetObject", "arn:aws:s3:::bucket/k", false},
		{"resource question mark", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b?/*"]}}`, "s3:GetObject", "arn:aws:s3:::b1/k", true},
		{"not resource", `{"Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}}`, "s3:GetObject", "arn:aws:s3:::open/k", true},
		{"not resource excludes", `{"Statement":{"Effect":"Allow","Action":"s3:*","NotResource":["arn:aws:s3:::secret/*"]}}`, "s3:GetObject", "arn:aws:s3:::secret/k", false},
		{"no resource element", `{"Statement":{"Effect":"Allow","Action":"s3:*"}}`, "s3:GetObject", "x", false},
		{"explicit deny wins", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ec2:CreateNetworkInterface","Resource":"*"}]}`, "ec2:CreateNetworkInterface", "*", false},
		{"deny elsewhere", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ec2:Delete*","Resource":"*"}]}`, "ec2:CreateNetworkInterface", "*", true},
		{"deny not action", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"logs:*","Resource":"*"}]}`, "ec2:CreateNetworkInterface", "*", false},
		{"conditional allow applies", `{"Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}}`, "ec2:CreateNetworkInterface", "*", true},
		{"conditional deny does not", `{"Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`, "ec2:CreateNetworkInterface", "*", true},
		{"unparsable", `not json`, "s3:GetObject", "x", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := evaluate(policyStatements(c.doc), c.action, c.resource); got != c.want {
				t.Fatalf("evaluate(%s, %s) = %v, want %v", c.action, c.resource, got, c.want)
			}
		})
	}
}

func TestRoleAllows(t *testing.T) {
	s, _ := newTestService(t)
	const (
		basic  = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
		vpc    = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
		stream = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:log-stream:x"
	)
	attach := func(role, arn string) {
		t.Helper()
		if _, err := s.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: api.Ptr(role), PolicyArn: api.Ptr(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	inline := func(role, name, doc string) {
		t.Helper()
		if _, err := s.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: api.Ptr(role), PolicyName: api.Ptr(name), PolicyDocument: api.Ptr(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	createRole(t, s, "bare")
	createRole(t, s, "basic")
	attach("basic", basic)
	createRole(t, s, "vpc")
	attach("vpc", vpc)
	createRole(t, s, "customer")
	cp, err := s.CreatePolicy(bg, &iamapi.CreatePolicyRequest{PolicyName: api.Ptr("ec2-write"),
		PolicyDocument: api.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeNetworkInterfaces","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	attach("customer", *cp.Policy.Arn)
	// A second version, made default, widens the policy.
	if _, err := s.CreatePolicyVersion(bg, &iamapi.CreatePolicyVersionRequest{PolicyArn: cp.Policy.Arn, SetAsDefault: api.Ptr(true),
		PolicyDocument: api.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*NetworkInterface*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	createRole(t, s, "denied")
	attach("denied", vpc)
	inline("denied", "no-eni", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:CreateNetworkInterface","Resource":"*"}]}`)
	createRole(t, s, "inline")
	inline("inline", "logs", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:*"}]}`)
	// A boundary that allows only logs caps an administrator.
	bp, err := s.CreatePolicy(bg, &iamapi.CreatePolicyRequest{PolicyName: api.Ptr("logs-only"),
		PolicyDocument: api.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRole(bg, &iamapi.CreateRoleRequest{RoleName: api.Ptr("bounded"), AssumeRolePolicyDocument: api.Ptr(lambdaTrust),
		PermissionsBoundary: bp.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	attach("bounded", "arn:aws:iam::aws:policy/AdministratorAccess")

	role := func(name string) string { return "arn:aws:iam::000000000000:role/" + name }
	cases := []struct {
		role, action, resource string
		want                   bool
	}{
		{role("bare"), "logs:PutLogEvents", stream, false},
		{role("basic"), "logs:CreateLogGroup", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:*", true},
		{role("basic"), "logs:CreateLogStream", stream, true},
		{role("basic"), "logs:PutLogEvents", stream, true},
		{role("basic"), "ec2:CreateNetworkInterface", "*", false},
		{role("vpc"), "ec2:CreateNetworkInterface", "*", true},
		{role("vpc"), "ec2:DescribeNetworkInterfaces", "*", true},
		{role("vpc"), "ec2:DeleteNetworkInterface", "*", true},
		{role("vpc"), "logs:PutLogEvents", stream, true},
		{role("vpc"), "s3:GetObject", "arn:aws:s3:::b/k", false},
		{role("customer"), "ec2:CreateNetworkInterface", "*", true}, // the default version, not v1
		{role("customer"), "ec2:DescribeSubnets", "*", false},
		{role("denied"), "ec2:CreateNetworkInterface", "*", false},
		{role("denied"), "ec2:DeleteNetworkInterface", "*", true},
		{role("inline"), "logs:PutLogEvents", stream, true},
		{role("inline"), "logs:PutLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/other:log-stream:x", false},
		{role("inline"), "logs:CreateLogGroup", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:*", false},
		{role("bounded"), "logs:PutLogEvents", stream, true},
		{role("bounded"), "ec2:CreateNetworkInterface", "*", false},
		{role("missing"), "logs:PutLogEvents", stream, false},
		{"arn:aws:iam::000000000000:role/service-role/basic", "logs:PutLogEvents", stream, false}, // wrong path
		{"arn:aws:iam::000000000000:user/basic", "logs:PutLogEvents", stream, false},
	}
	for _, c := range cases {
		got, err := s.RoleAllows(bg, c.role, c.action, c.resource)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("RoleAllows(%s, %s, %s) = %v, want %v", c.role, c.action, c.resource, got, c.want)
		}
	}
}
