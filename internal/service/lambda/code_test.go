package lambda

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
)

// zipEntries builds a zip from ordered entries; symlinks carry their target as body.
func zipEntries(t *testing.T, entries ...[3]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e[0]}
		if e[2] == "link" {
			h.SetMode(fs.ModeSymlink | 0o777)
		} else {
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e[1]))
	}
	zw.Close()
	return buf.Bytes()
}

func TestExtractRejectsEscapes(t *testing.T) {
	for name, data := range map[string][]byte{
		"dotdot":        zipEntries(t, [3]string{"../x", "x", ""}),
		"absolute link": zipEntries(t, [3]string{"l", "/etc", "link"}),
		"dotdot link":   zipEntries(t, [3]string{"l", "../..", "link"}),
		"chained link":  zipEntries(t, [3]string{"d", ".", "link"}, [3]string{"d/up", "..", "link"}),
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "code")
			if err := extractZip(data, dir); err == nil || err.Error() != errBadZip().Error() {
				t.Fatalf("extract = %v, want the unzip error", err)
			}
			if _, err := os.Stat(filepath.Join(root, "x")); err == nil {
				t.Error("wrote outside the code directory")
			}
		})
	}
	dir := filepath.Join(t.TempDir(), "code")
	ok := zipEntries(t, [3]string{"lib/a.py", "a", ""}, [3]string{"a.py", "lib/a.py", "link"})
	if err := extractZip(ok, dir); err != nil {
		t.Fatalf("a link inside the package: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "a.py")); err != nil || string(b) != "a" {
		t.Errorf("a.py via link = %q, %v", b, err)
	}
}

func TestPublishOnCreateAndUpdate(t *testing.T) {
	e := newEnv(t)
	out := e.create(t, "f", func(in *lambdaapi.CreateFunctionRequest) { in.Publish = api.Ptr(true) })
	if *out.Version != "1" {
		t.Errorf("CreateFunction Publish returned version %s", *out.Version)
	}
	upd, err := e.s.UpdateFunctionCode(bg, &lambdaapi.UpdateFunctionCodeRequest{FunctionName: api.Ptr("f"), Publish: api.Ptr(true),
		ZipFile: zipOf(t, map[string]string{"lambda_function.py": "x = 2\n"})})
	if err != nil || *upd.Version != "2" {
		t.Fatalf("UpdateFunctionCode Publish = %+v, %v", upd, err)
	}
	all, _ := e.s.ListFunctions(bg, &lambdaapi.ListFunctionsRequest{FunctionVersion: api.Ptr("ALL")})
	if len(all.Functions) != 3 {
		t.Errorf("ListFunctions ALL = %d entries, want $LATEST, 1, 2", len(all.Functions))
	}
	// Version 1 keeps its own package after $LATEST's changed.
	v1, _ := e.s.GetFunction(bg, &lambdaapi.GetFunctionRequest{FunctionName: api.Ptr("f:1")})
	if *v1.Configuration.CodeSha256 == *upd.CodeSha256 {
		t.Error("version 1 shares the new code")
	}
	e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: api.Ptr("f"), Qualifier: api.Ptr("1")})
	if _, err := os.Stat(filepath.Join(e.fake.lastCall().fn.CodeDir, "lambda_function.py")); err != nil {
		t.Errorf("version 1 package: %v", err)
	}
}

func TestFunctionArnScopesRegionAndAccount(t *testing.T) {
	e := newEnv(t)
	arn := "arn:aws:lambda:ap-northeast-1:000000000000:function:tokyo"
	in := e.createReq(t, arn)
	out, err := e.s.CreateFunction(bg, in)
	if err != nil || *out.FunctionArn != arn || *out.FunctionName != "tokyo" {
		t.Fatalf("create by ARN = %+v, %v", out, err)
	}
	// Not in the default region's list.
	list, _ := e.s.ListFunctions(bg, &lambdaapi.ListFunctionsRequest{})
	if len(list.Functions) != 0 {
		t.Errorf("us-east-1 lists %d functions", len(list.Functions))
	}
	if _, err := e.s.Invoke(bg, &lambdaapi.InvocationRequest{FunctionName: &arn}); err != nil {
		t.Fatal(err)
	}
	if fn := e.fake.lastCall().fn; fn.Region != "ap-northeast-1" || fn.ARN != arn {
		t.Errorf("runtime function %s %s", fn.Region, fn.ARN)
	}
	_, err = e.s.GetFunction(bg, &lambdaapi.GetFunctionRequest{FunctionName: api.Ptr(arn + ":1"), Qualifier: api.Ptr("2")})
	wantErr(t, err, "InvalidParameterValueException")
}
