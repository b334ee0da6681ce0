package lambda

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
)

// The module-level code runs in the init phase: it records how the
// environment was initialized.
var pcZip = map[string]string{"lambda_function.py": `import os
INIT = os.environ.get('AWS_LAMBDA_INITIALIZATION_TYPE')
PID = os.getpid()

def lambda_handler(event, context):
    return {'init': INIT, 'pid': PID}
`}

type pcAnswer struct {
	Init string `json:"init"`
	Pid  int    `json:"pid"`
}

func (e *env) invokeTail(t *testing.T, name, qualifier string) (pcAnswer, string) {
	t.Helper()
	out, err := e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr(name), Qualifier: api.Ptr(qualifier),
		LogType: api.Ptr(lambdaapi.LogTypeTail)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil {
		t.Fatalf("%s:%s failed: %s", name, qualifier, out.Payload)
	}
	var a pcAnswer
	if err := json.Unmarshal(out.Payload, &a); err != nil {
		t.Fatalf("%s: %v", out.Payload, err)
	}
	logs, _ := base64.StdEncoding.DecodeString(api.Deref(out.LogResult))
	return a, string(logs)
}

func (e *env) publishWithAlias(t *testing.T, name, alias string) {
	t.Helper()
	e.create(t, name, func(in *lambdaapi.CreateFunctionRequest) { in.Code.ZipFile = zipOf(t, pcZip) })
	v, err := e.s.PublishVersion(bg, &lambdaapi.PublishVersionRequest{FunctionName: api.Ptr(name)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.CreateAlias(bg, &lambdaapi.CreateAliasRequest{FunctionName: api.Ptr(name), Name: api.Ptr(alias), FunctionVersion: v.Version}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) putPC(name, qualifier string, n int64) (*lambdaapi.PutProvisionedConcurrencyConfigResponse, error) {
	return e.s.PutProvisionedConcurrencyConfig(bg, &lambdaapi.PutProvisionedConcurrencyConfigRequest{FunctionName: api.Ptr(name),
		Qualifier: api.Ptr(qualifier), ProvisionedConcurrentExecutions: api.Ptr(n)})
}

func (e *env) getPCConfig(name, qualifier string) (*lambdaapi.GetProvisionedConcurrencyConfigResponse, error) {
	return e.s.GetProvisionedConcurrencyConfig(bg, &lambdaapi.GetProvisionedConcurrencyConfigRequest{FunctionName: api.Ptr(name), Qualifier: api.Ptr(qualifier)})
}

// Provisioned concurrency on an alias starts two environments through their
// init phase; the alias's invocations use them without a cold start.
func TestProvisionedConcurrencyRealProcesses(t *testing.T) {
	needTool(t, "python3")
	e := realEnv(t, "")
	e.publishWithAlias(t, "pc", "live")

	_, err := e.putPC("pc", "$LATEST", 1)
	wantErr(t, err, "InvalidParameterValueException", "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")

	put, err := e.putPC("pc", "live", 2)
	if err != nil {
		t.Fatal(err)
	}
	if *put.RequestedProvisionedConcurrentExecutions != 2 || put.LastModified == nil {
		t.Fatalf("put = %+v", put)
	}
	eventually(t, "READY", func() bool {
		got, err := e.getPCConfig("pc", "live")
		if err != nil {
			t.Fatal(err)
		}
		if *got.Status == lambdaapi.ProvisionedConcurrencyStatusEnumFailed {
			t.Fatalf("provisioning failed: %s", api.Deref(got.StatusReason))
		}
		return *got.Status == lambdaapi.ProvisionedConcurrencyStatusEnumReady && *got.AllocatedProvisionedConcurrentExecutions == 2 &&
			*got.AvailableProvisionedConcurrentExecutions == 2
	})

	a, logs := e.invokeTail(t, "pc", "live")
	if a.Init != "provisioned-concurrency" {
		t.Fatalf("initialization type %q, want provisioned-concurrency", a.Init)
	}
	if !strings.Contains(logs, "REPORT RequestId:") || strings.Contains(logs, "Init Duration") {
		t.Fatalf("log of a provisioned invocation:\n%s", logs)
	}

	// Moving the alias moves its provisioned environments to version 2.
	if _, err := e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("pc"),
		Environment: &lambdaapi.Environment{Variables: map[string]string{"V": "2"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PublishVersion(bg, &lambdaapi.PublishVersionRequest{FunctionName: api.Ptr("pc")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.UpdateAlias(bg, &lambdaapi.UpdateAliasRequest{FunctionName: api.Ptr("pc"), Name: api.Ptr("live"), FunctionVersion: api.Ptr("2")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "READY on version 2", func() bool {
		got, err := e.getPCConfig("pc", "live")
		return err == nil && *got.Status == lambdaapi.ProvisionedConcurrencyStatusEnumReady
	})
	b, logs := e.invokeTail(t, "pc", "live")
	if b.Init != "provisioned-concurrency" || b.Pid == a.Pid || strings.Contains(logs, "Init Duration") {
		t.Fatalf("after the alias moved: %+v (was pid %d), log:\n%s", b, a.Pid, logs)
	}

	list, err := e.s.ListProvisionedConcurrencyConfigs(bg, &lambdaapi.ListProvisionedConcurrencyConfigsRequest{FunctionName: api.Ptr("pc")})
	if err != nil || len(list.ProvisionedConcurrencyConfigs) != 1 || *list.ProvisionedConcurrencyConfigs[0].FunctionArn != testArn("pc:live") {
		t.Fatalf("list = %+v, %v", list, err)
	}

	if _, err := e.s.DeleteProvisionedConcurrencyConfig(bg, &lambdaapi.DeleteProvisionedConcurrencyConfigRequest{FunctionName: api.Ptr("pc"), Qualifier: api.Ptr("live")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.getPCConfig("pc", "live")
	wantErr(t, err, "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function")
	// Its environments are gone: the next invocation starts on demand.
	a, logs = e.invokeTail(t, "pc", "live")
	if a.Init != "on-demand" || !strings.Contains(logs, "Init Duration") {
		t.Fatalf("after delete: init %q, log:\n%s", a.Init, logs)
	}
}

func testArn(q string) string { return "arn:aws:lambda:us-east-1:" + testAccount + ":function:" + q }

// Limits: the account keeps 100 unreserved; a reservation bounds its
// function's provisioned concurrency; configurations need a version.
func TestProvisionedConcurrencyLimits(t *testing.T) {
	e := newEnv(t)
	e.publishWithAlias(t, "f", "live")
	_, err := e.putPC("f", "live", 901)
	wantErr(t, err, "InvalidParameterValueException", "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
	_, err = e.putPC("f", "live", 0)
	wantErr(t, err, "InvalidParameterValueException")
	if _, err := e.putPC("f", "live", 900); err != nil {
		t.Fatal(err)
	}
	// Without an engine that provisions, the configuration is READY at once.
	got, err := e.getPCConfig("f", "live")
	if err != nil || *got.Status != lambdaapi.ProvisionedConcurrencyStatusEnumReady {
		t.Fatalf("get = %+v, %v", got, err)
	}
	settings, err := e.s.GetAccountSettings(bg, &lambdaapi.GetAccountSettingsRequest{})
	if err != nil || *settings.AccountLimit.UnreservedConcurrentExecutions != 100 {
		t.Fatalf("unreserved = %d, %v", *settings.AccountLimit.UnreservedConcurrentExecutions, err)
	}
	// The version the alias points to cannot get its own.
	_, err = e.putPC("f", "1", 1)
	wantErr(t, err, "ResourceConflictException")

	e.publishWithAlias(t, "g", "live")
	_, err = e.s.PutFunctionConcurrency(bg, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: api.Ptr("g"), ReservedConcurrentExecutions: api.Ptr(int64(1))})
	wantErr(t, err, "InvalidParameterValueException")
	if _, err := e.s.DeleteProvisionedConcurrencyConfig(bg, &lambdaapi.DeleteProvisionedConcurrencyConfigRequest{FunctionName: api.Ptr("f"), Qualifier: api.Ptr("live")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PutFunctionConcurrency(bg, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: api.Ptr("g"), ReservedConcurrentExecutions: api.Ptr(int64(1))}); err != nil {
		t.Fatal(err)
	}
	_, err = e.putPC("g", "live", 2)
	wantErr(t, err, "InvalidParameterValueException", "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function")

	// Stored configurations survive a restart.
	if _, err := e.putPC("g", "1", 1); err != nil {
		t.Fatal(err)
	}
	e.s = e.open(t)
	if _, err := e.getPCConfig("g", "1"); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.DeleteProvisionedConcurrencyConfig(bg, &lambdaapi.DeleteProvisionedConcurrencyConfigRequest{FunctionName: api.Ptr("g"), Qualifier: api.Ptr("live")})
	wantErr(t, err, "ProvisionedConcurrencyConfigNotFoundException")
}

func TestRuntimeManagementConfig(t *testing.T) {
	e := newEnv(t)
	e.create(t, "f")
	get := func(q string) *lambdaapi.GetRuntimeManagementConfigResponse {
		t.Helper()
		out, err := e.s.GetRuntimeManagementConfig(bg, &lambdaapi.GetRuntimeManagementConfigRequest{FunctionName: api.Ptr("f"), Qualifier: optional(q)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	put := func(mode, arn string) (*lambdaapi.PutRuntimeManagementConfigResponse, error) {
		return e.s.PutRuntimeManagementConfig(bg, &lambdaapi.PutRuntimeManagementConfigRequest{FunctionName: api.Ptr("f"),
			UpdateRuntimeOn: api.Ptr(mode), RuntimeVersionArn: optional(arn)})
	}
	if got := get(""); *got.UpdateRuntimeOn != "Auto" || got.RuntimeVersionArn != nil || *got.FunctionArn != testArn("f") {
		t.Fatalf("default = %+v", got)
	}
	_, err := put("Manual", "")
	wantErr(t, err, "InvalidParameterValueException")
	const rv = "arn:aws:lambda:us-east-1::runtime:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	_, err = put("Auto", rv)
	wantErr(t, err, "InvalidParameterValueException")
	_, err = put("Sometimes", "")
	wantErr(t, err, "InvalidParameterValueException")
	_, err = put("Manual", "arn:aws:lambda:us-east-1::function:nope")
	wantErr(t, err, "InvalidParameterValueException")
	out, err := put("Manual", rv)
	if err != nil || *out.UpdateRuntimeOn != "Manual" || *out.RuntimeVersionArn != rv || *out.FunctionArn != testArn("f") {
		t.Fatalf("put = %+v, %v", out, err)
	}
	if got := get("$LATEST"); *got.UpdateRuntimeOn != "Manual" || api.Deref(got.RuntimeVersionArn) != rv {
		t.Fatalf("get = %+v", got)
	}
	_, err = e.s.GetRuntimeManagementConfig(bg, &lambdaapi.GetRuntimeManagementConfigRequest{FunctionName: api.Ptr("f"), Qualifier: api.Ptr("7")})
	wantErr(t, err, "ResourceNotFoundException")
}
