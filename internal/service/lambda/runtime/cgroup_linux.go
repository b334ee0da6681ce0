package runtime

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// newMemoryLimiter finds the memory controller of the hierarchy kiri's own
// process belongs to, cgroup v2 first, then v1, and creates kiri's parent
// group under kiri's own group: <own group>/kiri-<pid>-<random>. The error
// says why limits are unavailable (no controller, not delegated, read-only,
// not permitted).
func newMemoryLimiter() (memoryLimiter, error) {
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("reading mountinfo: %w", err)
	}
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("reading /proc/self/cgroup: %w", err)
	}
	var v2err error
	if dir, ok := ownGroupDir(string(mounts), string(own), true); ok {
		lim, err := newV2Limiter(dir)
		if err == nil {
			return lim, nil
		}
		v2err = err
	}
	if dir, ok := ownGroupDir(string(mounts), string(own), false); ok {
		return newV1Limiter(dir)
	}
	if v2err != nil {
		return nil, v2err
	}
	return nil, errors.New("no cgroup memory controller is mounted")
}

// ownGroupDir returns the directory of kiri's own group in the unified (v2)
// hierarchy or in the v1 hierarchy holding the memory controller.
func ownGroupDir(mountinfo, selfCgroup string, unified bool) (string, bool) {
	var rel string
	found := false
	for _, line := range strings.Split(selfCgroup, "\n") {
		// hierarchy-ID:controller-list:path
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if unified && parts[0] == "0" && parts[1] == "" ||
			!unified && hasField(parts[1], ",", "memory") {
			rel, found = parts[2], true
			break
		}
	}
	if !found {
		return "", false
	}
	for _, line := range strings.Split(mountinfo, "\n") {
		root, point, fstype, opts, ok := parseMountinfo(line)
		if !ok {
			continue
		}
		if unified && fstype != "cgroup2" || !unified && (fstype != "cgroup" || !hasField(opts, ",", "memory")) {
			continue
		}
		// The mount may show only a subtree (a cgroup namespace or a bind
		// mount): the group's path is relative to the mount's root.
		sub, ok := strings.CutPrefix(rel, root)
		if root == "/" {
			sub, ok = rel, true
		}
		if !ok {
			continue
		}
		return filepath.Join(point, sub), true
	}
	return "", false
}

// parseMountinfo splits a /proc/self/mountinfo line: "id parent maj:min
// root mountpoint options [optional...] - fstype source superoptions".
func parseMountinfo(line string) (root, point, fstype, superOpts string, ok bool) {
	pre, post, found := strings.Cut(line, " - ")
	if !found {
		return "", "", "", "", false
	}
	f, g := strings.Fields(pre), strings.Fields(post)
	if len(f) < 5 || len(g) < 3 {
		return "", "", "", "", false
	}
	return unescapeMount(f[3]), unescapeMount(f[4]), g[0], g[2], true
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	if u, err := strconv.Unquote(`"` + s + `"`); err == nil {
		return u
	}
	return s
}

func hasField(list, sep, want string) bool {
	for _, f := range strings.Split(list, sep) {
		if f == want {
			return true
		}
	}
	return false
}

// makeParent creates kiri's parent group in own, per process and engine so
// that engines (and test binaries) never remove each other's groups.
func makeParent(own string) (string, error) {
	dir := filepath.Join(own, fmt.Sprintf("kiri-%d-%s", os.Getpid(), randomHex(4)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating a cgroup in %s: %w", own, err)
	}
	return dir, nil
}

func makeChild(parent string) (string, error) {
	dir := filepath.Join(parent, "env-"+randomHex(8))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating cgroup: %w", err)
	}
	return dir, nil
}

func writeFile(dir, name, value string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(value), 0)
}

func readInt(dir, name string) (int64, bool) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n, err == nil
}

