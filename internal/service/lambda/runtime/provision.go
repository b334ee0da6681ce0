package runtime

import (
	"context"
	"time"
)

// Provisioned concurrency: a pool of environments started and initialized
// ahead of any invocation (AWS_LAMBDA_INITIALIZATION_TYPE is
// "provisioned-concurrency" in them), kept warm whatever the idle timeout,
// and replaced when one exits. Invocations of the pool's Function.Key take
// them before on-demand environments (Engine.acquire).

// InitFailure is the StatusReason of a pool whose environments failed
// their init phase, as AWS words it.
const InitFailure = "FUNCTION_ERROR_INIT_FAILURE"

// ProvisionState is how far a pool has got.
type ProvisionState struct {
	Requested int
	Allocated int    // environments initialized and kept
	Failed    string // why allocation stopped ("" while it goes on)
}

// Provisioner keeps initialized environments ready for functions. The
// engine implements it; an Invoker that does not provisions nothing.
type Provisioner interface {
	// Provision keeps n environments of fn initialized under id (a
	// version's or alias's ARN). Calling it again resizes the pool, or
	// replaces it when fn.Key changed (an alias moved to another version).
	Provision(id string, fn *Function, n int)
	// Unprovision stops the pool id: idle environments now, busy ones
	// when their invocation ends.
	Unprovision(id string)
	// Provisioned reports the pool id, if there is one.
	Provisioned(id string) (ProvisionState, bool)
}

var _ Provisioner = (*Engine)(nil)

// pool is one provisioned concurrency configuration's environments.
type pool struct {
	id       string
	fn       *Function
	want     int
	envs     map[*env]struct{} // initialized, busy or idle
	starting int
	failed   string
	ctx      context.Context // cancelled when the pool is dropped
	cancel   context.CancelFunc
}

// Provision implements Provisioner.
func (eng *Engine) Provision(id string, fn *Function, n int) {
	eng.mu.Lock()
	defer eng.mu.Unlock()
	if eng.closed {
		return
	}
	p := eng.pools[id]
	if p != nil && p.fn.Key != fn.Key {
		eng.dropPool(id)
		p = nil
	}
	if p == nil {
		ctx, cancel := context.WithCancel(context.Background())
		p = &pool{id: id, fn: fn, envs: map[*env]struct{}{}, ctx: ctx, cancel: cancel}
		eng.pools[id] = p
	}
	p.want, p.failed = n, ""
	eng.shrink(p)
	eng.fill(p)
}

// Unprovision implements Provisioner.
func (eng *Engine) Unprovision(id string) {
	eng.mu.Lock()
	defer eng.mu.Unlock()
	eng.dropPool(id)
}

// Provisioned implements Provisioner.
func (eng *Engine) Provisioned(id string) (ProvisionState, bool) {
	eng.mu.Lock()
	defer eng.mu.Unlock()
	p := eng.pools[id]
	if p == nil {
		return ProvisionState{}, false
	}
	return ProvisionState{Requested: p.want, Allocated: min(len(p.envs), p.want), Failed: p.failed}, true
}

// dropPool stops pool id. Called with eng.mu held.
func (eng *Engine) dropPool(id string) {
	p := eng.pools[id]
	if p == nil {
		return
	}
	delete(eng.pools, id)
	p.cancel()
	for e := range p.envs {
		eng.detach(p, e)
	}
}

// detach takes e out of p and stops it: now when idle, else when its
// invocation ends. Called with eng.mu held.
func (eng *Engine) detach(p *pool, e *env) {
	delete(p.envs, e)
	e.retired = true
	if removeEnv(eng.provIdle, e) {
		delete(eng.all, e)
		e.kill()
	}
}

// shrink stops the environments p has beyond its size, idle ones first.
// Called with eng.mu held.
func (eng *Engine) shrink(p *pool) {
	for _, e := range eng.provIdle[p.fn.Key] {
		if len(p.envs) <= p.want {
			return
		}
		if e.pool == p {
			eng.detach(p, e)
		}
	}
	for e := range p.envs {
		if len(p.envs) <= p.want {
			return
		}
		eng.detach(p, e)
	}
}

// fill starts environments until p has its size, unless its init failed.
// Called with eng.mu held.
func (eng *Engine) fill(p *pool) {
	for p.failed == "" && len(p.envs)+p.starting < p.want {
		p.starting++
		go eng.provisionOne(p)
	}
}

// provisionOne starts one environment of p and runs its init phase.
func (eng *Engine) provisionOne(p *pool) {
	e, err := eng.startEnvAs(p.ctx, p.fn, initProvisioned)
	if err == nil && !eng.register(e) {
		e.kill()
		return
	}
	how := endCrash
	if err == nil {
		how, _ = eng.awaitInit(p.ctx, e)
		// Init's output goes to the log now, not with the first request.
		e.logs.sync(outputSyncLimit)
		e.logs.flush(false)
	} else {
		eng.cfg.Logger.Warn("provisioned environment did not start", "function", p.fn.Name, "err", err)
	}
	eng.mu.Lock()
	defer eng.mu.Unlock()
	p.starting--
	if how != endDone || eng.pools[p.id] != p {
		if e != nil {
			delete(eng.all, e)
			e.kill()
		}
		if how != endDone && how != endCancel && eng.pools[p.id] == p {
			p.failed = InitFailure
		}
		return
	}
	e.pool, e.warm, e.lastUsed = p, true, time.Now()
	p.envs[e] = struct{}{}
	eng.provIdle[e.key] = append(eng.provIdle[e.key], e)
	eng.shrink(p) // the pool may have been made smaller meanwhile
	go eng.watch(p, e)
}

// watch replaces e when its process exits while p still counts on it (a
// crash, a timeout, credentials near expiry).
func (eng *Engine) watch(p *pool, e *env) {
	<-e.exited
	eng.mu.Lock()
	defer eng.mu.Unlock()
	if _, ok := p.envs[e]; !ok || eng.pools[p.id] != p {
		return
	}
	delete(p.envs, e)
	if removeEnv(eng.provIdle, e) {
		delete(eng.all, e)
		e.kill()
	}
	eng.fill(p)
}

// removeEnv takes e out of an idle map, reporting whether it was there.
func removeEnv(idle map[string][]*env, e *env) bool {
	envs := idle[e.key]
	for i, x := range envs {
		if x != e {
			continue
		}
		envs = append(envs[:i:i], envs[i+1:]...)
		if len(envs) == 0 {
			delete(idle, e.key)
		} else {
			idle[e.key] = envs
		}
		return true
	}
	return false
}
