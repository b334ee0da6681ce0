package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Config configures an Engine. Zero values take the documented defaults.
type Config struct {
	// Endpoint is kiri's URL, given to functions as AWS_ENDPOINT_URL.
	Endpoint string
	// AccountConcurrency caps concurrent invocations across all functions
	// (default 1000).
	AccountConcurrency int
	// IdleTimeout is how long a warm environment may sit unused before it
	// is stopped (default 5 minutes).
	IdleTimeout time.Duration
	// Logs receives function logs; nil discards them.
	Logs LogSink
	// Interpreters name the program that runs kiri's bootstrap for a
	// runtime, by exact runtime name ("python3.12", "nodejs20.x") or by
	// family ("python", "nodejs"), a bare name looked up in PATH or a path.
	// Families default to "python3" and "node".
	Interpreters map[string]string
	// TempRoot holds the per-environment directories (default os.TempDir()).
	TempRoot string
	// BillingGranularity rounds Billed Duration up (default 1 ms; 2017-era
	// Lambda used 100 ms).
	BillingGranularity time.Duration
	// InitTimeout bounds the init phase (default 10 s, AWS's limit).
	InitTimeout time.Duration
	// NoMemoryLimits turns off enforcing MemorySize. Limits apply where
	// the host allows (Linux with a writable memory cgroup), else not.
	NoMemoryLimits bool
	// NoPrivateTmp turns off private /tmp directories (mount namespaces),
	// which are used where the host allows.
	NoPrivateTmp bool
	// Logger receives the engine's own messages; nil discards them.
	Logger *slog.Logger
}

// Engine runs Lambda functions as host processes. It implements Invoker.
type Engine struct {
	cfg Config
	wg  sync.WaitGroup // environment reapers

	mu        sync.Mutex
	closed    bool
	idle      map[string][]*env // by Function.Key, most recently used last
	provIdle  map[string][]*env // provisioned environments not busy, by Function.Key
	pools     map[string]*pool  // provisioned pools, by the id given to Provision
	all       map[*env]struct{}
	busyByFn  map[string]int // by Function.ARN
	busyTotal int

	setupOnce sync.Once
	rtDir     string
	rtErr     error
	interpMu  sync.Mutex
	interps   map[string]string
	// pyVersions is each Python interpreter's "3.X", by interpreter name.
	pyVersions map[string]string

	limOnce sync.Once
	lim     memoryLimiter // nil: environments run unlimited

	tmpLogOnce sync.Once // why functions share the host's /tmp, logged once
	optLogOnce sync.Once // why layers are not mounted on /opt, logged once

	stop chan struct{}
}

var _ Invoker = (*Engine)(nil)

