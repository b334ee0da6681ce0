package lambda

import (
	"encoding/base64"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
	"github.com/kiricloud/kiri/internal/service/logs"
)

const (
	basicExecution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	vpcExecution   = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
)

// newRole creates a role Lambda may assume with the given managed policies.
func (e *env) newRole(t *testing.T, name string, policies ...string) string {
	t.Helper()
	out, err := e.iam.CreateRole(bg, &iamapi.CreateRoleRequest{RoleName: api.Ptr(name), AssumeRolePolicyDocument: api.Ptr(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policies {
		e.attach(t, name, p)
	}
	return *out.Role.Arn
}

func (e *env) attach(t *testing.T, role, policy string) {
	t.Helper()
	if _, err := e.iam.AttachRolePolicy(bg, &iamapi.AttachRolePolicyRequest{RoleName: api.Ptr(role), PolicyArn: api.Ptr(policy)}); err != nil {
		t.Fatal(err)
	}
}

func vpcConfig(subnets ...string) *lambdaapi.VpcConfig {
	return &lambdaapi.VpcConfig{SubnetIds: subnets, SecurityGroupIds: []string{"sg-1"}}
}

func TestVpcFunctionNeedsNetworkPermissions(t *testing.T) {
	e := newEnv(t)
	const refused = "The provided execution role does not have permissions to call %s on EC2"
	msg := func(action string) string { return strings.Replace(refused, "%s", action, 1) }

	// The bare role (no policies) is refused, naming CreateNetworkInterface.
	in := e.createReq(t, "vpc")
	in.VpcConfig = vpcConfig("subnet-1")
	_, err := e.s.CreateFunction(bg, in)
	wantErr(t, err, "InvalidParameterValueException", msg("CreateNetworkInterface"))

	// A role that may only create interfaces is refused for the next one.
	partial := e.newRole(t, "partial")
	if _, err := e.iam.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: api.Ptr("partial"), PolicyName: api.Ptr("eni"),
		PolicyDocument: api.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:CreateNetworkInterface","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	in.Role = api.Ptr(partial)
	_, err = e.s.CreateFunction(bg, in)
	wantErr(t, err, "InvalidParameterValueException", msg("DescribeNetworkInterfaces"))

	// An explicit Deny beats AWSLambdaVPCAccessExecutionRole.
	denied := e.newRole(t, "denied", vpcExecution)
	if _, err := e.iam.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: api.Ptr("denied"), PolicyName: api.Ptr("no-delete"),
		PolicyDocument: api.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:Delete*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	in.Role = api.Ptr(denied)
	_, err = e.s.CreateFunction(bg, in)
	wantErr(t, err, "InvalidParameterValueException", msg("DeleteNetworkInterface"))

	// With AWSLambdaVPCAccessExecutionRole the function is created.
	in.Role = api.Ptr(e.newRole(t, "vpc-role", vpcExecution))
	out, err := e.s.CreateFunction(bg, in)
	if err != nil {
		t.Fatal(err)
	}
	if out.VpcConfig == nil || len(out.VpcConfig.SubnetIds) != 1 {
		t.Fatalf("VpcConfig = %+v", out.VpcConfig)
	}

	// No subnets, no check: the bare role will do.
	e.create(t, "novpc", func(in *lambdaapi.CreateFunctionRequest) { in.VpcConfig = &lambdaapi.VpcConfig{} })

	// UpdateFunctionConfiguration: adding subnets to a function whose role
	// cannot manage interfaces is refused, and the function is unchanged.
	_, err = e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("novpc"), VpcConfig: vpcConfig("subnet-2")})
	wantErr(t, err, "InvalidParameterValueException", msg("CreateNetworkInterface"))
	got, err := e.s.GetFunctionConfiguration(bg, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: api.Ptr("novpc")})
	if err != nil || got.VpcConfig != nil {
		t.Fatalf("after refused update: %+v, %v", got.VpcConfig, err)
	}
	// Attaching the policy to the function's role makes it work.
	e.attach(t, "role-lambdaexec", vpcExecution)
	if _, err := e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("novpc"), VpcConfig: vpcConfig("subnet-2")}); err != nil {
		t.Fatal(err)
	}
	// Switching a VPC function to a role without the permissions is refused.
	basic := e.newRole(t, "basic", basicExecution)
	_, err = e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("novpc"), Role: api.Ptr(basic)})
	wantErr(t, err, "InvalidParameterValueException", msg("CreateNetworkInterface"))
	// Unless the update leaves the VPC too.
	if _, err := e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("novpc"), Role: api.Ptr(basic),
		VpcConfig: &lambdaapi.VpcConfig{SubnetIds: []string{}, SecurityGroupIds: []string{}}}); err != nil {
		t.Fatal(err)
	}
	// Other updates of a VPC function do not re-check the role.
	if _, err := e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("vpc"), Timeout: api.Ptr(int64(10))}); err != nil {
		t.Fatal(err)
	}
}

