package runtime

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const nodeHandlers = `let count = 0;
exports.asyncHandler = async (event, context) => {
  count++;
  console.log('async got', event.name);
  return { hello: event.name, count, fn: context.functionName, mem: context.memoryLimitInMB,
           id: context.awsRequestId, remaining: context.getRemainingTimeInMillis() > 0,
           waits: context.callbackWaitsForEmptyEventLoop, endpoint: process.env.AWS_ENDPOINT_URL };
};
exports.callbackHandler = (event, context, callback) => {
  callback(null, 'Hello');
};
// Calls back before a timer fires: the result waits for the empty loop.
exports.waitsHandler = (event, context, callback) => {
  setTimeout(() => console.log('timer fired'), 50);
  callback(null, 'after drain');
};
// Two arguments, no callback, no promise: null once the loop drains.
exports.noCallback = (event, context) => {
  setTimeout(() => console.log('done later'), 20);
};
// Does not wait for the pending timer (a pooled DB connection, say).
exports.noWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, 600000);
  callback(null, 'quick');
};
exports.throws = async () => { throw new TypeError('bad thing'); };
exports.callbackError = (event, context, callback) => callback(new Error('cb failed'));
exports.contextSucceed = (event, context) => context.succeed({ ok: true });
exports.nested = { fn: async () => 'nested' };
`

