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
