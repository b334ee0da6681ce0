package runtime

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSink records what the engine writes to CloudWatch Logs.
type fakeSink struct {
	mu      sync.Mutex
	streams map[string][]LogEvent // by group + " " + stream
}

func (s *fakeSink) PutLogs(_ context.Context, _, _, group, stream string, events []LogEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.streams == nil {
		s.streams = map[string][]LogEvent{}
	}
	k := group + " " + stream
	s.streams[k] = append(s.streams[k], events...)
	return nil
}

// messages returns every logged message, stream by stream.
func (s *fakeSink) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, evs := range s.streams {
		for _, e := range evs {
			out = append(out, e.Message)
		}
	}
	return out
}

func (s *fakeSink) all() string { return strings.Join(s.messages(), "\n") }

func needInterpreter(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("KIRI_E2E_REQUIRE") != "" {
			t.Fatalf("%s is required (KIRI_E2E_REQUIRE set): %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
}

func newTestEngine(t testing.TB, sink LogSink, mod func(*Config)) *Engine {
	t.Helper()
	cfg := Config{Endpoint: "http://127.0.0.1:4566", Logs: sink, TempRoot: t.TempDir()}
	if mod != nil {
		mod(&cfg)
	}
	eng := New(cfg)
	t.Cleanup(func() { _ = eng.Close() })
	return eng
}

// codeDir writes files into a new deployment-package directory.
func codeDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func testFunction(name, runtime, handler, dir string) *Function {
	return &Function{
		Key:      "arn:aws:lambda:ap-northeast-1:123456789012:function:" + name + ":$LATEST:1",
		Name:     name,
		Version:  "$LATEST",
		ARN:      "arn:aws:lambda:ap-northeast-1:123456789012:function:" + name,
		Account:  "123456789012",
		Region:   "ap-northeast-1",
		Runtime:  runtime,
		Handler:  handler,
		CodeDir:  dir,
		MemoryMB: 128,
		Timeout:  10 * time.Second,
		Credentials: func(context.Context) (Credentials, error) {
			return Credentials{AccessKeyID: "ASIAKIRITEST", SecretAccessKey: "secret", SessionToken: "token"}, nil
		},
	}
}

func invoke(t testing.TB, eng *Engine, fn *Function, payload string) Result {
	t.Helper()
	res, err := eng.Invoke(context.Background(), fn, Invocation{RequestID: newRequestID(), Payload: []byte(payload), TailLog: true})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	return res
}

// errorOf decodes an error payload.
func errorOf(t testing.TB, res Result) map[string]any {
	t.Helper()
	if res.FunctionError != "Unhandled" {
		t.Fatalf("FunctionError = %q, want Unhandled (payload %s)", res.FunctionError, res.Payload)
	}
	var m map[string]any
	if err := json.Unmarshal(res.Payload, &m); err != nil {
		t.Fatalf("error payload %s: %v", res.Payload, err)
	}
	return m
}

// eventually polls cond for up to 10 s (no timing is asserted, only that
// the state is reached).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
