package runtime

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// maxMemoryMB is Max Memory Used: the high-water mark of e's memory group
// when it has one, else the /proc estimate below. Read it before a kill:
// the group goes with the environment.
func (e *env) maxMemoryMB() int {
	if e.mem != nil {
		if n, ok := e.mem.peakBytes(); ok {
			return bytesToMB(n)
		}
	}
	return maxMemoryMB(e.pid)
}

// oomKilled reports whether the kernel killed a process of e for exceeding
// its memory limit.
func (e *env) oomKilled() bool {
	return e.mem != nil && e.mem.oomKilled()
}

// maxMemoryMB approximates "Max Memory Used" as the sum of the peak
// resident set sizes (VmHWM) of the environment's process and its
// descendants. Outside Linux, or when /proc is unreadable, it returns 0.
func maxMemoryMB(pid int) int {
	var kb int64
	seen := map[int]bool{}
	var walk func(pid, depth int)
	walk = func(pid, depth int) {
		if seen[pid] || depth > 16 {
			return
		}
		seen[pid] = true
		kb += vmHWM(pid)
		for _, c := range children(pid) {
			walk(c, depth+1)
		}
	}
	walk(pid, 0)
	return int((kb + 1023) / 1024)
}

func vmHWM(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// children lists the direct children of pid (needs CONFIG_PROC_CHILDREN,
// present in common kernels; without it only the main process counts).
func children(pid int) []int {
	p := strconv.Itoa(pid)
	data, err := os.ReadFile("/proc/" + p + "/task/" + p + "/children")
	if err != nil {
		return nil
	}
	var out []int
	for _, f := range strings.Fields(string(data)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}
