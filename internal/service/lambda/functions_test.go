package lambda

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
)

func TestCreateFunctionStoresAndExtractsPackage(t *testing.T) {
	e := newEnv(t)
	files := map[string]string{"bootstrap*": "#!/bin/sh\n", "lib/data.txt": "x"}
	zipData := zipOf(t, files)
	out := e.create(t, "gofn", func(in *lambdaapi.CreateFunctionRequest) {
		in.Runtime, in.Handler, in.Code.ZipFile = api.Ptr("provided.al2023"), nil, zipData
		in.Tags = map[string]string{"team": "iot"}
		in.Environment = &lambdaapi.Environment{Variables: map[string]string{"outbucketname": "b"}}
	})
	sum := sha256.Sum256(zipData)
	if *out.CodeSha256 != base64.StdEncoding.EncodeToString(sum[:]) || *out.CodeSize != int64(len(zipData)) {
		t.Errorf("CodeSha256/CodeSize = %s/%d", *out.CodeSha256, *out.CodeSize)
	}
	if *out.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:gofn" || *out.Version != "$LATEST" {
		t.Errorf("arn/version = %s %s", *out.FunctionArn, *out.Version)
	}
	if *out.State != "Pending" || *out.Timeout != 3 || *out.MemorySize != 128 {
		t.Errorf("create response: state %s timeout %d memory %d", *out.State, *out.Timeout, *out.MemorySize)
	}
	got, err := e.s.GetFunction(bg, &lambdaapi.GetFunctionRequest{FunctionName: api.Ptr("gofn")})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Configuration.State != "Active" || *got.Configuration.LastUpdateStatus != "Successful" {
		t.Errorf("GetFunction state %s/%s, want Active/Successful", *got.Configuration.State, *got.Configuration.LastUpdateStatus)
	}
	if got.Tags["team"] != "iot" || got.Configuration.Environment.Variables["outbucketname"] != "b" || *got.Code.RepositoryType != "S3" {
		t.Errorf("GetFunction = %+v", got)
	}
	// The engine gets the extracted package with bootstrap still executable.
	if _, err := e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("gofn")}); err != nil {
		t.Fatal(err)
	}
	dir := e.fake.lastCall().fn.CodeDir
	st, err := os.Stat(filepath.Join(dir, "bootstrap"))
	if err != nil || st.Mode().Perm()&0o111 == 0 {
		t.Fatalf("bootstrap in %s: %v %v", dir, st, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "lib", "data.txt")); err != nil || string(b) != "x" {
		t.Errorf("lib/data.txt = %q, %v", b, err)
	}
	if !strings.HasPrefix(dir, e.root) {
		t.Errorf("code dir %s outside CodeRoot %s", dir, e.root)
	}
}

