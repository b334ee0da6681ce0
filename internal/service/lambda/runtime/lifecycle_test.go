package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const pyState = `import os, time, subprocess, tempfile, shutil
print('Loading function')
count = 0

def handler(event, context):
    global count
    count += 1
    if event.get("crash"):
        os._exit(1)
    if event.get("spawn"):
        child = subprocess.Popen(["sleep", "300"])
        with open(os.path.join(event["spawn"], "child.pid"), "w") as f:
            f.write(str(child.pid))
    if event.get("chdir"):
        # Listing 4-4: work in a temp dir, then delete it while inside.
        d = tempfile.mkdtemp()
        os.chdir(d)
        shutil.rmtree(d)
    if event.get("marker"):
        open(event["marker"], "w").close()
    time.sleep(event.get("sleep", 0))
    return {"count": count, "pid": os.getpid(), "tmp": os.environ["TMPDIR"]}
`

type stateOut struct {
	Count int
	Pid   int
	Tmp   string
}

func stateOf(t *testing.T, res Result) stateOut {
	t.Helper()
	var s stateOut
	if res.FunctionError != "" || json.Unmarshal(res.Payload, &s) != nil {
		t.Fatalf("result %q %s", res.FunctionError, res.Payload)
	}
	return s
}

type asyncResult struct {
	res Result
	err error
}

func (a asyncResult) get(t *testing.T) Result {
	t.Helper()
	if a.err != nil {
		t.Fatalf("Invoke: %v", a.err)
	}
	return a.res
}

// background invokes on another goroutine (which must not call t.Fatal).
func background(eng *Engine, fn *Function, payload string) <-chan asyncResult {
	done := make(chan asyncResult, 1)
	go func() {
		res, err := eng.Invoke(context.Background(), fn, Invocation{Payload: []byte(payload)})
		done <- asyncResult{res, err}
	}()
	return done
}

// alive reports whether pid exists and is not a zombie (a container's
// init may never reap orphans).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

func TestWarmReuseAndConcurrency(t *testing.T) {
	needInterpreter(t, "python3")
	sink := &fakeSink{}
	eng := newTestEngine(t, sink, nil)
	fn := testFunction("state", "python3.11", "app.handler", codeDir(t, map[string]string{"app.py": pyState}))

	first := stateOf(t, invoke(t, eng, fn, `{"chdir": true}`))
	second := stateOf(t, invoke(t, eng, fn, `{}`))
	if first.Count != 1 || second.Count != 2 || first.Pid != second.Pid {
		t.Fatalf("no warm reuse: %+v then %+v", first, second)
	}
	// Module init ran once, before the first START.
	if logs := sink.all(); !strings.HasPrefix(logs, "Loading function\nSTART RequestId: ") || strings.Count(logs, "Loading function") != 1 {
		t.Errorf("init output:\n%s", logs)
	}

	// Two invocations in flight at once need two environments. The first
	// holds its environment until the second has been answered.
	marker := filepath.Join(t.TempDir(), "busy")
	done := background(eng, fn, `{"sleep": 1, "marker": "`+marker+`"}`)
	eventually(t, "first invocation running", func() bool { _, err := os.Stat(marker); return err == nil })
	fast := stateOf(t, invoke(t, eng, fn, `{}`))
	slow := stateOf(t, (<-done).get(t))
	if slow.Pid == fast.Pid || slow.Tmp == fast.Tmp {
		t.Fatalf("concurrent invocations shared an environment: %+v %+v", slow, fast)
	}
	if fast.Count != 1 {
		t.Errorf("new environment did not start fresh: %+v", fast)
	}
}

