package runtime

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func seedHello(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "hello", "lambda_function.py"))
	if err != nil {
		t.Fatal(err)
	}
	return codeDir(t, map[string]string{"lambda_function.py": string(src)})
}

func readEvent(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "hello", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPythonSeedHello(t *testing.T) {
	needInterpreter(t, "python3")
	sink := &fakeSink{}
	eng := newTestEngine(t, sink, nil)
	fn := testFunction("HelloLambda", "python3.6", "lambda_function.myfunc01_handler", seedHello(t))
	fn.Timeout = 3e9

	res := invoke(t, eng, fn, readEvent(t, "x10-y2.json"))
	if res.FunctionError != "" || string(res.Payload) != `"{\"result\": 5.0}"` {
		t.Fatalf("result %q %s", res.FunctionError, res.Payload)
	}
	if res.InitDuration <= 0 {
		t.Errorf("cold start without InitDuration")
	}
	tail, _ := base64.StdEncoding.DecodeString(res.LogTail)
	re := regexp.MustCompile(`(?s)START RequestId: [0-9a-f-]{36} Version: \$LATEST\nx = 10\ny = 2\nEND RequestId: [0-9a-f-]{36}\n` +
		`REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n$`)
	if !re.Match(tail) {
		t.Errorf("tail log:\n%s", tail)
	}

	res = invoke(t, eng, fn, readEvent(t, "x10-y0.json"))
	e := errorOf(t, res)
	if e["errorMessage"] != "division by zero" || e["errorType"] != "ZeroDivisionError" {
		t.Errorf("error %s", res.Payload)
	}
	trace, _ := e["stackTrace"].([]any)
	if len(trace) != 1 || !strings.Contains(trace[0].(string), `lambda_function.py", line 8, in myfunc01_handler`) {
		t.Errorf("stackTrace %v", e["stackTrace"])
	}
	if res.InitDuration != 0 {
		t.Errorf("warm invocation reported InitDuration")
	}
	if !strings.Contains(sink.all(), "x = 10\ny = 0\n[ERROR] ZeroDivisionError: division by zero\nTraceback (most recent call last):\n  File \"") {
		t.Errorf("log:\n%s", sink.all())
	}
	if !strings.Contains(sink.all(), "    retval = {'result': x / y}\n") {
		t.Errorf("traceback source line missing:\n%s", sink.all())
	}
}

func TestPythonHandlerErrors(t *testing.T) {
	needInterpreter(t, "python3")
	sink := &fakeSink{}
	eng := newTestEngine(t, sink, nil)
	dir := codeDir(t, map[string]string{
		"lambda_function.py": "def handler(event, context):\n    return 1\n",
		"pkg/sub/mod.py":     "def deep(event, context):\n    return 'deep'\n",
		"broken.py":          "import nonexistent_dependency_xyz\n",
		"raises.py":          "raise KeyError('SETTING')\n",
	})
	cases := []struct{ handler, typ, msg string }{
		{"nodots", "Runtime.MalformedHandlerName", "Bad handler 'nodots': not enough values to unpack (expected 2, got 1)"},
		{"missing.handler", "Runtime.ImportModuleError", "Unable to import module 'missing': No module named 'missing'"},
		{"broken.handler", "Runtime.ImportModuleError", "Unable to import module 'broken': No module named 'nonexistent_dependency_xyz'"},
		{"lambda_function.nothere", "Runtime.HandlerNotFound", "Handler 'nothere' missing on module 'lambda_function'"},
		{"raises.handler", "KeyError", "'SETTING'"},
	}
	for _, c := range cases {
		t.Run(c.handler, func(t *testing.T) {
			res := invoke(t, eng, testFunction("errs", "python3.12", c.handler, dir), `{}`)
			e := errorOf(t, res)
			if e["errorType"] != c.typ || e["errorMessage"] != c.msg {
				t.Errorf("got %s", res.Payload)
			}
		})
	}
	logs := sink.all()
	if !strings.Contains(logs, "[ERROR] Runtime.ImportModuleError: Unable to import module 'missing': No module named 'missing'\nTraceback (most recent call last):") ||
		!strings.Contains(logs, "\tStatus: error\tError Type: Runtime.ImportModuleError") {
		t.Errorf("init error log:\n%s", logs)
	}
	// Dotted paths into subfolders resolve.
	res := invoke(t, eng, testFunction("deep", "python3.12", "pkg/sub/mod.deep", dir), `{}`)
	if res.FunctionError != "" || string(res.Payload) != `"deep"` {
		t.Errorf("subfolder handler: %q %s", res.FunctionError, res.Payload)
	}
	res = invoke(t, eng, testFunction("deep2", "python2.7", "pkg.sub.mod.deep", dir), `{}`)
	if res.FunctionError != "" || string(res.Payload) != `"deep"` {
		t.Errorf("dotted handler: %q %s", res.FunctionError, res.Payload)
	}
}

const pyContext = `import os, logging, decimal
logger = logging.getLogger()

def handler(event, context):
    if event.get("decimal"):
        return decimal.Decimal("1.5")
    logger.error("boom %s", 1)
    logger.info("not shown at WARNING")
    keys = ["AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME", "TMPDIR", "HOME", "_HANDLER", "AWS_REGION",
            "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API",
            "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ", "LANG", "MY_VAR", "KIRI_HOST_LEAK", "AWS_PROFILE"]
    env = {k: os.environ.get(k) for k in keys}
    c = context
    return {"env": env, "cwd": os.getcwd(), "ctx": {
        "function_name": c.function_name, "function_version": c.function_version,
        "invoked_function_arn": c.invoked_function_arn, "memory_limit_in_mb": c.memory_limit_in_mb,
        "aws_request_id": c.aws_request_id, "log_group_name": c.log_group_name,
        "log_stream_name": c.log_stream_name, "identity": c.identity,
        "client_custom": c.client_context.custom if c.client_context else None,
        "remaining": c.get_remaining_time_in_millis()}}
`

func TestPythonContextEnvironmentLogging(t *testing.T) {
	needInterpreter(t, "python3")
	t.Setenv("KIRI_HOST_LEAK", "leaked")
	t.Setenv("AWS_PROFILE", "leaked")
	sink := &fakeSink{}
	eng := newTestEngine(t, sink, nil)
	dir := codeDir(t, map[string]string{"app.py": pyContext})
	fn := testFunction("ctxfn", "python3.9", "app.handler", dir)
	fn.Environment = map[string]string{"MY_VAR": "mine", "AWS_LAMBDA_FUNCTION_NAME": "overridden?"}
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))
	res, err := eng.Invoke(t.Context(), fn, Invocation{RequestID: "11111111-2222-4333-8444-555555555555", Payload: []byte(`{}`), ClientContext: cc})
	if err != nil || res.FunctionError != "" {
		t.Fatalf("%v %q %s", err, res.FunctionError, res.Payload)
	}
	var got struct {
		Env map[string]*string
		Cwd string
		Ctx map[string]any
	}
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatal(err)
	}
	str := func(k string) string {
		if v := got.Env[k]; v != nil {
			return *v
		}
		return "<unset>"
	}
	want := map[string]string{
		"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_LAMBDA_FUNCTION_NAME": "ctxfn", "_HANDLER": "app.handler",
		"AWS_REGION": "ap-northeast-1", "AWS_DEFAULT_REGION": "ap-northeast-1", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.9",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/ctxfn",
		"AWS_ACCESS_KEY_ID": "ASIAKIRITEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
		"LAMBDA_TASK_ROOT": dir, "TZ": ":UTC", "LANG": "en_US.UTF-8", "MY_VAR": "mine",
		"KIRI_HOST_LEAK": "<unset>", "AWS_PROFILE": "<unset>",
	}
	for k, v := range want {
		if str(k) != v {
			t.Errorf("%s = %q, want %q", k, str(k), v)
		}
	}
	if !strings.HasPrefix(str("AWS_LAMBDA_RUNTIME_API"), "127.0.0.1:") || str("LAMBDA_RUNTIME_DIR") == "<unset>" {
		t.Errorf("runtime API / dir: %q %q", str("AWS_LAMBDA_RUNTIME_API"), str("LAMBDA_RUNTIME_DIR"))
	}
	tmp := str("TMPDIR")
	if !strings.HasPrefix(tmp, eng.cfg.TempRoot) || !strings.HasPrefix(str("HOME"), eng.cfg.TempRoot) {
		t.Errorf("TMPDIR %q / HOME %q not under the engine's TempRoot", tmp, str("HOME"))
	}
	if got.Cwd != dir {
		t.Errorf("cwd %q, want %q", got.Cwd, dir)
	}
	stream := str("AWS_LAMBDA_LOG_STREAM_NAME")
	if !regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`).MatchString(stream) {
		t.Errorf("stream name %q", stream)
	}
	c := got.Ctx
	if c["function_name"] != "ctxfn" || c["function_version"] != "$LATEST" || c["memory_limit_in_mb"] != "128" ||
		c["invoked_function_arn"] != fn.ARN || c["aws_request_id"] != "11111111-2222-4333-8444-555555555555" ||
		c["log_group_name"] != "/aws/lambda/ctxfn" || c["log_stream_name"] != stream || c["identity"] != nil {
		t.Errorf("context %v", c)
	}
	if rem, _ := c["remaining"].(float64); rem <= 0 {
		t.Errorf("remaining time %v", c["remaining"])
	}
	if m, _ := c["client_custom"].(map[string]any); m["k"] != "v" {
		t.Errorf("client context %v", c["client_custom"])
	}
	logs := sink.all()
	if !regexp.MustCompile(`(?m)^\[ERROR\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t11111111-2222-4333-8444-555555555555\tboom 1$`).MatchString(logs) {
		t.Errorf("logging line missing:\n%s", logs)
	}
	if strings.Contains(logs, "not shown") {
		t.Errorf("INFO logged at the default WARNING level")
	}
	// Everything lands in the environment's own stream.
	for k := range sink.streams {
		if k != "/aws/lambda/ctxfn "+stream {
			t.Errorf("unexpected stream %q", k)
		}
	}

	res = invoke(t, eng, fn, `{"decimal": true}`)
	e := errorOf(t, res)
	if e["errorType"] != "Runtime.MarshalError" || e["errorMessage"] != "Unable to marshal response: Object of type Decimal is not JSON serializable" {
		t.Errorf("marshal error %s", res.Payload)
	}
}

func TestTailLogIsLast4KB(t *testing.T) {
	needInterpreter(t, "python3")
	eng := newTestEngine(t, nil, nil) // no sink: logs are still tailed
	fn := testFunction("chatty", "python3.11", "app.handler", codeDir(t, map[string]string{
		"app.py": "def handler(event, context):\n    for i in range(500):\n        print('line %03d ' % i + 'x' * 40)\n",
	}))
	res := invoke(t, eng, fn, `{}`)
	tail, err := base64.StdEncoding.DecodeString(res.LogTail)
	if err != nil || len(tail) != tailLimit {
		t.Fatalf("tail of %d bytes (%v)", len(tail), err)
	}
	if !strings.Contains(string(tail), "line 499 ") || !strings.Contains(string(tail), "\nEND RequestId: ") ||
		!strings.HasPrefix(string(tail[strings.LastIndex(string(tail), "\nREPORT")+1:]), "REPORT RequestId: ") {
		t.Errorf("tail:\n%s", tail)
	}
	if res = invoke(t, eng, fn, `{}`); res.LogTail == "" {
		t.Error("warm invocation without tail")
	}
}

// Interpreters picks the program per runtime, then per family: here
// python3.9 runs on Debian's /usr/bin/python3 and python3.12 on the
// default python3 from PATH.
func TestInterpreterPerRuntime(t *testing.T) {
	needInterpreter(t, "python3")
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	eng := newTestEngine(t, nil, func(c *Config) { c.Interpreters = map[string]string{"python3.9": "/usr/bin/python3"} })
	dir := codeDir(t, map[string]string{"app.py": "import sys\ndef handler(event, context):\n    return sys.executable\n"})
	executable := func(runtime string) string {
		res := invoke(t, eng, testFunction("interp-"+strings.ReplaceAll(runtime, ".", "-"), runtime, "app.handler", dir), `{}`)
		var exe string
		if err := json.Unmarshal(res.Payload, &exe); err != nil || res.FunctionError != "" {
			t.Fatalf("%s: %q %s", runtime, res.FunctionError, res.Payload)
		}
		return exe
	}
	if got := executable("python3.9"); got != "/usr/bin/python3" {
		t.Errorf("python3.9 ran on %s, want /usr/bin/python3", got)
	}
	def, _ := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if got := executable("python3.12"); got != strings.TrimSpace(string(def)) {
		t.Errorf("python3.12 ran on %s, want the default %s", got, def)
	}
}