func TestCreateFunctionValidation(t *testing.T) {
	e := newEnv(t)
	e.create(t, "f")
	_, err := e.s.CreateFunction(bg, e.createReq(t, "f"))
	wantErr(t, err, "ResourceConflictException", "Function already exist: f")
	ec2Role, err := e.iam.CreateRole(bg, &iamapi.CreateRoleRequest{RoleName: api.Ptr("ec2-only"),
		AssumeRolePolicyDocument: api.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, code, msg string
		mutate          func(*lambdaapi.CreateFunctionRequest)
	}{
		{"badzip", "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.",
			func(in *lambdaapi.CreateFunctionRequest) { in.Code.ZipFile = []byte("not a zip") }},
		{"traversal", "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.",
			func(in *lambdaapi.CreateFunctionRequest) {
				in.Code.ZipFile = zipOf(t, map[string]string{"../evil.py": "x"})
			}},
		{"reserved", "InvalidParameterValueException", "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION",
			func(in *lambdaapi.CreateFunctionRequest) {
				in.Environment = &lambdaapi.Environment{Variables: map[string]string{"AWS_REGION": "x", "OK": "y"}}
			}},
		{"role", "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.",
			func(in *lambdaapi.CreateFunctionRequest) { in.Role = api.Ptr("arn:aws:iam::000000000000:role/missing") }},
		{"untrusted-role", "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.",
			func(in *lambdaapi.CreateFunctionRequest) { in.Role = ec2Role.Role.Arn }},
		{"timeout", "InvalidParameterValueException", "", func(in *lambdaapi.CreateFunctionRequest) { in.Timeout = api.Ptr(int64(901)) }},
		{"memory", "InvalidParameterValueException", "", func(in *lambdaapi.CreateFunctionRequest) { in.MemorySize = api.Ptr(int64(64)) }},
		{"handler", "InvalidParameterValueException", "", func(in *lambdaapi.CreateFunctionRequest) { in.Handler = nil }},
		{"runtime", "InvalidParameterValueException", "", func(in *lambdaapi.CreateFunctionRequest) { in.Runtime = api.Ptr("java8") }},
		{"s3", "InvalidParameterValueException", "", func(in *lambdaapi.CreateFunctionRequest) {
			in.Code = &lambdaapi.FunctionCode{S3Bucket: api.Ptr("b"), S3Key: api.Ptr("k.zip")}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := e.createReq(t, "g-"+c.name)
			c.mutate(in)
			_, err := e.s.CreateFunction(bg, in)
			if c.msg != "" {
				wantErr(t, err, c.code, c.msg)
			} else {
				wantErr(t, err, c.code)
			}
		})
	}
	// Nothing of the failed creations is left behind.
	list, _ := e.s.ListFunctions(bg, &lambdaapi.ListFunctionsRequest{})
	if len(list.Functions) != 1 {
		t.Errorf("functions after failures = %d, want 1", len(list.Functions))
	}
	if _, err := os.Stat(filepath.Join(e.root, "evil.py")); err == nil {
		t.Error("path traversal wrote outside the code directory")
	}
	// The 2017 runtimes of the seeds are accepted.
	for i, rt := range []string{"python2.7", "python3.7", "nodejs6.10", "provided"} {
		e.create(t, "old"+string(rune('a'+i)), func(in *lambdaapi.CreateFunctionRequest) { in.Runtime = api.Ptr(rt) })
	}
}

func TestFunctionNamesAndPagination(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"c", "a", "b"} {
		e.create(t, n)
	}
	for _, name := range []string{"a", "000000000000:function:a", "arn:aws:lambda:us-east-1:000000000000:function:a", "arn:aws:lambda:us-east-1:000000000000:function:a:$LATEST"} {
		out, err := e.s.GetFunctionConfiguration(bg, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: api.Ptr(name)})
		if err != nil || *out.FunctionName != "a" {
			t.Errorf("GetFunctionConfiguration(%s) = %v, %v", name, out, err)
		}
	}
	_, err := e.s.GetFunction(bg, &lambdaapi.GetFunctionRequest{FunctionName: api.Ptr("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")

	var names []string
	var marker *string
	for pages := 0; ; pages++ {
		out, err := e.s.ListFunctions(bg, &lambdaapi.ListFunctionsRequest{MaxItems: api.Ptr(int64(2)), Marker: marker})
		if err != nil || pages > 3 {
			t.Fatal(err, pages)
		}
		for _, f := range out.Functions {
			names = append(names, *f.FunctionName)
		}
		if marker = out.NextMarker; marker == nil {
			break
		}
	}
	if !slices.Equal(names, []string{"a", "b", "c"}) {
		t.Errorf("paged names = %v", names)
	}
	if _, err := e.s.DeleteFunction(bg, &lambdaapi.DeleteFunctionRequest{FunctionName: api.Ptr("b")}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(e.fake.retired, "arn:aws:lambda:us-east-1:000000000000:function:b:") {
		t.Errorf("retired = %v", e.fake.retired)
	}
	_, err = e.s.GetFunction(bg, &lambdaapi.GetFunctionRequest{FunctionName: api.Ptr("b")})
	wantErr(t, err, "ResourceNotFoundException")
}

func TestUpdatesChangeRevisionAndRetire(t *testing.T) {
	e := newEnv(t)
	created := e.create(t, "f")
	upd, err := e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{
		FunctionName: api.Ptr("f"), Timeout: api.Ptr(int64(15)), Runtime: api.Ptr("python3.7"),
		Environment: &lambdaapi.Environment{Variables: map[string]string{"outbucketname": "out"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *upd.RevisionId == *created.RevisionId || *upd.Timeout != 15 || *upd.Runtime != "python3.7" || *upd.Handler != "lambda_function.lambda_handler" {
		t.Errorf("update = %+v", upd)
	}
	if len(e.fake.retired) != 1 || e.fake.retired[0] != "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST:" {
		t.Errorf("retired = %v", e.fake.retired)
	}
	_, err = e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("f"), RevisionId: created.RevisionId})
	wantErr(t, err, "PreconditionFailedException")
	_, err = e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("f"),
		Environment: &lambdaapi.Environment{Variables: map[string]string{"LAMBDA_TASK_ROOT": "/x"}}})
	wantErr(t, err, "InvalidParameterValueException")

	newZip := zipOf(t, map[string]string{"lambda_function.py": "def lambda_handler(e, c):\n    return 2\n"})
	code, err := e.s.UpdateFunctionCode(bg, &lambdaapi.UpdateFunctionCodeRequest{FunctionName: api.Ptr("f"), ZipFile: newZip})
	if err != nil {
		t.Fatal(err)
	}
	if *code.CodeSha256 == *created.CodeSha256 || *code.RevisionId == *upd.RevisionId || len(e.fake.retired) != 2 {
		t.Errorf("code update = %s %s, retired %v", *code.CodeSha256, *code.RevisionId, e.fake.retired)
	}
	if _, err := e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f")}); err != nil {
		t.Fatal(err)
	}
	fn := e.fake.lastCall().fn
	if !strings.HasSuffix(fn.Key, *code.RevisionId) || fn.Environment["outbucketname"] != "out" || fn.Timeout.Seconds() != 15 {
		t.Errorf("runtime function = %+v", fn)
	}
	if b, _ := os.ReadFile(filepath.Join(fn.CodeDir, "lambda_function.py")); !strings.Contains(string(b), "return 2") {
		t.Errorf("code dir holds the old package: %q", b)
	}
}