// New returns an engine; it starts no process until the first invocation.
func New(cfg Config) *Engine {
	if cfg.AccountConcurrency <= 0 {
		cfg.AccountConcurrency = 1000
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 5 * time.Minute
	}
	if cfg.TempRoot == "" {
		cfg.TempRoot = os.TempDir()
	}
	if cfg.BillingGranularity <= 0 {
		cfg.BillingGranularity = time.Millisecond
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	eng := &Engine{
		cfg:      cfg,
		idle:     map[string][]*env{},
		provIdle: map[string][]*env{},
		pools:    map[string]*pool{},
		all:      map[*env]struct{}{},
		busyByFn: map[string]int{},
		interps:  map[string]string{},
		stop:     make(chan struct{}),
	}
	go eng.reap()
	return eng
}

// Invoke runs one invocation on a warm environment of fn, or a new one.
// Function failures (exceptions, timeouts, crashes, init errors) are
// results with FunctionError "Unhandled"; the error return is for
// throttling (ErrThrottled), cancellation and failures to start at all.
func (eng *Engine) Invoke(ctx context.Context, fn *Function, inv Invocation) (Result, error) {
	if fn == nil {
		return Result{}, errors.New("runtime: nil function")
	}
	for {
		res, err := eng.invokeOnce(ctx, fn, inv)
		if !errors.Is(err, errEnvGone) {
			return res, err
		}
	}
}

// invokeOnce runs the invocation on one environment: a warm one when one
// is idle (which may turn out to have exited: errEnvGone), else a new one.
func (eng *Engine) invokeOnce(ctx context.Context, fn *Function, inv Invocation) (Result, error) {
	e, err := eng.acquire(fn)
	if err != nil {
		return Result{}, err
	}
	if e == nil {
		if e, err = eng.startEnv(ctx, fn); err != nil {
			eng.release(fn, nil, false)
			var ep *entrypointError
			if errors.As(err, &ep) {
				// What AWS answers when the bootstrap cannot be executed.
				return Result{FunctionError: "Unhandled", Payload: errorPayload("Runtime.InvalidEntrypoint", ep.Error())}, nil
			}
			return Result{}, err
		}
		if !eng.register(e) {
			e.kill()
			eng.release(fn, nil, false)
			return Result{}, errors.New("runtime: engine closed")
		}
	}
	res, keep, err := eng.run(ctx, e, fn, inv)
	eng.release(fn, e, keep)
	return res, err
}

func (eng *Engine) register(e *env) bool {
	eng.mu.Lock()
	defer eng.mu.Unlock()
	if eng.closed {
		return false
	}
	eng.all[e] = struct{}{}
	return true
}

// acquire takes a concurrency slot for fn and a warm environment when one
// is idle (nil otherwise). Over a limit it fails at once with ErrThrottled:
// synchronous invocations are not queued on AWS either.
func (eng *Engine) acquire(fn *Function) (*env, error) {
	eng.mu.Lock()
	defer eng.mu.Unlock()
	if eng.closed {
		return nil, errors.New("runtime: engine closed")
	}
	if fn.ReservedConcurrency != nil && eng.busyByFn[fn.ARN] >= *fn.ReservedConcurrency {
		return nil, ErrThrottled
	}
	if eng.busyTotal >= eng.cfg.AccountConcurrency {
		return nil, ErrThrottled
	}
	eng.busyByFn[fn.ARN]++
	eng.busyTotal++
	// Provisioned environments first: they are what the account pays for.
	if e := eng.popIdle(eng.provIdle, fn); e != nil {
		return e, nil
	}
	return eng.popIdle(eng.idle, fn), nil
}

// popIdle takes the most recently used usable environment of fn from
// pool, killing the unusable ones it finds on the way (a provisioned one
// is then replaced by its pool's watcher). Called with eng.mu held.
func (eng *Engine) popIdle(pool map[string][]*env, fn *Function) *env {
	for envs := pool[fn.Key]; len(envs) > 0; envs = pool[fn.Key] {
		e := envs[len(envs)-1]
		if len(envs) == 1 {
			delete(pool, fn.Key)
		} else {
			pool[fn.Key] = envs[:len(envs)-1]
		}
		if !e.usable(fn) {
			delete(eng.all, e)
			e.kill()
			continue
		}
		return e
	}
	return nil
}

// usable reports whether an idle environment may take an invocation of fn.
// One that died while idle (it crashed after answering, or was killed from
// outside) may not, nor one whose role credentials could expire before the
// invocation's timeout (with a minute to spare for the SDK's clock-skew
// allowance): its process has no way to get new ones, so AWS's practice of
// recycling sandboxes is kiri's too.
func (e *env) usable(fn *Function) bool {
	select {
	case <-e.exited:
		return false
	default:
	}
	return e.credsExpire.IsZero() || time.Until(e.credsExpire) > fn.Timeout+time.Minute
}

// release frees fn's slot and pools e when keep is set, kills it otherwise.
func (eng *Engine) release(fn *Function, e *env, keep bool) {
	eng.mu.Lock()
	defer eng.mu.Unlock()
	eng.busyByFn[fn.ARN]--
	if eng.busyByFn[fn.ARN] <= 0 {
		delete(eng.busyByFn, fn.ARN)
	}
	eng.busyTotal--
	if e == nil {
		return
	}
	if !keep || eng.closed || e.retired {
		delete(eng.all, e)
		e.kill()
		return
	}
	e.warm = true
	e.lastUsed = time.Now()
	if e.pool != nil {
		// Kept warm however long it idles: the reaper does not look here.
		eng.provIdle[e.key] = append(eng.provIdle[e.key], e)
		return
	}
	eng.idle[e.key] = append(eng.idle[e.key], e)
}

// Retire stops the environments of functions whose Key starts with prefix:
// idle ones now, busy ones when their invocation ends. Provisioned pools of
// such functions go too.
func (eng *Engine) Retire(prefix string) {
	eng.mu.Lock()
	defer eng.mu.Unlock()
	for id, p := range eng.pools {
		if strings.HasPrefix(p.fn.Key, prefix) {
			eng.dropPool(id)
		}
	}
	for e := range eng.all {
		if strings.HasPrefix(e.key, prefix) {
			e.retired = true
		}
	}
	for key, envs := range eng.idle {
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		for _, e := range envs {
			delete(eng.all, e)
			e.kill()
		}
		delete(eng.idle, key)
	}
}

// Close kills every environment, busy or idle, and waits (briefly) for
// their processes to go and their directories to be removed.
func (eng *Engine) Close() error {
	eng.mu.Lock()
	if eng.closed {
		eng.mu.Unlock()
		return nil
	}
	eng.closed = true
	close(eng.stop)
	for _, p := range eng.pools {
		p.cancel()
	}
	eng.pools = map[string]*pool{}
	eng.provIdle = map[string][]*env{}
	for e := range eng.all {
		e.kill()
	}
	eng.all = map[*env]struct{}{}
	eng.idle = map[string][]*env{}
	eng.mu.Unlock()
	done := make(chan struct{})
	go func() { eng.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	if eng.rtDir != "" {
		_ = os.RemoveAll(eng.rtDir)
	}
	// Waits for a limiter being set up, and keeps one from starting now.
	eng.limOnce.Do(func() {})
	if eng.lim != nil {
		eng.lim.close()
	}
	return nil
}

// reap stops environments idle for longer than IdleTimeout.
func (eng *Engine) reap() {
	every := eng.cfg.IdleTimeout / 2
	if every > 30*time.Second {
		every = 30 * time.Second
	}
	if every < 10*time.Millisecond {
		every = 10 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-eng.stop:
			return
		case now := <-t.C:
			eng.mu.Lock()
			for key, envs := range eng.idle {
				kept := envs[:0]
				for _, e := range envs {
					if now.Sub(e.lastUsed) >= eng.cfg.IdleTimeout {
						delete(eng.all, e)
						e.kill()
					} else {
						kept = append(kept, e)
					}
				}
				if len(kept) == 0 {
					delete(eng.idle, key)
				} else {
					eng.idle[key] = kept
				}
			}
			eng.mu.Unlock()
		}
	}
}

// runtimeDir writes kiri's bootstraps once per engine (LAMBDA_RUNTIME_DIR).
func (eng *Engine) runtimeDir() (string, error) {
	eng.setupOnce.Do(func() {
		dir, err := os.MkdirTemp(eng.cfg.TempRoot, "kiri-runtime-")
		if err != nil {
			eng.rtErr = fmt.Errorf("runtime: runtime directory: %w", err)
			return
		}
		if err := writeBootstraps(dir); err != nil {
			_ = os.RemoveAll(dir)
			eng.rtErr = err
			return
		}
		eng.rtDir = dir
	})
	return eng.rtDir, eng.rtErr
}

// defaultInterpreters are the programs for each runtime family.
var defaultInterpreters = map[string]string{"python": "python3", "nodejs": "node"}

// interpreterName is the program configured for runtime rt of family:
// the runtime's own entry, else the family's, else the default.
func (eng *Engine) interpreterName(family, rt string) string {
	for _, key := range []string{rt, family} {
		if name := eng.cfg.Interpreters[key]; name != "" {
			return name
		}
	}
	return defaultInterpreters[family]
}

// interpreter resolves the interpreter of runtime rt (of family "python"
// or "nodejs") to an absolute path, once per program. For Python it asks
// the interpreter for sys.executable, because version-manager shims
// (pyenv) depend on HOME and other host variables functions do not get.
func (eng *Engine) interpreter(family, rt string) (string, error) {
	name := eng.interpreterName(family, rt)
	eng.interpMu.Lock()
	defer eng.interpMu.Unlock()
	if p, ok := eng.interps[name]; ok {
		return p, nil
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("runtime: %s interpreter %q not found: %w", rt, name, err)
	}
	if family == "python" {
		out, err := exec.Command(p, "-c", "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])").Output()
		if err != nil {
			return "", fmt.Errorf("runtime: python interpreter %q: %w", p, err)
		}
		exe, version, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		if exe = strings.TrimSpace(exe); exe != "" {
			p = exe
		}
		if eng.pyVersions == nil {
			eng.pyVersions = map[string]string{}
		}
		eng.pyVersions[name] = strings.TrimSpace(version)
	}
	eng.interps[name] = p
	return p, nil
}
