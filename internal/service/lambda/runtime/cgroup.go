package runtime

import (
	"os/exec"
	"sync"
)

// memoryLimiter enforces MemorySize by placing each execution environment
// in its own memory cgroup. It exists only where the host allows it (see
// newMemoryLimiter); without one, environments run unlimited, as before.
type memoryLimiter interface {
	// newGroup creates an empty group limited to limit bytes.
	newGroup(limit int64) (memoryGroup, error)
	// close removes what the limiter created itself (its parent group).
	close()
	// String names the mechanism and place, for the log.
	String() string
	// path is the parent group's directory, where environments' groups
	// are created.
	path() string
}

// memoryGroup is one environment's cgroup.
type memoryGroup interface {
	// prepare is called before cmd.Start; where the kernel can, it makes
	// the process start inside the group.
	prepare(cmd *exec.Cmd)
	// started is called right after Start: it moves pid into the group
	// when prepare could not, and releases what prepare opened.
	started(pid int) error
	// peakBytes is the group's high-water mark; ok is false when the
	// kernel does not keep one.
	peakBytes() (n int64, ok bool)
	// oomKilled reports whether the kernel killed a process of the group
	// for exceeding the limit.
	oomKilled() bool
	// remove kills whatever is left in the group and deletes it.
	remove()
}

// Host probing and the log line happen once per process: whether cgroups
// are usable is a property of the host, not of an engine.
var (
	hostProbeOnce sync.Once
	hostProbeErr  error
)

// memoryLimitsUsable reports why memory limits cannot be enforced on this
// host (nil when they can). Tests skip on the same answer.
func memoryLimitsUsable() error {
	hostProbeOnce.Do(func() {
		lim, err := newMemoryLimiter()
		if err == nil {
			lim.close()
		}
		hostProbeErr = err
	})
	return hostProbeErr
}

// limiter sets up the engine's memory limiter on first use and logs once
// whether MemorySize is enforced, and if not, why.
func (eng *Engine) limiter() memoryLimiter {
	eng.limOnce.Do(func() {
		log := eng.cfg.Logger
		if eng.cfg.NoMemoryLimits {
			log.Info("lambda: MemorySize not enforced: memory limits are turned off")
			return
		}
		lim, err := newMemoryLimiter()
		if err != nil {
			log.Info("lambda: MemorySize not enforced; Max Memory Used is measured from /proc", "reason", err.Error())
			return
		}
		log.Info("lambda: MemorySize enforced", "cgroup", lim.String())
		eng.lim = lim
	})
	return eng.lim
}

// newMemoryGroup creates the cgroup of a new environment of fn, or returns
// nil when environments run unlimited. A failure here (unusual once the
// probe passed) costs the limit, not the invocation.
func (eng *Engine) newMemoryGroup(fn *Function) memoryGroup {
	lim := eng.limiter()
	if lim == nil {
		return nil
	}
	g, err := lim.newGroup(int64(memoryMB(fn)) << 20)
	if err != nil {
		eng.cfg.Logger.Warn("lambda: environment runs without a memory limit", "function", fn.Name, "error", err.Error())
		return nil
	}
	return g
}

// enterMemoryGroup completes putting e's new process in its group. If that
// fails (the process may already have exited), the environment carries on
// unlimited rather than failing its invocation.
func (eng *Engine) enterMemoryGroup(e *env, fn *Function) {
	if e.mem == nil {
		return
	}
	if err := e.mem.started(e.pid); err != nil {
		eng.cfg.Logger.Warn("lambda: environment runs without a memory limit", "function", fn.Name, "error", err.Error())
		e.mem.remove()
		e.mem = nil
	}
}

// bytesToMB rounds up to whole megabytes (MiB), as Max Memory Used is
// reported.
func bytesToMB(n int64) int {
	return int((n + 1<<20 - 1) >> 20)
}
