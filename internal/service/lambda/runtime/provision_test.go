package runtime

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const provisionedPy = `import os
INIT = os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']

def handler(event, context):
    if event.get('crash'):
        os._exit(3)
    return {'init': INIT, 'pid': os.getpid()}
`

type provAnswer struct {
	Init string `json:"init"`
	Pid  int    `json:"pid"`
}

func provInvoke(t *testing.T, eng *Engine, fn *Function, payload string) (provAnswer, Result) {
	t.Helper()
	res := invoke(t, eng, fn, payload)
	var a provAnswer
	if res.FunctionError == "" {
		if err := json.Unmarshal(res.Payload, &a); err != nil {
			t.Fatalf("%s: %v", res.Payload, err)
		}
	}
	return a, res
}

func waitAllocated(t *testing.T, eng *Engine, id string, n int) {
	t.Helper()
	eventually(t, "allocated", func() bool {
		st, ok := eng.Provisioned(id)
		if st.Failed != "" {
			t.Fatalf("provisioning failed: %s", st.Failed)
		}
		return ok && st.Allocated == n
	})
}

// Provisioned environments outlive the idle timeout, serve invocations
// without Init Duration, are replaced after a crash, move with the Key and
// stop when unprovisioned.
func TestProvisionedEnvironments(t *testing.T) {
	needInterpreter(t, "python3")
	eng := newTestEngine(t, nil, func(c *Config) { c.IdleTimeout = 20 * time.Millisecond })
	fn := testFunction("prov", "python3.12", "app.handler", codeDir(t, map[string]string{"app.py": provisionedPy}))
	eng.Provision("id", fn, 1)
	waitAllocated(t, eng, "id", 1)
	time.Sleep(100 * time.Millisecond) // several idle timeouts: the reaper must leave it

	a, res := provInvoke(t, eng, fn, `{}`)
	if a.Init != initProvisioned || res.InitDuration != 0 {
		t.Fatalf("init %q, InitDuration %v", a.Init, res.InitDuration)
	}
	first := a.Pid

	// A crash: the invocation fails and the pool starts a replacement.
	if _, res := provInvoke(t, eng, fn, `{"crash": true}`); res.FunctionError == "" {
		t.Fatalf("crash answered %s", res.Payload)
	}
	eventually(t, "replacement", func() bool {
		st, _ := eng.Provisioned("id")
		if st.Allocated != 1 {
			return false
		}
		eng.mu.Lock()
		defer eng.mu.Unlock()
		return len(eng.provIdle[fn.Key]) == 1
	})
	a, _ = provInvoke(t, eng, fn, `{}`)
	if a.Init != initProvisioned || a.Pid == first {
		t.Fatalf("after crash: %+v (first pid %d)", a, first)
	}

	// A new Key (an alias moved to another version) replaces the pool.
	moved := *fn
	moved.Key = strings.Replace(fn.Key, ":$LATEST:1", ":2:1", 1)
	moved.Version = "2"
	eng.Provision("id", &moved, 1)
	waitAllocated(t, eng, "id", 1)
	eventually(t, "old environment stopped", func() bool {
		eng.mu.Lock()
		defer eng.mu.Unlock()
		return len(eng.provIdle[fn.Key]) == 0
	})
	a, res = provInvoke(t, eng, &moved, `{}`)
	if a.Init != initProvisioned || res.InitDuration != 0 {
		t.Fatalf("moved: init %q, InitDuration %v", a.Init, res.InitDuration)
	}

	eng.Unprovision("id")
	if _, ok := eng.Provisioned("id"); ok {
		t.Fatal("pool still there")
	}
	eng.mu.Lock()
	for e := range eng.all {
		if e.pid == a.Pid {
			t.Error("the provisioned environment was not stopped")
		}
	}
	eng.mu.Unlock()
	a, res = provInvoke(t, eng, &moved, `{}`)
	if a.Init != initOnDemand || res.InitDuration == 0 {
		t.Fatalf("after unprovision: init %q, InitDuration %v", a.Init, res.InitDuration)
	}
}

// A failing init marks the pool FAILED and is not retried.
func TestProvisionInitFailure(t *testing.T) {
	needInterpreter(t, "python3")
	eng := newTestEngine(t, nil, nil)
	fn := testFunction("bad", "python3.12", "app.handler", codeDir(t, map[string]string{"app.py": "raise RuntimeError('no')\n"}))
	eng.Provision("bad", fn, 2)
	eventually(t, "failure", func() bool {
		st, _ := eng.Provisioned("bad")
		return st.Failed == InitFailure
	})
}
