package lambda

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
)

func (e *env) publishLayer(t *testing.T, name string, files map[string]string, runtimes ...string) *lambdaapi.PublishLayerVersionResponse {
	t.Helper()
	out, err := e.s.PublishLayerVersion(bg, &lambdaapi.PublishLayerVersionRequest{LayerName: api.Ptr(name),
		Content: &lambdaapi.LayerVersionContentInput{ZipFile: zipOf(t, files)}, CompatibleRuntimes: runtimes,
		Description: api.Ptr("d " + name), LicenseInfo: api.Ptr("MIT")})
	if err != nil {
		t.Fatalf("PublishLayerVersion %s: %v", name, err)
	}
	return out
}

func TestLayerVersionsLifecycle(t *testing.T) {
	e := newEnv(t)
	v1 := e.publishLayer(t, "lib", map[string]string{"python/a.py": "A = 1\n"}, "python3.12")
	v2 := e.publishLayer(t, "lib", map[string]string{"python/a.py": "A = 2\n"}, "nodejs20.x")
	if *v1.Version != 1 || *v2.Version != 2 || *v1.LayerArn != "arn:aws:lambda:us-east-1:000000000000:layer:lib" ||
		*v2.LayerVersionArn != "arn:aws:lambda:us-east-1:000000000000:layer:lib:2" || *v1.Content.CodeSize == 0 ||
		*v1.Content.CodeSha256 == "" || !strings.Contains(*v1.Content.Location, "/_kiri/lambda/code/000000000000/us-east-1/.layers/") ||
		api.Deref(v1.LicenseInfo) != "MIT" || api.Deref(v1.CreatedDate) == "" {
		t.Fatalf("published %+v / %+v", v1, v2)
	}
	// The Location is a file the code handler serves (CodePath).
	loc := strings.Split(*v1.Content.Location, "/")
	if _, err := os.Stat(e.s.CodePath(loc[len(loc)-4], loc[len(loc)-3], loc[len(loc)-2], strings.TrimSuffix(loc[len(loc)-1], ".zip"))); err != nil {
		t.Errorf("layer zip not where Location says: %v", err)
	}
	_, err := e.s.PublishLayerVersion(bg, &lambdaapi.PublishLayerVersionRequest{LayerName: api.Ptr("lib"),
		Content: &lambdaapi.LayerVersionContentInput{S3Bucket: api.Ptr("b"), S3Key: api.Ptr("k")}})
	wantErr(t, err, "InvalidParameterValueException", "kiri: Code.S3Bucket/S3Key is not supported yet; upload the package as Code.ZipFile.")

	got, err := e.s.GetLayerVersion(bg, &lambdaapi.GetLayerVersionRequest{LayerName: api.Ptr("lib"), VersionNumber: api.Ptr(int64(1))})
	if err != nil || *got.Content.CodeSha256 != *v1.Content.CodeSha256 || got.CompatibleRuntimes[0] != "python3.12" {
		t.Fatalf("GetLayerVersion = %+v, %v", got, err)
	}
	got, err = e.s.GetLayerVersionByArn(bg, &lambdaapi.GetLayerVersionByArnRequest{Arn: v2.LayerVersionArn})
	if err != nil || *got.Version != 2 {
		t.Fatalf("GetLayerVersionByArn = %+v, %v", got, err)
	}
	_, err = e.s.GetLayerVersion(bg, &lambdaapi.GetLayerVersionRequest{LayerName: api.Ptr("lib"), VersionNumber: api.Ptr(int64(9))})
	wantErr(t, err, "ResourceNotFoundException")

	e.publishLayer(t, "alpha", map[string]string{"bin/x": "x"}, "python3.12")
	e.publishLayer(t, "zeta", map[string]string{"bin/x": "x"})
	// ListLayers: by name, with the newest matching version, paged.
	ls, err := e.s.ListLayers(bg, &lambdaapi.ListLayersRequest{MaxItems: api.Ptr(int64(2))})
	if err != nil || len(ls.Layers) != 2 || *ls.Layers[0].LayerName != "alpha" || *ls.Layers[1].LayerName != "lib" ||
		*ls.Layers[1].LatestMatchingVersion.Version != 2 || api.Deref(ls.NextMarker) != "zeta" {
		t.Fatalf("ListLayers = %+v, %v", ls, err)
	}
	ls, err = e.s.ListLayers(bg, &lambdaapi.ListLayersRequest{Marker: ls.NextMarker})
	if err != nil || len(ls.Layers) != 1 || *ls.Layers[0].LayerName != "zeta" || ls.NextMarker != nil {
		t.Fatalf("ListLayers page 2 = %+v, %v", ls, err)
	}
	ls, err = e.s.ListLayers(bg, &lambdaapi.ListLayersRequest{CompatibleRuntime: api.Ptr("python3.12")})
	if err != nil || len(ls.Layers) != 2 || *ls.Layers[1].LatestMatchingVersion.Version != 1 {
		t.Fatalf("ListLayers python3.12 = %+v, %v", ls, err)
	}
	lv, err := e.s.ListLayerVersions(bg, &lambdaapi.ListLayerVersionsRequest{LayerName: api.Ptr("lib"), MaxItems: api.Ptr(int64(1))})
	if err != nil || len(lv.LayerVersions) != 1 || *lv.LayerVersions[0].Version != 2 || api.Deref(lv.NextMarker) != "1" {
		t.Fatalf("ListLayerVersions = %+v, %v", lv, err)
	}
	lv, err = e.s.ListLayerVersions(bg, &lambdaapi.ListLayerVersionsRequest{LayerName: api.Ptr("lib"), Marker: lv.NextMarker})
	if err != nil || len(lv.LayerVersions) != 1 || *lv.LayerVersions[0].Version != 1 || lv.NextMarker != nil {
		t.Fatalf("ListLayerVersions page 2 = %+v, %v", lv, err)
	}

	// Deleting a version: gone from reads and lists; numbers are not reused.
	if _, err := e.s.DeleteLayerVersion(bg, &lambdaapi.DeleteLayerVersionRequest{LayerName: api.Ptr("lib"), VersionNumber: api.Ptr(int64(2))}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.DeleteLayerVersion(bg, &lambdaapi.DeleteLayerVersionRequest{LayerName: api.Ptr("lib"), VersionNumber: api.Ptr(int64(2))}); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
	_, err = e.s.GetLayerVersionByArn(bg, &lambdaapi.GetLayerVersionByArnRequest{Arn: v2.LayerVersionArn})
	wantErr(t, err, "ResourceNotFoundException")
	if v3 := e.publishLayer(t, "lib", map[string]string{"python/a.py": "A = 3\n"}); *v3.Version != 3 {
		t.Errorf("version after delete = %d", *v3.Version)
	}
}

func TestLayerVersionPermissions(t *testing.T) {
	e := newEnv(t)
	e.publishLayer(t, "shared", map[string]string{"python/s.py": ""})
	ref := func() *lambdaapi.AddLayerVersionPermissionRequest {
		return &lambdaapi.AddLayerVersionPermissionRequest{LayerName: api.Ptr("shared"), VersionNumber: api.Ptr(int64(1)),
			StatementId: api.Ptr("xaccount"), Action: api.Ptr("lambda:GetLayerVersion"), Principal: api.Ptr("111122223333")}
	}
	_, err := e.s.GetLayerVersionPolicy(bg, &lambdaapi.GetLayerVersionPolicyRequest{LayerName: api.Ptr("shared"), VersionNumber: api.Ptr(int64(1))})
	wantErr(t, err, "ResourceNotFoundException")
	out, err := e.s.AddLayerVersionPermission(bg, ref())
	if err != nil || !strings.Contains(*out.Statement, `"AWS":"arn:aws:iam::111122223333:root"`) || api.Deref(out.RevisionId) == "" {
		t.Fatalf("AddLayerVersionPermission = %+v, %v", out, err)
	}
	_, err = e.s.AddLayerVersionPermission(bg, ref())
	wantErr(t, err, "ResourceConflictException", "The statement id (xaccount) provided already exists. Please provide a new statement id, or remove the existing statement.")
	org := ref()
	org.StatementId, org.Principal, org.OrganizationId = api.Ptr("org"), api.Ptr("*"), api.Ptr("o-abc")
	if _, err := e.s.AddLayerVersionPermission(bg, org); err != nil {
		t.Fatal(err)
	}
	stale := ref()
	stale.StatementId, stale.RevisionId = api.Ptr("other"), out.RevisionId
	_, err = e.s.AddLayerVersionPermission(bg, stale)
	wantErr(t, err, "PreconditionFailedException")
	missing := ref()
	missing.VersionNumber = api.Ptr(int64(7))
	_, err = e.s.AddLayerVersionPermission(bg, missing)
	wantErr(t, err, "ResourceNotFoundException")

	pol, err := e.s.GetLayerVersionPolicy(bg, &lambdaapi.GetLayerVersionPolicyRequest{LayerName: api.Ptr("shared"), VersionNumber: api.Ptr(int64(1))})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Sid       string
			Principal any
			Resource  string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(*pol.Policy), &doc); err != nil || len(doc.Statement) != 2 || doc.Statement[1].Principal != "*" ||
		doc.Statement[1].Condition["StringEquals"]["aws:PrincipalOrgID"] != "o-abc" ||
		doc.Statement[0].Resource != "arn:aws:lambda:us-east-1:000000000000:layer:shared:1" {
		t.Fatalf("policy = %s, %v", *pol.Policy, err)
	}
	_, err = e.s.RemoveLayerVersionPermission(bg, &lambdaapi.RemoveLayerVersionPermissionRequest{LayerName: api.Ptr("shared"), VersionNumber: api.Ptr(int64(1)), StatementId: api.Ptr("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Statement nope is not found in resource policy.")
	for _, sid := range []string{"xaccount", "org"} {
		if _, err := e.s.RemoveLayerVersionPermission(bg, &lambdaapi.RemoveLayerVersionPermissionRequest{LayerName: api.Ptr("shared"), VersionNumber: api.Ptr(int64(1)), StatementId: api.Ptr(sid)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.s.GetLayerVersionPolicy(bg, &lambdaapi.GetLayerVersionPolicyRequest{LayerName: api.Ptr("shared"), VersionNumber: api.Ptr(int64(1))})
	wantErr(t, err, "ResourceNotFoundException")
}

func TestFunctionLayersValidated(t *testing.T) {
	e := newEnv(t)
	l := e.publishLayer(t, "lib", map[string]string{"python/mylib.py": "X = 1\n"})
	bad := "arn:aws:lambda:us-east-1:000000000000:layer:lib:5"
	in := e.createReq(t, "f")
	in.Layers = []string{bad}
	_, err := e.s.CreateFunction(bg, in)
	wantErr(t, err, "InvalidParameterValueException", "Layer version "+bad+" does not exist.")
	in.Layers = []string{"arn:aws:lambda:us-east-1:000000000000:layer:lib:1", "b", "c", "d", "e", "f"}
	_, err = e.s.CreateFunction(bg, in)
	wantErr(t, err, "InvalidParameterValueException")

	fc := e.create(t, "f", func(r *lambdaapi.CreateFunctionRequest) { r.Layers = []string{*l.LayerVersionArn} })
	if len(fc.Layers) != 1 || *fc.Layers[0].Arn != *l.LayerVersionArn || *fc.Layers[0].CodeSize != *l.Content.CodeSize {
		t.Fatalf("Layers = %+v", fc.Layers)
	}
	got, err := e.s.GetFunction(bg, &lambdaapi.GetFunctionRequest{FunctionName: api.Ptr("f")})
	if err != nil || *got.Configuration.Layers[0].CodeSize != *l.Content.CodeSize {
		t.Fatalf("GetFunction = %+v, %v", got, err)
	}
	_, err = e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("f"), Layers: []string{bad}})
	wantErr(t, err, "InvalidParameterValueException", "Layer version "+bad+" does not exist.")
	v, err := e.s.PublishVersion(bg, &lambdaapi.PublishVersionRequest{FunctionName: api.Ptr("f")})
	if err != nil || len(v.Layers) != 1 || *v.Layers[0].CodeSize != *l.Content.CodeSize {
		t.Fatalf("PublishVersion = %+v, %v", v, err)
	}
	up, err := e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("f"), Layers: []string{}})
	if err != nil || len(up.Layers) != 0 {
		t.Fatalf("removing layers = %+v, %v", up, err)
	}
	// The version keeps its layer.
	cfg, err := e.s.GetFunctionConfiguration(bg, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: api.Ptr("f"), Qualifier: api.Ptr("1")})
	if err != nil || len(cfg.Layers) != 1 {
		t.Fatalf("version 1 = %+v, %v", cfg, err)
	}
}

