package runtime

import (
	"context"
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
// is retired first), so each iteration pays process start and init.
func benchmarkCold(b *testing.B, fn *Function) {
	eng := newTestEngine(b, nil, nil)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		eng.Retire(fn.Key)
		if res, err := eng.Invoke(ctx, fn, Invocation{Payload: []byte(`{}`)}); err != nil || res.FunctionError != "" {
			b.Fatalf("invoke: %v %s", err, res.Payload)
		}
	}
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
