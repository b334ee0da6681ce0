package runtime

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// dirOutsideTmp is a temporary directory that is not under /tmp, where
// environments' own files must be for them to get a private /tmp.
func dirOutsideTmp(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "kiri-test-")
	if err != nil {
		t.Skipf("no temporary directory outside /tmp: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func needPrivateTmp(t *testing.T) {
	t.Helper()
	started, err := startWithPrivateTmp(exec.Command("true"), t.TempDir())
	if !started {
		t.Skipf("private /tmp not possible here: %v", err)
	}
}

// Each environment has its own /tmp: a file written to /tmp/x stays for the
// environment's next invocation, is not seen by a concurrent environment,
// and never reaches the host's /tmp.
func TestPrivateTmpPerEnvironment(t *testing.T) {
	needInterpreter(t, "python3")
	needPrivateTmp(t)
	root := dirOutsideTmp(t)
	eng := newTestEngine(t, nil, func(c *Config) { c.TempRoot = filepath.Join(root, "envs") })
	if err := os.Mkdir(filepath.Join(root, "envs"), 0o700); err != nil {
		t.Fatal(err)
	}
	code := filepath.Join(root, "code")
	if err := os.MkdirAll(code, 0o755); err != nil {
		t.Fatal(err)
	}
	handler := `import os, time
def handler(event, context):
    path = '/tmp/kiri-private-tmp-test'
    seen = open(path).read() if os.path.exists(path) else None
    if seen is None:
        with open(path, 'w') as f:
            f.write(context.aws_request_id)
    time.sleep(event.get('hold', 0))
    import tempfile
    return {'seen': seen, 'pid': os.getpid(), 'tempdir': tempfile.gettempdir()}
`
	if err := os.WriteFile(filepath.Join(code, "app.py"), []byte(handler), 0o644); err != nil {
		t.Fatal(err)
	}
	fn := testFunction("private-tmp", "python3.11", "app.handler", code)
	type answer struct {
		Seen    *string
		Pid     int
		Tempdir string
	}
	call := func(payload string) answer {
		var a answer
		res := invoke(t, eng, fn, payload)
		if err := json.Unmarshal(res.Payload, &a); err != nil || res.FunctionError != "" {
			t.Fatalf("%q %s %v", res.FunctionError, res.Payload, err)
		}
		return a
	}
	// Two at once need two environments; each finds its /tmp empty.
	var wg sync.WaitGroup
	both := make([]answer, 2)
	for i := range both {
		wg.Go(func() { both[i] = call(`{"hold": 0.5}`) })
	}
	wg.Wait()
	if both[0].Pid == both[1].Pid || both[0].Seen != nil || both[1].Seen != nil || both[0].Tempdir != "/tmp" {
		t.Fatalf("concurrent environments: %+v %+v", both[0], both[1])
	}
	// A warm environment keeps its /tmp between invocations.
	if again := call(`{}`); again.Seen == nil {
		t.Errorf("warm environment lost its /tmp file: %+v", again)
	}
	if _, err := os.Stat("/tmp/kiri-private-tmp-test"); err == nil {
		_ = os.Remove("/tmp/kiri-private-tmp-test")
		t.Error("the function's /tmp file reached the host's /tmp")
	}
}
