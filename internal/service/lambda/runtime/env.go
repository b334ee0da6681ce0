package runtime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// env is one execution environment: a process speaking the Runtime API to
// its own listener, with its own temporary directory and log stream.
type env struct {
	key     string // Function.Key it serves
	fnID    string // Function.ARN, for reserved concurrency accounting
	started time.Time
	dir     string // private root: tmp/ and home/
	cmd     *exec.Cmd
	pid     int
	srv     *http.Server
	logs    *logStream
	mem     memoryGroup // nil when MemorySize is not enforced
	// credsExpire is when the role credentials the process was given
	// expire (zero: none); see Engine.acquire.
	credsExpire time.Time

	ready     chan struct{} // closed on the first GET /next: init is over
	readyOnce sync.Once
	initErr   chan []byte   // error JSON posted to /init/error
	invokeCh  chan *pending // handed to the next GET /next
	exited    chan struct{} // closed when the process has exited
	exitErr   error         // valid after exited
	closing   chan struct{} // closed by kill
	killOnce  sync.Once

	mu      sync.Mutex
	current *pending // the invocation the process is running

	// Guarded by Engine.mu.
	lastUsed time.Time
	retired  bool
	warm     bool  // initialized before this invocation: no Init Duration
	pool     *pool // the provisioned pool it belongs to; nil for on-demand
}

// pending is one invocation handed to an environment.
type pending struct {
	id, arn, traceID, clientContext string
	payload                         []byte
	deadline                        time.Time
	done                            chan outcome // buffered; the first outcome wins
	once                            sync.Once
	announce                        func() // logs START; see announceOnce
	announced                       sync.Once
}

// announceOnce runs announce the first time it is called: when the process
// takes the invocation, or when the invocation ends without that.
func (p *pending) announceOnce() {
	if p.announce != nil {
		p.announced.Do(p.announce)
	}
}

type outcome struct {
	payload []byte
	err     bool // payload is error JSON
}

func (p *pending) finish(o outcome) {
	p.once.Do(func() { p.done <- o })
}

// entrypointError is a function's own bootstrap failing to start.
type entrypointError struct{ err error }

func (e *entrypointError) Error() string {
	return "Couldn't find valid bootstrap(s): " + e.err.Error()
}

func (e *entrypointError) Unwrap() error { return e.err }

// command is how an environment's process is started.
type command struct {
	path string
	args []string
}

// Values of AWS_LAMBDA_INITIALIZATION_TYPE.
const (
	initOnDemand    = "on-demand"
	initProvisioned = "provisioned-concurrency"
)

// startEnv starts an on-demand environment for fn.
func (eng *Engine) startEnv(ctx context.Context, fn *Function) (*env, error) {
	return eng.startEnvAs(ctx, fn, initOnDemand)
}