// TestLogAccessFollowsTheRole checks what Invoke tells the engine about the
// role's CloudWatch Logs permissions.
func TestLogAccessFollowsTheRole(t *testing.T) {
	e := newEnv(t)
	const group, stream = "/aws/lambda/f", "2026/11/22/[$LATEST]abc"
	e.attach(t, "role-lambdaexec", basicExecution)
	scoped := e.newRole(t, "scoped")
	if _, err := e.iam.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: api.Ptr("scoped"), PolicyName: api.Ptr("logs"),
		PolicyDocument: api.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		role string
		want runtime.LogAccess
	}{
		{e.role, runtime.LogAccess{CreateGroup: true, Write: true}},
		{e.newRole(t, "bare"), runtime.LogAccess{}},
		{scoped, runtime.LogAccess{Write: true}},
		{e.newRole(t, "readonly", "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"), runtime.LogAccess{}},
	}
	e.create(t, "f")
	for _, c := range cases {
		if _, err := e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("f"), Role: api.Ptr(c.role)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f")}); err != nil {
			t.Fatal(err)
		}
		fn := e.fake.lastCall().fn
		if fn.LogAccess == nil {
			t.Fatal("no LogAccess")
		}
		got, err := fn.LogAccess(bg, group, stream)
		if err != nil || got != c.want {
			t.Errorf("role %s: LogAccess = %+v, %v, want %+v", c.role, got, err, c.want)
		}
	}
}

// TestFunctionWithoutLogPermissionsWritesNoLogs runs functions in the real
// engine: one whose role has AWSLambdaBasicExecutionRole logs to
// CloudWatch Logs, one whose role has no policies logs nothing, and both
// still return the tail that LogType Tail asks for.
func TestFunctionWithoutLogPermissionsWritesNoLogs(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("KIRI_E2E_REQUIRE") != "" {
			t.Fatal("python3 not installed")
		}
		t.Skip("python3 not installed")
	}
	e := newEnv(t)
	logSvc := logs.New(e.st)
	engine := runtime.New(runtime.Config{Logs: logSvc, TempRoot: t.TempDir(), NoMemoryLimits: true, NoPrivateTmp: true})
	t.Cleanup(func() { _ = engine.Close() })
	e.fake = nil
	s := New(Config{Store: e.st, Invoker: engine, CodeRoot: e.root, IAM: e.iam, STS: e.sts})
	t.Cleanup(func() { s.Close() })

	code := map[string]string{"lambda_function.py": "def lambda_handler(event, context):\n    print('hello from ' + context.function_name)\n    return 'ok'\n"}
	withRole := func(role string) func(*lambdaapi.CreateFunctionRequest) {
		return func(in *lambdaapi.CreateFunctionRequest) {
			in.Role, in.Code = api.Ptr(role), &lambdaapi.FunctionCode{ZipFile: zipOf(t, code)}
		}
	}
	for name, role := range map[string]string{"logged": e.newRole(t, "basic", basicExecution), "silent": e.role /* no policies */} {
		in := e.createReq(t, name)
		withRole(role)(in)
		if _, err := s.CreateFunction(bg, in); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"logged", "silent"} {
		out, err := s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr(name), LogType: api.Ptr(lambdaapi.LogTypeTail)})
		if err != nil {
			t.Fatal(err)
		}
		if out.FunctionError != nil || string(out.Payload) != `"ok"` {
			t.Fatalf("%s: %s %s", name, api.Deref(out.FunctionError), out.Payload)
		}
		tail, _ := base64.StdEncoding.DecodeString(api.Deref(out.LogResult))
		if !strings.Contains(string(tail), "hello from "+name) || !strings.Contains(string(tail), "REPORT RequestId") {
			t.Errorf("%s: tail %q", name, tail)
		}
	}
	if msgs := groupMessages(t, logSvc, "/aws/lambda/logged"); !strings.Contains(msgs, "hello from logged") {
		t.Errorf("logged: CloudWatch Logs holds %q", msgs)
	}
	if msgs := groupMessages(t, logSvc, "/aws/lambda/silent"); msgs != "" {
		t.Errorf("silent: CloudWatch Logs holds %q", msgs)
	}

	// A role that may write streams but not create groups logs only once
	// the group exists.
	if _, err := e.iam.PutRolePolicy(bg, &iamapi.PutRolePolicyRequest{RoleName: api.Ptr("role-lambdaexec"), PolicyName: api.Ptr("logs"),
		PolicyDocument: api.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/silent:*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	invokeAgain := func(timeout int64) {
		t.Helper()
		// A configuration change starts a new environment, which decides anew.
		if _, err := s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("silent"), Timeout: api.Ptr(timeout)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("silent")}); err != nil {
			t.Fatal(err)
		}
	}
	invokeAgain(10)
	if msgs := groupMessages(t, logSvc, "/aws/lambda/silent"); msgs != "" {
		t.Errorf("silent without its group: CloudWatch Logs holds %q", msgs)
	}
	ctx := request.With(bg, &request.Info{Account: testAccount, Region: "us-east-1"})
	if _, err := logSvc.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: api.Ptr("/aws/lambda/silent")}); err != nil {
		t.Fatal(err)
	}
	invokeAgain(11)
	if msgs := groupMessages(t, logSvc, "/aws/lambda/silent"); !strings.Contains(msgs, "hello from silent") {
		t.Errorf("silent with its group: CloudWatch Logs holds %q", msgs)
	}
}

// groupMessages reads every message of a log group; "" when there is no
// such group.
func groupMessages(t *testing.T, svc *logs.Service, group string) string {
	t.Helper()
	ctx := request.With(bg, &request.Info{Account: testAccount, Region: "us-east-1"})
	out, err := svc.FilterLogEvents(ctx, &logsapi.FilterLogEventsRequest{LogGroupName: api.Ptr(group)})
	if pe, ok := err.(*protocol.Error); ok && pe.Type == "ResourceNotFoundException" {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range out.Events {
		b.WriteString(api.Deref(e.Message))
	}
	return b.String()
}