func TestReservedConcurrencyThrottles(t *testing.T) {
	needInterpreter(t, "python3")
	eng := newTestEngine(t, &fakeSink{}, nil)
	fn := testFunction("throttled", "python3.11", "app.handler", codeDir(t, map[string]string{"app.py": pyState}))
	one := 1
	fn.ReservedConcurrency = &one
	marker := filepath.Join(t.TempDir(), "busy")
	done := background(eng, fn, `{"sleep": 1, "marker": "`+marker+`"}`)
	eventually(t, "first invocation running", func() bool { _, err := os.Stat(marker); return err == nil })
	if _, err := eng.Invoke(t.Context(), fn, Invocation{Payload: []byte(`{}`)}); !errors.Is(err, ErrThrottled) {
		t.Fatalf("second concurrent invocation: err = %v, want ErrThrottled", err)
	}
	stateOf(t, (<-done).get(t))
	stateOf(t, invoke(t, eng, fn, `{}`)) // the slot is free again

	zero := 0
	fn.ReservedConcurrency = &zero
	if _, err := eng.Invoke(t.Context(), fn, Invocation{Payload: []byte(`{}`)}); !errors.Is(err, ErrThrottled) {
		t.Fatalf("reserved concurrency 0: err = %v", err)
	}
}

func TestAccountConcurrencyThrottles(t *testing.T) {
	needInterpreter(t, "python3")
	eng := newTestEngine(t, &fakeSink{}, func(c *Config) { c.AccountConcurrency = 1 })
	fn := testFunction("acct", "python3.11", "app.handler", codeDir(t, map[string]string{"app.py": pyState}))
	other := testFunction("acct2", "python3.11", "app.handler", fn.CodeDir)
	marker := filepath.Join(t.TempDir(), "busy")
	done := background(eng, fn, `{"sleep": 1, "marker": "`+marker+`"}`)
	eventually(t, "first invocation running", func() bool { _, err := os.Stat(marker); return err == nil })
	if _, err := eng.Invoke(t.Context(), other, Invocation{Payload: []byte(`{}`)}); !errors.Is(err, ErrThrottled) {
		t.Fatalf("err = %v, want ErrThrottled", err)
	}
	stateOf(t, (<-done).get(t))
}

func TestTimeoutKillsProcessTree(t *testing.T) {
	needInterpreter(t, "python3")
	sink := &fakeSink{}
	eng := newTestEngine(t, sink, nil)
	fn := testFunction("slow", "python3.11", "app.handler", codeDir(t, map[string]string{"app.py": pyState}))
	fn.Timeout = time.Second
	pidDir := t.TempDir()
	res := invoke(t, eng, fn, `{"sleep": 60, "spawn": "`+pidDir+`"}`)
	e := errorOf(t, res)
	if e["errorType"] != "Sandbox.Timedout" || !strings.HasSuffix(e["errorMessage"].(string), " Error: Task timed out after 1.00 seconds") {
		t.Errorf("timeout error %s", res.Payload)
	}
	b, err := os.ReadFile(filepath.Join(pidDir, "child.pid"))
	if err != nil {
		t.Fatalf("child pid: %v", err)
	}
	child, _ := strconv.Atoi(string(b))
	eventually(t, "the function's child process is killed", func() bool { return !alive(child) })
	logs := sink.all()
	if !strings.Contains(logs, " Task timed out after 1.00 seconds\nEND RequestId: ") || !strings.Contains(logs, "\tStatus: timeout") {
		t.Errorf("log:\n%s", logs)
	}
	// The environment was discarded: the next invocation starts afresh.
	if s := stateOf(t, invoke(t, eng, fn, `{}`)); s.Count != 1 {
		t.Errorf("after a timeout: %+v", s)
	}
}

func TestCrashDiscardsEnvironment(t *testing.T) {
	needInterpreter(t, "python3")
	eng := newTestEngine(t, &fakeSink{}, nil)
	fn := testFunction("crash", "python3.11", "app.handler", codeDir(t, map[string]string{"app.py": pyState}))
	res := invoke(t, eng, fn, `{"crash": true}`)
	e := errorOf(t, res)
	if e["errorType"] != "Runtime.ExitError" || !strings.HasSuffix(e["errorMessage"].(string), "Error: Runtime exited with error: exit status 1") {
		t.Errorf("crash error %s", res.Payload)
	}
	if s := stateOf(t, invoke(t, eng, fn, `{}`)); s.Count != 1 {
		t.Errorf("after a crash: %+v", s)
	}
}

