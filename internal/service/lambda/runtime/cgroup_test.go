package runtime

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// needMemoryLimits skips where the host cannot enforce MemorySize, using
// the same probe the engine uses.
func needMemoryLimits(t *testing.T) {
	t.Helper()
	if err := memoryLimitsUsable(); err != nil {
		t.Skipf("memory limits not usable on this host: %v", err)
	}
}

const pyMemory = `import os
kept = []

def handler(event, context):
    mb = event.get("allocate_mb", 0)
    # Bytes filled in, not a lazily mapped zero buffer: the pages are used.
    kept.append(b"x" * (mb << 20))
    return {"cgroup": open("/proc/self/cgroup").read()}
`

// envGroups lists the environments' groups under the engine's parent group.
func envGroups(t *testing.T, eng *Engine) []string {
	t.Helper()
	entries, err := os.ReadDir(eng.lim.path())
	if err != nil {
		t.Fatalf("reading the parent group: %v", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "env-") {
			out = append(out, filepath.Join(eng.lim.path(), e.Name()))
		}
	}
	return out
}

func TestMemoryLimitOutOfMemory(t *testing.T) {
	needInterpreter(t, "python3")
	needMemoryLimits(t)
	sink := &fakeSink{}
	eng := newTestEngine(t, sink, nil)
	fn := testFunction("hog", "python3.12", "app.handler", codeDir(t, map[string]string{"app.py": pyMemory}))
	fn.MemoryMB = 128

	id := newRequestID()
	res, err := eng.Invoke(t.Context(), fn, Invocation{RequestID: id, Payload: []byte(`{"allocate_mb": 300}`)})
	if err != nil {
		t.Fatal(err)
	}
	msg := "RequestId: " + id + " Error: Runtime exited with error: signal: killed"
	if e := errorOf(t, res); e["errorType"] != "Runtime.OutOfMemory" || e["errorMessage"] != msg {
		t.Errorf("payload %s", res.Payload)
	}
	if res.MaxMemoryUsed != 128 {
		t.Errorf("MaxMemoryUsed = %d, want 128", res.MaxMemoryUsed)
	}
	logs := sink.all()
	if !strings.Contains(logs, msg+"\nRuntime.OutOfMemory\nEND RequestId: "+id+"\nREPORT RequestId: "+id) ||
		!strings.Contains(logs, "\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t") ||
		!strings.Contains(logs, "\tStatus: error\tError Type: Runtime.OutOfMemory") {
		t.Errorf("log:\n%s", logs)
	}
	eventually(t, "the killed environment's cgroup is removed", func() bool { return len(envGroups(t, eng)) == 0 })

	// The environment is not reused: the next invocation starts afresh.
	res = invoke(t, eng, fn, `{}`)
	if res.FunctionError != "" || res.InitDuration <= 0 {
		t.Errorf("after an OOM: %q %s, init %v", res.FunctionError, res.Payload, res.InitDuration)
	}
}

func TestMemoryLimitUnderLimit(t *testing.T) {
	needInterpreter(t, "python3")
	needMemoryLimits(t)
	eng := newTestEngine(t, &fakeSink{}, nil)
	fn := testFunction("frugal", "python3.12", "app.handler", codeDir(t, map[string]string{"app.py": pyMemory}))
	fn.MemoryMB = 128

	res := invoke(t, eng, fn, `{"allocate_mb": 32}`)
	var out struct{ Cgroup string }
	if res.FunctionError != "" || json.Unmarshal(res.Payload, &out) != nil {
		t.Fatalf("result %q %s", res.FunctionError, res.Payload)
	}
	if res.MaxMemoryUsed < 32 || res.MaxMemoryUsed > 128 {
		t.Errorf("MaxMemoryUsed = %d MB after allocating 32 MB under 128 MB", res.MaxMemoryUsed)
	}
	groups := envGroups(t, eng)
	if len(groups) != 1 {
		t.Fatalf("environment groups %v, want one", groups)
	}
	if !strings.Contains(out.Cgroup, filepath.Base(eng.lim.path())+"/"+filepath.Base(groups[0])+"\n") {
		t.Errorf("the function runs outside its group %s:\n%s", groups[0], out.Cgroup)
	}

	parent := eng.lim.path()
	_ = eng.Close()
	if _, err := os.Stat(parent); !os.IsNotExist(err) {
		t.Errorf("after Close, %s: %v", parent, err)
	}
}

func TestMemoryLimitsOff(t *testing.T) {
	needInterpreter(t, "python3")
	eng := newTestEngine(t, &fakeSink{}, func(c *Config) { c.NoMemoryLimits = true })
	fn := testFunction("unlimited", "python3.12", "app.handler", codeDir(t, map[string]string{"app.py": pyMemory}))
	res := invoke(t, eng, fn, `{"allocate_mb": 32}`)
	if res.FunctionError != "" || res.MaxMemoryUsed <= 0 {
		t.Errorf("result %q %s, MaxMemoryUsed %d", res.FunctionError, res.Payload, res.MaxMemoryUsed)
	}
	if eng.lim != nil || strings.Contains(string(res.Payload), "kiri-") {
		t.Errorf("limits turned off, yet the function runs in a group: %s", res.Payload)
	}
}
