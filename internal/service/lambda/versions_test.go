package lambda

import (
	"encoding/json"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
)

func TestVersionsAndAliases(t *testing.T) {
	e := newEnv(t)
	e.create(t, "regist")
	v1, err := e.s.PublishVersion(bg, &lambdaapi.PublishVersionRequest{FunctionName: api.Ptr("regist"), Description: api.Ptr("テスト版 20170801")})
	if err != nil {
		t.Fatal(err)
	}
	if *v1.Version != "1" || *v1.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:regist:1" || *v1.Description != "テスト版 20170801" {
		t.Errorf("v1 = %s %s %s", *v1.Version, *v1.FunctionArn, *v1.Description)
	}
	again, _ := e.s.PublishVersion(bg, &lambdaapi.PublishVersionRequest{FunctionName: api.Ptr("regist")})
	if *again.Version != "1" {
		t.Errorf("publishing without changes gave version %s, want 1", *again.Version)
	}
	_, err = e.s.PublishVersion(bg, &lambdaapi.PublishVersionRequest{FunctionName: api.Ptr("regist"), CodeSha256: api.Ptr("wrong")})
	wantErr(t, err, "InvalidParameterValueException")

	if _, err := e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("regist"), Timeout: api.Ptr(int64(10))}); err != nil {
		t.Fatal(err)
	}
	v2, _ := e.s.PublishVersion(bg, &lambdaapi.PublishVersionRequest{FunctionName: api.Ptr("regist")})
	if *v2.Version != "2" || *v2.Timeout != 10 {
		t.Errorf("v2 = %s timeout %d", *v2.Version, *v2.Timeout)
	}
	// Published versions are immutable: v1 keeps its timeout.
	got1, _ := e.s.GetFunctionConfiguration(bg, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: api.Ptr("regist"), Qualifier: api.Ptr("1")})
	if *got1.Timeout != 3 {
		t.Errorf("v1 timeout = %d after updating $LATEST", *got1.Timeout)
	}
	vers, _ := e.s.ListVersionsByFunction(bg, &lambdaapi.ListVersionsByFunctionRequest{FunctionName: api.Ptr("regist")})
	if len(vers.Versions) != 3 || *vers.Versions[0].Version != "$LATEST" || *vers.Versions[2].Version != "2" {
		t.Errorf("versions = %d", len(vers.Versions))
	}

	alias, err := e.s.CreateAlias(bg, &lambdaapi.CreateAliasRequest{FunctionName: api.Ptr("regist"), Name: api.Ptr("prod"), FunctionVersion: api.Ptr("1")})
	if err != nil {
		t.Fatal(err)
	}
	if *alias.AliasArn != "arn:aws:lambda:us-east-1:000000000000:function:regist:prod" {
		t.Errorf("alias arn = %s", *alias.AliasArn)
	}
	_, err = e.s.CreateAlias(bg, &lambdaapi.CreateAliasRequest{FunctionName: api.Ptr("regist"), Name: api.Ptr("prod"), FunctionVersion: api.Ptr("1")})
	wantErr(t, err, "ResourceConflictException")
	_, err = e.s.CreateAlias(bg, &lambdaapi.CreateAliasRequest{FunctionName: api.Ptr("regist"), Name: api.Ptr("dev"), FunctionVersion: api.Ptr("9")})
	wantErr(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:regist:9")

	invoke := func(name, qualifier string) string {
		t.Helper()
		out, err := e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr(name), Qualifier: optional(qualifier)})
		if err != nil {
			t.Fatal(err)
		}
		if fn := e.fake.lastCall().fn; fn.Version != *out.ExecutedVersion {
			t.Errorf("engine ran %s, ExecutedVersion %s", fn.Version, *out.ExecutedVersion)
		}
		return *out.ExecutedVersion
	}
	if v := invoke("regist", "prod"); v != "1" {
		t.Errorf("alias prod ran %s", v)
	}
	if v := invoke("regist", ""); v != "$LATEST" {
		t.Errorf("unqualified ran %s", v)
	}
	if v := invoke("regist", "2"); v != "2" {
		t.Errorf("version 2 ran %s", v)
	}
	if _, err := e.s.UpdateAlias(bg, &lambdaapi.UpdateAliasRequest{FunctionName: api.Ptr("regist"), Name: api.Ptr("prod"), FunctionVersion: api.Ptr("2")}); err != nil {
		t.Fatal(err)
	}
	if v := invoke("arn:aws:lambda:us-east-1:000000000000:function:regist:prod", ""); v != "2" {
		t.Errorf("alias ARN after UpdateAlias ran %s", v)
	}
	_, err = e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("regist"), Qualifier: api.Ptr("nope")})
	wantErr(t, err, "ResourceNotFoundException")

	routed, err := e.s.UpdateAlias(bg, &lambdaapi.UpdateAliasRequest{FunctionName: api.Ptr("regist"), Name: api.Ptr("prod"),
		RoutingConfig: &lambdaapi.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 0.25}}})
	if err != nil || routed.RoutingConfig.AdditionalVersionWeights["1"] != 0.25 {
		t.Fatalf("routing = %+v, %v", routed, err)
	}
	list, _ := e.s.ListAliases(bg, &lambdaapi.ListAliasesRequest{FunctionName: api.Ptr("regist")})
	if len(list.Aliases) != 1 || *list.Aliases[0].FunctionVersion != "2" {
		t.Errorf("aliases = %+v", list.Aliases)
	}

	_, err = e.s.DeleteFunction(bg, &lambdaapi.DeleteFunctionRequest{FunctionName: api.Ptr("regist"), Qualifier: api.Ptr("2")})
	wantErr(t, err, "ResourceConflictException")
	if _, err := e.s.DeleteAlias(bg, &lambdaapi.DeleteAliasRequest{FunctionName: api.Ptr("regist"), Name: api.Ptr("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.DeleteFunction(bg, &lambdaapi.DeleteFunctionRequest{FunctionName: api.Ptr("regist"), Qualifier: api.Ptr("2")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.GetFunction(bg, &lambdaapi.GetFunctionRequest{FunctionName: api.Ptr("regist:2")})
	wantErr(t, err, "ResourceNotFoundException")
	_, err = e.s.GetAlias(bg, &lambdaapi.GetAliasRequest{FunctionName: api.Ptr("regist"), Name: api.Ptr("prod")})
	wantErr(t, err, "ResourceNotFoundException", "Alias not found: arn:aws:lambda:us-east-1:000000000000:function:regist:prod")
}

func TestPermissions(t *testing.T) {
	e := newEnv(t)
	e.create(t, "f")
	_, err := e.s.GetPolicy(bg, &lambdaapi.GetPolicyRequest{FunctionName: api.Ptr("f")})
	wantErr(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
	add := &lambdaapi.AddPermissionRequest{FunctionName: api.Ptr("f"), StatementId: api.Ptr("s3invoke"), Action: api.Ptr("lambda:InvokeFunction"),
		Principal: api.Ptr("s3.amazonaws.com"), SourceArn: api.Ptr("arn:aws:s3:::bucket"), SourceAccount: api.Ptr("000000000000")}
	if _, err := e.s.AddPermission(bg, add); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.AddPermission(bg, add)
	wantErr(t, err, "ResourceConflictException")
	out, err := e.s.GetPolicy(bg, &lambdaapi.GetPolicyRequest{FunctionName: api.Ptr("f")})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Sid       string
			Principal map[string]string
			Resource  string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(*out.Policy), &doc); err != nil {
		t.Fatal(err)
	}
	st := doc.Statement[0]
	if st.Sid != "s3invoke" || st.Principal["Service"] != "s3.amazonaws.com" || st.Resource != "arn:aws:lambda:us-east-1:000000000000:function:f" ||
		st.Condition["ArnLike"]["AWS:SourceArn"] != "arn:aws:s3:::bucket" || st.Condition["StringEquals"]["AWS:SourceAccount"] != "000000000000" {
		t.Errorf("policy = %s", *out.Policy)
	}
	_, err = e.s.RemovePermission(bg, &lambdaapi.RemovePermissionRequest{FunctionName: api.Ptr("f"), StatementId: api.Ptr("other")})
	wantErr(t, err, "ResourceNotFoundException")
	if _, err := e.s.RemovePermission(bg, &lambdaapi.RemovePermissionRequest{FunctionName: api.Ptr("f"), StatementId: api.Ptr("s3invoke")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.GetPolicy(bg, &lambdaapi.GetPolicyRequest{FunctionName: api.Ptr("f")})
	wantErr(t, err, "ResourceNotFoundException")
}

func TestTagsConcurrencyAndAccountSettings(t *testing.T) {
	e := newEnv(t)
	arn := *e.create(t, "f").FunctionArn
	e.s.TagResource(bg, &lambdaapi.TagResourceRequest{Resource: &arn, Tags: map[string]string{"a": "1", "b": "2"}})
	e.s.UntagResource(bg, &lambdaapi.UntagResourceRequest{Resource: &arn, TagKeys: []string{"a"}})
	tags, _ := e.s.ListTags(bg, &lambdaapi.ListTagsRequest{Resource: &arn})
	if len(tags.Tags) != 1 || tags.Tags["b"] != "2" {
		t.Errorf("tags = %v", tags.Tags)
	}

	_, err := e.s.PutFunctionConcurrency(bg, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: api.Ptr("f"), ReservedConcurrentExecutions: api.Ptr(int64(901))})
	wantErr(t, err, "InvalidParameterValueException", "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
	if _, err := e.s.PutFunctionConcurrency(bg, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: api.Ptr("f"), ReservedConcurrentExecutions: api.Ptr(int64(5))}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.s.GetFunctionConcurrency(bg, &lambdaapi.GetFunctionConcurrencyRequest{FunctionName: api.Ptr("f")})
	settings, _ := e.s.GetAccountSettings(bg, &lambdaapi.GetAccountSettingsRequest{})
	if *got.ReservedConcurrentExecutions != 5 || *settings.AccountLimit.UnreservedConcurrentExecutions != 995 ||
		*settings.AccountLimit.ConcurrentExecutions != 1000 || *settings.AccountUsage.FunctionCount != 1 || *settings.AccountUsage.TotalCodeSize == 0 {
		t.Errorf("concurrency %d, settings %+v %+v", *got.ReservedConcurrentExecutions, settings.AccountLimit, settings.AccountUsage)
	}
	fnc, _ := e.s.GetFunction(bg, &lambdaapi.GetFunctionRequest{FunctionName: api.Ptr("f")})
	if *fnc.Concurrency.ReservedConcurrentExecutions != 5 {
		t.Errorf("GetFunction concurrency = %+v", fnc.Concurrency)
	}
	e.s.DeleteFunctionConcurrency(bg, &lambdaapi.DeleteFunctionConcurrencyRequest{FunctionName: api.Ptr("f")})
	got, _ = e.s.GetFunctionConcurrency(bg, &lambdaapi.GetFunctionConcurrencyRequest{FunctionName: api.Ptr("f")})
	if got.ReservedConcurrentExecutions != nil {
		t.Errorf("reservation after delete = %d", *got.ReservedConcurrentExecutions)
	}
}