func TestRetireAndIdleReap(t *testing.T) {
	needInterpreter(t, "python3")
	eng := newTestEngine(t, &fakeSink{}, nil)
	fn := testFunction("retire", "python3.11", "app.handler", codeDir(t, map[string]string{"app.py": pyState}))
	pid := stateOf(t, invoke(t, eng, fn, `{}`)).Pid
	eng.Retire("arn:aws:lambda:ap-northeast-1:123456789012:function:other")
	if !alive(pid) {
		t.Fatal("Retire of another prefix killed the environment")
	}
	eng.Retire("arn:aws:lambda:ap-northeast-1:123456789012:function:retire")
	eventually(t, "retired environment stops", func() bool { return !alive(pid) })
	if s := stateOf(t, invoke(t, eng, fn, `{}`)); s.Count != 1 || s.Pid == pid {
		t.Errorf("after Retire: %+v", s)
	}

	reaping := newTestEngine(t, &fakeSink{}, func(c *Config) { c.IdleTimeout = 50 * time.Millisecond })
	pid = stateOf(t, invoke(t, reaping, fn, `{}`)).Pid
	eventually(t, "idle environment reaped", func() bool { return !alive(pid) })

	// Close kills busy environments too.
	closing := newTestEngine(t, &fakeSink{}, nil)
	pid = stateOf(t, invoke(t, closing, fn, `{}`)).Pid
	_ = closing.Close()
	eventually(t, "Close stops environments", func() bool { return !alive(pid) })
	if _, err := closing.Invoke(t.Context(), fn, Invocation{}); err == nil {
		t.Error("Invoke after Close succeeded")
	}
}

func TestCancelledInvocationKillsEnvironment(t *testing.T) {
	needInterpreter(t, "python3")
	eng := newTestEngine(t, &fakeSink{}, nil)
	fn := testFunction("cancel", "python3.11", "app.handler", codeDir(t, map[string]string{"app.py": pyState}))
	pid := stateOf(t, invoke(t, eng, fn, `{}`)).Pid
	marker := filepath.Join(t.TempDir(), "busy")
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for {
			if _, err := os.Stat(marker); err == nil {
				cancel()
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	if _, err := eng.Invoke(ctx, fn, Invocation{Payload: []byte(`{"sleep": 60, "marker": "` + marker + `"}`)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	eventually(t, "cancelled environment stops", func() bool { return !alive(pid) })
	if s := stateOf(t, invoke(t, eng, fn, `{}`)); s.Count != 1 {
		t.Errorf("after cancel: %+v", s)
	}
}

// An environment whose role credentials would expire during an invocation
// is not reused: the next invocation gets a new process, with new ones.
func TestEnvironmentRecycledBeforeCredentialsExpire(t *testing.T) {
	needInterpreter(t, "python3")
	eng := newTestEngine(t, nil, nil)
	fn := testFunction("creds", "python3.12", "app.handler", codeDir(t, map[string]string{"app.py": pyState}))
	issued := 0
	fn.Credentials = func(context.Context) (Credentials, error) {
		issued++
		// The first set lasts less than a timeout and a minute; the second a day.
		life := 30 * time.Second
		if issued > 1 {
			life = 24 * time.Hour
		}
		return Credentials{AccessKeyID: "ASIAKIRITEST", SecretAccessKey: "secret", SessionToken: "token", Expiration: time.Now().Add(life)}, nil
	}
	first := stateOf(t, invoke(t, eng, fn, `{}`))
	second := stateOf(t, invoke(t, eng, fn, `{}`))
	third := stateOf(t, invoke(t, eng, fn, `{}`))
	if first.Pid == second.Pid || second.Count != 1 {
		t.Errorf("environment with expiring credentials reused: %+v then %+v", first, second)
	}
	if third.Pid != second.Pid || third.Count != 2 {
		t.Errorf("environment with fresh credentials not reused: %+v then %+v", second, third)
	}
}