// startEnvAs starts a process for fn with initialization type initType. It
// returns once the process runs; the caller waits for readiness (the first
// GET /next).
func (eng *Engine) startEnvAs(ctx context.Context, fn *Function, initType string) (*env, error) {
	rt, err := eng.runtimeDir()
	if err != nil {
		return nil, err
	}
	cmdSpec, err := eng.command(fn, rt)
	if err != nil {
		return nil, err
	}
	var creds Credentials
	if fn.Credentials != nil {
		if creds, err = fn.Credentials(ctx); err != nil {
			return nil, fmt.Errorf("runtime: credentials for %s: %w", fn.Name, err)
		}
	}
	dir, err := os.MkdirTemp(eng.cfg.TempRoot, "kiri-env-")
	if err != nil {
		return nil, fmt.Errorf("runtime: environment directory: %w", err)
	}
	for _, sub := range []string{"tmp", "home"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("runtime: environment directory: %w", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("runtime: runtime API listener: %w", err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		_ = ln.Close()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("runtime: output pipe: %w", err)
	}
	version := fn.Version
	if version == "" {
		version = "$LATEST"
	}
	stream := time.Now().UTC().Format("2006/01/02") + "/[" + version + "]" + randomHex(16)
	e := &env{
		credsExpire: creds.Expiration,
		key:         fn.Key,
		fnID:        fn.ARN,
		dir:         dir,
		ready:       make(chan struct{}),
		initErr:     make(chan []byte, 1),
		invokeCh:    make(chan *pending),
		exited:      make(chan struct{}),
		closing:     make(chan struct{}),
	}
	e.srv = &http.Server{Handler: e.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()

	cmd := exec.Command(cmdSpec.path, cmdSpec.args...)
	cmd.Dir = fn.CodeDir
	cmd.Env = eng.environ(fn, rt, dir, ln.Addr().String(), stream, initType, creds)
	cmd.Stdout = pw
	cmd.Stderr = pw
	// Its own process group, so a timeout kills everything it spawned.
	ownProcessGroup(cmd)
	e.mem = eng.newMemoryGroup(fn)
	if e.mem != nil {
		e.mem.prepare(cmd)
	}
	e.started = time.Now()
	if err := eng.start(cmd, filepath.Join(dir, "tmp"), fn.LayersDir, rt, dir); err != nil {
		_ = pw.Close()
		_ = pr.Close()
		_ = e.srv.Close()
		_ = os.RemoveAll(dir)
		if e.mem != nil {
			e.mem.remove()
		}
		if strings.HasPrefix(fn.Runtime, "provided") || fn.Runtime == "go1.x" {
			return nil, &entrypointError{err}
		}
		return nil, fmt.Errorf("runtime: starting %s: %w", cmdSpec.path, err)
	}
	_ = pw.Close() // the child holds its own copy; EOF then means it is gone
	e.cmd = cmd
	e.pid = cmd.Process.Pid
	eng.enterMemoryGroup(e, fn)
	e.logs = newLogStream(eng.logSink(ctx, fn, logGroup(fn), stream), fn.Account, fn.Region, logGroup(fn), stream, pr)
	eng.wg.Add(1)
	go func() {
		defer eng.wg.Done()
		e.exitErr = cmd.Wait()
		close(e.exited)
		// Whatever the process left behind in its group goes with it.
		killProcessGroup(e.pid)
		<-e.closing
		_ = os.RemoveAll(e.dir)
		if e.mem != nil {
			e.mem.remove()
		}
	}()
	return e, nil
}

// kill stops the environment: the whole process group, the API server and,
// once the process is reaped, the temporary directory.
func (e *env) kill() {
	e.killOnce.Do(func() {
		close(e.closing)
		if e.pid > 0 {
			killProcessGroup(e.pid)
		}
		_ = e.srv.Close()
	})
}

// command picks the program for the runtime: the function's own bootstrap
// for provided.* (and go1.x's handler binary), kiri's bootstraps otherwise.
func (eng *Engine) command(fn *Function, rt string) (command, error) {
	r := fn.Runtime
	switch {
	case strings.HasPrefix(r, "provided"):
		return command{path: filepath.Join(fn.CodeDir, "bootstrap")}, nil
	case r == "go1.x":
		return command{path: filepath.Join(fn.CodeDir, fn.Handler)}, nil
	case strings.HasPrefix(r, "python"):
		py, err := eng.interpreter("python", r)
		if err != nil {
			return command{}, err
		}
		return command{path: py, args: []string{"-u", filepath.Join(rt, "bootstrap.py")}}, nil
	case strings.HasPrefix(r, "nodejs"):
		node, err := eng.interpreter("nodejs", r)
		if err != nil {
			return command{}, err
		}
		return command{path: node, args: []string{filepath.Join(rt, "bootstrap.js")}}, nil
	}
	return command{}, fmt.Errorf("runtime: unsupported runtime %q", r)
}

// environ builds the process environment from scratch: the documented
// predefined variables and the function's own, and nothing of the host's
// but PATH, so host AWS_* settings cannot leak into functions.
func (eng *Engine) environ(fn *Function, rt, dir, api, stream, initType string, creds Credentials) []string {
	mem := strconv.Itoa(memoryMB(fn))
	version := fn.Version
	if version == "" {
		version = "$LATEST"
	}
	tmp := filepath.Join(dir, "tmp")
	path := "/usr/local/bin:/usr/bin:/bin:/opt/bin"
	if host := os.Getenv("PATH"); host != "" {
		path += ":" + host
	}
	vars := map[string]string{
		// Variables a function may override.
		"PATH":            path,
		"LANG":            "en_US.UTF-8",
		"TZ":              ":UTC",
		"LD_LIBRARY_PATH": "/lib64:/usr/lib64:" + rt + ":" + rt + "/lib:" + fn.CodeDir + ":" + fn.CodeDir + "/lib:/opt/lib",
		"NODE_PATH":       "/opt/nodejs/node_modules:" + rt + "/node_modules:" + fn.CodeDir + "/node_modules",
		"PYTHONPATH":      rt,
		"PYTHON_PATH":     rt,
		// The deployment package is read-only: no __pycache__ in it.
		"PYTHONDONTWRITEBYTECODE": "1",
		// Lambda's locale is UTF-8; a host without that locale must not
		// turn Japanese output into encoding errors.
		"PYTHONUTF8":       "1",
		"AWS_ENDPOINT_URL": eng.cfg.Endpoint,
	}
	eng.addLayerPaths(vars, fn, rt)
	for k, v := range fn.Environment {
		vars[k] = v
	}
	// Reserved variables: always the platform's.
	reserved := map[string]string{
		"_HANDLER":                        fn.Handler,
		"AWS_REGION":                      fn.Region,
		"AWS_DEFAULT_REGION":              fn.Region,
		"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": mem,
		"AWS_LAMBDA_FUNCTION_MEMORY":      mem,
		"AWS_LAMBDA_FUNCTION_VERSION":     version,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  initType,
		"AWS_LAMBDA_LOG_GROUP_NAME":       logGroup(fn),
		"AWS_LAMBDA_LOG_STREAM_NAME":      stream,
		"AWS_LAMBDA_RUNTIME_API":          api,
		"LAMBDA_TASK_ROOT":                fn.CodeDir,
		"LAMBDA_RUNTIME_DIR":              rt,
		"HOME":                            filepath.Join(dir, "home"),
		"TMPDIR":                          tmp,
		"TEMP":                            tmp,
		"TMP":                             tmp,
	}
	if !strings.HasPrefix(fn.Runtime, "provided") {
		// AWS leaves it unset for OS-only runtimes.
		reserved["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + fn.Runtime
	}
	if creds.AccessKeyID != "" {
		reserved["AWS_ACCESS_KEY_ID"] = creds.AccessKeyID
		reserved["AWS_ACCESS_KEY"] = creds.AccessKeyID
		reserved["AWS_SECRET_ACCESS_KEY"] = creds.SecretAccessKey
		reserved["AWS_SECRET_KEY"] = creds.SecretAccessKey
		if creds.SessionToken != "" {
			reserved["AWS_SESSION_TOKEN"] = creds.SessionToken
			reserved["AWS_SECURITY_TOKEN"] = creds.SessionToken
		}
	}
	for k, v := range reserved {
		vars[k] = v
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		if v != "" || k == "_HANDLER" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

func logGroup(fn *Function) string {
	if fn.LogGroup != "" {
		return fn.LogGroup
	}
	return "/aws/lambda/" + fn.Name
}

func memoryMB(fn *Function) int {
	if fn.MemoryMB > 0 {
		return fn.MemoryMB
	}
	return 128
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// traceID is an X-Ray trace header for one invocation.
func traceID() string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), randomHex(12), randomHex(8))
}

// decodeClientContext turns the Invoke API's base64 ClientContext into the
// JSON the Runtime API header carries.
func decodeClientContext(s string) string {
	if s == "" {
		return ""
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return string(b)
	}
	return s
}

type errorJSON struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

func errorPayload(typ, msg string) []byte {
	b, _ := json.Marshal(errorJSON{ErrorType: typ, ErrorMessage: msg})
	return b
}

// errorBody keeps a runtime's error JSON as it is; anything else is wrapped
// so callers always get {"errorType", "errorMessage"}.
func errorBody(body []byte, typ string) []byte {
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil && obj != nil {
		return body
	}
	if typ == "" {
		typ = "Unhandled"
	}
	return errorPayload(typ, string(body))
}

// exitMessage renders a process exit as AWS does ("exit status 1",
// "signal: killed").
func exitMessage(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