func TestNodeHandlers(t *testing.T) {
	needInterpreter(t, "node")
	sink := &fakeSink{}
	eng := newTestEngine(t, sink, nil)
	dir := codeDir(t, map[string]string{"index.js": nodeHandlers, "esm.mjs": "export const handler = async (event) => 'esm ' + event.n;\n"})
	fn := func(handler string) *Function {
		return testFunction("node-"+strings.ReplaceAll(handler, ".", "-"), "nodejs20.x", handler, dir)
	}

	async := fn("index.asyncHandler")
	res := invoke(t, eng, async, `{"name":"kiri"}`)
	if res.FunctionError != "" || !strings.Contains(string(res.Payload), `"hello":"kiri","count":1,"fn":"node-index-asyncHandler","mem":"128"`) ||
		!strings.Contains(string(res.Payload), `"remaining":true,"waits":true,"endpoint":"http://127.0.0.1:4566"`) {
		t.Errorf("async: %q %s", res.FunctionError, res.Payload)
	}
	if res = invoke(t, eng, async, `{"name":"again"}`); !strings.Contains(string(res.Payload), `"count":2`) {
		t.Errorf("no warm reuse: %s", res.Payload)
	}
	if !regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tINFO\tasync got kiri$`).MatchString(sink.all()) {
		t.Errorf("console.log line:\n%s", sink.all())
	}

	for handler, want := range map[string]string{
		"index.callbackHandler": `"Hello"`,
		"index.waitsHandler":    `"after drain"`,
		"index.noCallback":      `null`,
		"index.contextSucceed":  `{"ok":true}`,
		"index.nested.fn":       `"nested"`,
		"index.noWait":          `"quick"`,
	} {
		if res := invoke(t, eng, fn(handler), `{}`); res.FunctionError != "" || string(res.Payload) != want {
			t.Errorf("%s: %q %s, want %s", handler, res.FunctionError, res.Payload, want)
		}
	}
	if res := invoke(t, eng, fn("esm.handler"), `{"n":1}`); string(res.Payload) != `"esm 1"` {
		t.Errorf("ES module handler: %q %s", res.FunctionError, res.Payload)
	}
	logs := sink.all()
	if !strings.Contains(logs, "\tINFO\ttimer fired\nEND RequestId") || !strings.Contains(logs, "\tINFO\tdone later\nEND RequestId") {
		t.Errorf("event loop not drained before END:\n%s", logs)
	}

	for handler, want := range map[string][2]string{
		"index.throws":        {"TypeError", "bad thing"},
		"index.callbackError": {"Error", "cb failed"},
		"index.missing":       {"Runtime.HandlerNotFound", "index.missing is undefined or not exported"},
		"nofile.handler":      {"Runtime.ImportModuleError", "Error: Cannot find module 'nofile'"},
		"nodots":              {"Runtime.MalformedHandlerName", "Bad handler"},
	} {
		e := errorOf(t, invoke(t, eng, fn(handler), `{}`))
		if e["errorType"] != want[0] || !strings.HasPrefix(e["errorMessage"].(string), want[1]) {
			t.Errorf("%s: %v", handler, e)
		}
	}
}

// The 001-iot-chat-lambda pattern: a two-argument handler that starts an
// HTTP request and returns nothing; the invocation ends once the request
// (and its logging) finished, with a null result.
func TestNodeEventLoopDrainsHTTP(t *testing.T) {
	needInterpreter(t, "node")
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
		_, _ = io.WriteString(w, `{"name":"spaces/x/messages/y"}`)
	}))
	defer srv.Close()
	sink := &fakeSink{}
	eng := newTestEngine(t, sink, nil)
	fn := testFunction("chat", "nodejs20.x", "index.handler", codeDir(t, map[string]string{"index.js": `const http = require('http');
exports.handler = function(event, context) {
    console.log(event.message);
    const req = http.request(process.env['hungoutChat'], {method: 'POST', headers: {'Content-Type': 'application/json'}}, (res) => {
        let body = '';
        res.on('data', (c) => body += c);
        res.on('end', () => console.log(body));
    });
    req.end(JSON.stringify({text: event.message}));
};
`}))
	fn.Environment = map[string]string{"hungoutChat": srv.URL}
	for i := 0; i < 2; i++ { // the second run reuses the environment (and a keep-alive socket)
		res := invoke(t, eng, fn, `{"message":"hello"}`)
		if res.FunctionError != "" || string(res.Payload) != "null" {
			t.Fatalf("result %q %s", res.FunctionError, res.Payload)
		}
		if body := <-got; body != `{"text":"hello"}` {
			t.Errorf("webhook got %s", body)
		}
	}
	if !strings.Contains(sink.all(), "\tINFO\t{\"name\":\"spaces/x/messages/y\"}\nEND RequestId: ") {
		t.Errorf("log:\n%s", sink.all())
	}
}

// The seed 002-ch2-nodejs-skeleton, verbatim: callback(null, 'Hello').
func TestNodeSeedSkeleton(t *testing.T) {
	needInterpreter(t, "node")
	eng := newTestEngine(t, nil, nil)
	dir, err := filepath.Abs(filepath.Join("testdata", "nodejs-skeleton"))
	if err != nil {
		t.Fatal(err)
	}
	res := invoke(t, eng, testFunction("skeleton", "nodejs", "index.handler", dir), `{"key1":"value1"}`)
	if res.FunctionError != "" || string(res.Payload) != `"Hello"` {
		t.Errorf("%q %s", res.FunctionError, res.Payload)
	}
}

// An unhandled rejection or an exception thrown outside the handler's
// promise chain fails the invocation with that error, logged as AWS's
// runtime logs it, and ends the environment: the next invocation is cold.
func TestNodeFatalErrorsEndTheEnvironment(t *testing.T) {
	needInterpreter(t, "node")
	sink := &fakeSink{}
	eng := newTestEngine(t, sink, nil)
	dir := codeDir(t, map[string]string{"index.js": `let count = 0;
exports.rejects = async () => {
  count++;
  Promise.reject(new Error('yikes'));
  await new Promise((r) => setTimeout(r, 2000));
  return 'too late';
};
exports.throwsLater = (event, context, callback) => {
  count++;
  setTimeout(() => { throw new RangeError('boom later'); }, 10);
};
exports.count = async () => ++count;
`})
	for handler, want := range map[string][3]string{
		"rejects":     {"Runtime.UnhandledPromiseRejection", "Error: yikes", "Unhandled Promise Rejection \t{\"errorType\":\"Runtime.UnhandledPromiseRejection\",\"errorMessage\":\"Error: yikes\""},
		"throwsLater": {"RangeError", "boom later", "Uncaught Exception \t{\"errorType\":\"RangeError\",\"errorMessage\":\"boom later\""},
	} {
		fn := testFunction("node-fatal-"+handler, "nodejs20.x", "index."+handler, dir)
		fn.Timeout = 10 * time.Second
		e := errorOf(t, invoke(t, eng, fn, `{}`))
		if e["errorType"] != want[0] || e["errorMessage"] != want[1] {
			t.Errorf("%s: %v", handler, e)
		}
		if trace, _ := e["trace"].([]any); len(trace) == 0 || trace[0] != want[0]+": "+want[1] {
			t.Errorf("%s: trace %v", handler, e["trace"])
		}
		if !strings.Contains(sink.all(), "\tERROR\t"+want[2]) {
			t.Errorf("%s: log lacks %q:\n%s", handler, want[2], sink.all())
		}
		fn.Handler = "index.count"
		if res := invoke(t, eng, fn, `{}`); string(res.Payload) != "1" {
			t.Errorf("%s: the next invocation ran in the old environment: %q %s", handler, res.FunctionError, res.Payload)
		}
	}
}
