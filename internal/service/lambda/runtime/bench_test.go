package runtime

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Warm invoke overhead: b.N invocations of a no-op handler on one warm
// environment (the first, cold invocation happens before the timer).
func benchmarkWarm(b *testing.B, fn *Function) {
	eng := newTestEngine(b, nil, nil)
	ctx := context.Background()
	if res, err := eng.Invoke(ctx, fn, Invocation{Payload: []byte(`{}`)}); err != nil || res.FunctionError != "" {
		b.Fatalf("warm-up: %v %s", err, res.Payload)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res, err := eng.Invoke(ctx, fn, Invocation{Payload: []byte(`{}`)}); err != nil || res.FunctionError != "" {
			b.Fatalf("invoke: %v %s", err, res.Payload)
		}
	}
}

func BenchmarkWarmInvokePython(b *testing.B) {
	needInterpreter(b, "python3")
	benchmarkWarm(b, testFunction("noop", "python3.12", "app.handler",
		codeDir(b, map[string]string{"app.py": "def handler(event, context):\n    return None\n"})))
}

func BenchmarkWarmInvokeNode(b *testing.B) {
	needInterpreter(b, "node")
	benchmarkWarm(b, testFunction("noop", "nodejs20.x", "index.handler",
		codeDir(b, map[string]string{"index.js": "exports.handler = async () => null;\n"})))
}

func BenchmarkWarmInvokeGo(b *testing.B) {
	benchmarkWarm(b, testFunction("noop", "provided.al2023", "", buildGoFunction(b)))
}

// Cold start: every invocation starts a new environment (the previous one
// is retired first), so each iteration pays process start and init. It runs
// with the isolation kiri applies where the host allows (a memory cgroup
// and a private /tmp, which needs the environment's files outside /tmp)
// and without, to show what isolation costs.
func benchmarkCold(b *testing.B, fn *Function) {
	b.Run("isolated", func(b *testing.B) {
		root := benchDirOutsideTmp(b)
		fn := *fn
		fn.CodeDir = copyDir(b, fn.CodeDir, filepath.Join(root, "code"))
		coldStarts(b, &fn, func(c *Config) { c.TempRoot = root })
	})
	b.Run("plain", func(b *testing.B) {
		coldStarts(b, fn, func(c *Config) { c.NoMemoryLimits, c.NoPrivateTmp = true, true })
	})
}

func coldStarts(b *testing.B, fn *Function, mod func(*Config)) {
	eng := newTestEngine(b, nil, mod)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		eng.Retire(fn.Key)
		if res, err := eng.Invoke(ctx, fn, Invocation{Payload: []byte(`{}`)}); err != nil || res.FunctionError != "" {
			b.Fatalf("invoke: %v %s", err, res.Payload)
		}
	}
}

func benchDirOutsideTmp(b *testing.B) string {
	dir, err := os.MkdirTemp("/var/tmp", "kiri-bench-")
	if err != nil {
		b.Skipf("no temporary directory outside /tmp: %v", err)
	}
	b.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// copyDir copies the regular files of src (one level) into dst.
func copyDir(b *testing.B, src, dst string) string {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		b.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	return dst
}

func BenchmarkColdStartPython(b *testing.B) {
	needInterpreter(b, "python3")
	benchmarkCold(b, testFunction("cold", "python3.12", "app.handler",
		codeDir(b, map[string]string{"app.py": "def handler(event, context):\n    return None\n"})))
}

func BenchmarkColdStartNode(b *testing.B) {
	needInterpreter(b, "node")
	benchmarkCold(b, testFunction("cold", "nodejs20.x", "index.handler",
		codeDir(b, map[string]string{"index.js": "exports.handler = async () => null;\n"})))
}

func BenchmarkColdStartGo(b *testing.B) {
	benchmarkCold(b, testFunction("cold", "provided.al2023", "", buildGoFunction(b)))
}

// Concurrent throughput: 8 callers per CPU invoke one function at once;
// the engine starts environments as needed and reuses them while warm.
func BenchmarkConcurrentInvokePython(b *testing.B) {
	needInterpreter(b, "python3")
	fn := testFunction("busy", "python3.12", "app.handler",
		codeDir(b, map[string]string{"app.py": "def handler(event, context):\n    return None\n"}))
	eng := newTestEngine(b, nil, nil)
	ctx := context.Background()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res, err := eng.Invoke(ctx, fn, Invocation{Payload: []byte(`{}`)}); err != nil || res.FunctionError != "" {
				b.Errorf("invoke: %v %s", err, res.Payload)
				return
			}
		}
	})
}
