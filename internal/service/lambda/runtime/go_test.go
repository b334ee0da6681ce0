package runtime

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildGoFunction compiles testdata/gofunc (aws-lambda-go, unmodified) into
// dir/bootstrap, skipping when the toolchain or module cannot build it
// (offline without the module cached).
func buildGoFunction(t testing.TB) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go toolchain not in PATH")
	}
	dir := t.TempDir()
	cmd := exec.Command(gobin, "build", "-o", filepath.Join(dir, "bootstrap"), "./testdata/gofunc")
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("KIRI_E2E_REQUIRE") != "" {
			t.Fatalf("building the Go function: %v\n%s", err, out)
		}
		t.Skipf("building the Go function: %v\n%s", err, out)
	}
	return dir
}

func TestGoFunctionProvided(t *testing.T) {
	sink := &fakeSink{}
	eng := newTestEngine(t, sink, nil)
	fn := testFunction("gofn", "provided.al2023", "", buildGoFunction(t))
	res := invoke(t, eng, fn, `{"name":"gopher"}`)
	var got map[string]string
	if res.FunctionError != "" || json.Unmarshal(res.Payload, &got) != nil {
		t.Fatalf("%q %s", res.FunctionError, res.Payload)
	}
	if got["greeting"] != "hello gopher" || got["function"] != "gofn" || got["endpoint"] != "http://127.0.0.1:4566" || len(got["requestId"]) != 36 {
		t.Errorf("result %v", got)
	}
	if !strings.Contains(sink.all(), "Version: $LATEST\nhello from go gopher\nEND RequestId") {
		t.Errorf("log:\n%s", sink.all())
	}
	e := errorOf(t, invoke(t, eng, fn, `{"fail":true}`))
	if e["errorMessage"] != "asked to fail" || e["errorType"] != "errorString" {
		t.Errorf("error %v", e)
	}
	// go1.x ran the handler binary itself; the same aws-lambda-go program
	// speaks the Runtime API there too.
	legacy := testFunction("gofn1x", "go1.x", "bootstrap", fn.CodeDir)
	if res := invoke(t, eng, legacy, `{"name":"legacy"}`); !strings.Contains(string(res.Payload), `"greeting":"hello legacy"`) {
		t.Errorf("go1.x: %q %s", res.FunctionError, res.Payload)
	}
	// A missing bootstrap is the function's fault, not the engine's.
	res = invoke(t, eng, testFunction("nobootstrap", "provided.al2", "", t.TempDir()), `{}`)
	if e := errorOf(t, res); e["errorType"] != "Runtime.InvalidEntrypoint" {
		t.Errorf("missing bootstrap: %s", res.Payload)
	}
}