// readKeyed returns key's value in a flat-keyed file ("key value" lines,
// as memory.events and memory.oom_control are).
// counterFile reads one cgroup counter again and again through a single
// open descriptor: it is read after every invocation, and on these VMs
// opening a file costs several times reading it (24 µs against 3.5 µs).
type counterFile struct {
	once sync.Once
	f    *os.File
}

func (c *counterFile) read(dir, name string) (int64, bool) {
	c.once.Do(func() { c.f, _ = os.Open(filepath.Join(dir, name)) })
	if c.f == nil {
		return 0, false
	}
	var buf [32]byte
	n, err := c.f.ReadAt(buf[:], 0)
	if n == 0 && err != nil {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(buf[:n])), 10, 64)
	return v, err == nil
}

func (c *counterFile) close() {
	c.once.Do(func() {}) // a file opened by a read is seen here
	if c.f != nil {
		_ = c.f.Close()
	}
}

func readKeyed(dir, name, key string) (int64, bool) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == key {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// removeGroup kills every process left in dir and removes it. Processes
// that left the environment's process group (setsid) are caught here too;
// rmdir fails with EBUSY until the dying ones are gone.
func removeGroup(dir string, useKillFile bool) {
	for range 200 {
		if useKillFile {
			_ = writeFile(dir, "cgroup.kill", "1")
		} else {
			killProcs(dir)
		}
		if err := syscall.Rmdir(dir); !errors.Is(err, syscall.EBUSY) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func killProcs(dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// cgroup v2 (unified hierarchy).

type v2Limiter struct{ parent string }

func newV2Limiter(own string) (*v2Limiter, error) {
	ctrl, err := os.ReadFile(filepath.Join(own, "cgroup.controllers"))
	if err != nil || !hasField(strings.TrimSpace(string(ctrl)), " ", "memory") {
		return nil, errors.New("cgroup v2: the memory controller is not available to kiri's group " + own)
	}
	// Children get memory.* files only when the parent delegates the
	// controller; kiri's own group cannot while it holds processes (the
	// "no internal processes" rule), except at the root.
	if err := enableMemory(own); err != nil {
		return nil, fmt.Errorf("cgroup v2: cannot delegate the memory controller below %s: %w", own, err)
	}
	parent, err := makeParent(own)
	if err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	if err := enableMemory(parent); err != nil {
		_ = syscall.Rmdir(parent)
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	return &v2Limiter{parent: parent}, nil
}

func enableMemory(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	if err == nil && hasField(strings.TrimSpace(string(b)), " ", "memory") {
		return nil
	}
	return writeFile(dir, "cgroup.subtree_control", "+memory")
}

func (l *v2Limiter) String() string { return "v2 " + l.parent }

func (l *v2Limiter) path() string { return l.parent }

func (l *v2Limiter) close() { removeGroup(l.parent, false) }

func (l *v2Limiter) newGroup(limit int64) (memoryGroup, error) {
	dir, err := makeChild(l.parent)
	if err != nil {
		return nil, err
	}
	if err := writeFile(dir, "memory.max", strconv.FormatInt(limit, 10)); err != nil {
		_ = syscall.Rmdir(dir)
		return nil, fmt.Errorf("setting memory.max: %w", err)
	}
	// No swap, so the limit is on memory as on Lambda; absent without
	// swap accounting. oom.group kills the whole tree, as Lambda does.
	_ = writeFile(dir, "memory.swap.max", "0")
	_ = writeFile(dir, "memory.oom.group", "1")
	return &v2Group{dir: dir, fd: -1}, nil
}

type v2Group struct {
	dir  string
	fd   int
	peak counterFile // memory.peak
}

// prepare makes the child start inside the group (clone3 with
// CLONE_INTO_CGROUP), so nothing it allocates escapes the limit. That needs
// Linux 5.7; memory.peak (5.19) is the witness, and without it the pid is
// written after Start as with v1.
func (g *v2Group) prepare(cmd *exec.Cmd) {
	if _, err := os.Stat(filepath.Join(g.dir, "memory.peak")); err != nil {
		return
	}
	fd, err := syscall.Open(g.dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	g.fd = fd
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.UseCgroupFD = true
	cmd.SysProcAttr.CgroupFD = fd
}

func (g *v2Group) started(pid int) error {
	if g.fd >= 0 {
		_ = syscall.Close(g.fd)
		g.fd = -1
		return nil
	}
	return writeFile(g.dir, "cgroup.procs", strconv.Itoa(pid))
}

func (g *v2Group) peakBytes() (int64, bool) { return g.peak.read(g.dir, "memory.peak") }

func (g *v2Group) oomKilled() bool {
	n, _ := readKeyed(g.dir, "memory.events", "oom_kill")
	return n > 0
}

func (g *v2Group) remove() {
	g.peak.close()
	if g.fd >= 0 {
		_ = syscall.Close(g.fd)
	}
	_, err := os.Stat(filepath.Join(g.dir, "cgroup.kill"))
	removeGroup(g.dir, err == nil)
}

// cgroup v1 (the memory controller's own hierarchy).

type v1Limiter struct{ parent string }

func newV1Limiter(own string) (*v1Limiter, error) {
	if _, err := os.Stat(filepath.Join(own, "memory.limit_in_bytes")); err != nil {
		return nil, fmt.Errorf("cgroup v1: kiri's memory group %s: %w", own, err)
	}
	parent, err := makeParent(own)
	if err != nil {
		return nil, fmt.Errorf("cgroup v1: %w", err)
	}
	return &v1Limiter{parent: parent}, nil
}

func (l *v1Limiter) String() string { return "v1 " + l.parent }

func (l *v1Limiter) path() string { return l.parent }

func (l *v1Limiter) close() { removeGroup(l.parent, false) }

func (l *v1Limiter) newGroup(limit int64) (memoryGroup, error) {
	dir, err := makeChild(l.parent)
	if err != nil {
		return nil, err
	}
	v := strconv.FormatInt(limit, 10)
	if err := writeFile(dir, "memory.limit_in_bytes", v); err != nil {
		_ = syscall.Rmdir(dir)
		return nil, fmt.Errorf("setting memory.limit_in_bytes: %w", err)
	}
	// memory+swap gets the same value, so nothing is swapped out instead
	// of killed. The file exists only with swap accounting, and must not
	// be set below the memory limit, hence after it.
	if _, err := os.Stat(filepath.Join(dir, "memory.memsw.limit_in_bytes")); err == nil {
		if err := writeFile(dir, "memory.memsw.limit_in_bytes", v); err != nil {
			_ = syscall.Rmdir(dir)
			return nil, fmt.Errorf("setting memory.memsw.limit_in_bytes: %w", err)
		}
	}
	return &v1Group{dir: dir}, nil
}

type v1Group struct {
	dir  string
	peak counterFile // memory.max_usage_in_bytes
}

func (g *v1Group) prepare(*exec.Cmd) {}

// started moves the process in right after Start: v1 cannot start a child
// inside a group. The window is short (the runtime is still starting, far
// from allocating in earnest), what it allocates meanwhile stays charged to
// kiri's group, and anything it forks afterwards inherits the group.
func (g *v1Group) started(pid int) error {
	return writeFile(g.dir, "cgroup.procs", strconv.Itoa(pid))
}

func (g *v1Group) peakBytes() (int64, bool) {
	return g.peak.read(g.dir, "memory.max_usage_in_bytes")
}

// oomKilled reads oom_kill (Linux 4.13+); older kernels only count how
// often the limit was hit, which is the best evidence they give.
func (g *v1Group) oomKilled() bool {
	if n, ok := readKeyed(g.dir, "memory.oom_control", "oom_kill"); ok {
		return n > 0
	}
	n, _ := readInt(g.dir, "memory.failcnt")
	return n > 0
}

func (g *v1Group) remove() {
	g.peak.close()
	removeGroup(g.dir, false)
}