// realEnv is an env whose functions run in real processes.
func realEnv(t *testing.T, root string) *env {
	e := newEnv(t)
	if root != "" {
		e.root = filepath.Join(root, "code")
	}
	eng := runtime.New(runtime.Config{TempRoot: t.TempDir(), Endpoint: "http://127.0.0.1:1"})
	if root != "" {
		tr := filepath.Join(root, "envs")
		if err := os.MkdirAll(tr, 0o700); err != nil {
			t.Fatal(err)
		}
		eng = runtime.New(runtime.Config{TempRoot: tr, Endpoint: "http://127.0.0.1:1"})
	}
	t.Cleanup(func() { _ = eng.Close() })
	e.s = New(Config{Store: e.st, Invoker: eng, CodeRoot: e.root, IAM: e.iam, STS: e.sts, RetryDelay: time.Millisecond})
	t.Cleanup(func() { e.s.Close() })
	return e
}

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("KIRI_E2E_REQUIRE") != "" {
			t.Fatalf("%s is required: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
}

func (e *env) invokeJSON(t *testing.T, name string, v any) {
	t.Helper()
	out, err := e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr(name), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil {
		t.Fatalf("%s failed: %s", name, out.Payload)
	}
	if err := json.Unmarshal(out.Payload, v); err != nil {
		t.Fatalf("%s: %s: %v", name, out.Payload, err)
	}
}

// A Python function imports a module of its layer, and of a second layer
// whose file replaces the first's; the layers are on /opt when the host
// allows a private mount namespace.
func TestPythonFunctionUsesLayers(t *testing.T) {
	needTool(t, "python3")
	root := ""
	if dir, err := os.MkdirTemp("/var/tmp", "kiri-layers-"); err == nil {
		root = dir
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
	}
	e := realEnv(t, root)
	ver, err := exec.Command("python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])").Output()
	if err != nil {
		t.Fatal(err)
	}
	sitePkg := "python/lib/python" + strings.TrimSpace(string(ver)) + "/site-packages/sitemod.py"
	l1 := e.publishLayer(t, "one", map[string]string{"python/mylib.py": "def hello():\n    return 'one'\n", "python/shared.py": "WHO = 'one'\n",
		"bin/tool*": "#!/bin/sh\necho tool\n", sitePkg: "SITE = 'site'\n"})
	l2 := e.publishLayer(t, "two", map[string]string{"python/shared.py": "WHO = 'two'\n"})
	handler := `import os, subprocess, mylib, shared, sitemod
def handler(event, context):
    opt = open('/opt/python/shared.py').read() if os.path.exists('/opt/python/shared.py') else None
    return {'hello': mylib.hello(), 'shared': shared.WHO, 'opt': opt, 'tool': subprocess.check_output(['tool']).decode().strip(), 'site': sitemod.SITE}
`
	e.create(t, "py", func(r *lambdaapi.CreateFunctionRequest) {
		r.Runtime, r.Handler = api.Ptr("python3.12"), api.Ptr("app.handler")
		r.Code = &lambdaapi.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": handler})}
		r.Layers = []string{*l1.LayerVersionArn, *l2.LayerVersionArn}
	})
	var got struct {
		Hello, Shared, Tool, Site string
		Opt                       *string
	}
	e.invokeJSON(t, "py", &got)
	if got.Hello != "one" || got.Shared != "two" || got.Tool != "tool" || got.Site != "site" {
		t.Fatalf("function saw %+v", got)
	}
	if got.Opt != nil && *got.Opt != "WHO = 'two'\n" {
		t.Errorf("/opt/python/shared.py = %q", *got.Opt)
	}
	t.Logf("layers on /opt: %v", got.Opt != nil)

	// Deleting a layer version leaves the function working, even after a
	// configuration change restarts its environments.
	for _, l := range []*lambdaapi.PublishLayerVersionResponse{l1, l2} {
		if _, err := e.s.DeleteLayerVersion(bg, &lambdaapi.DeleteLayerVersionRequest{LayerName: api.Ptr(strings.Split(*l.LayerArn, ":")[6]), VersionNumber: l.Version}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.UpdateFunctionConfiguration(bg, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: api.Ptr("py"), Timeout: api.Ptr(int64(10))}); err != nil {
		t.Fatal(err)
	}
	e.invokeJSON(t, "py", &got)
	if got.Hello != "one" || got.Shared != "two" {
		t.Fatalf("after deleting the layer versions the function saw %+v", got)
	}
}

func TestNodeFunctionUsesLayer(t *testing.T) {
	needTool(t, "node")
	e := realEnv(t, "")
	l := e.publishLayer(t, "nodelib", map[string]string{
		"nodejs/node_modules/x/index.js":        "module.exports = () => 'x from layer';\n",
		"nodejs/node20/node_modules/y/index.js": "module.exports = 'y for node20';\n",
		"nodejs/node_modules/x/package.json":    `{"name":"x","main":"index.js"}`,
	}, "nodejs20.x")
	e.create(t, "js", func(r *lambdaapi.CreateFunctionRequest) {
		r.Runtime, r.Handler = api.Ptr("nodejs20.x"), api.Ptr("index.handler")
		r.Code = &lambdaapi.FunctionCode{ZipFile: zipOf(t, map[string]string{"index.js": "const x = require('x'); const y = require('y');\nexports.handler = async () => ({x: x(), y});\n"})}
		r.Layers = []string{*l.LayerVersionArn}
	})
	var got struct{ X, Y string }
	e.invokeJSON(t, "js", &got)
	if got.X != "x from layer" || got.Y != "y for node20" {
		t.Fatalf("function saw %+v", got)
	}
}
