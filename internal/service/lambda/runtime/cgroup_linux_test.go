package runtime

import "testing"

// ownGroupDir is checked on recorded /proc files: this host shows one
// layout, CI or a laptop another.
func TestOwnGroupDir(t *testing.T) {
	const hybrid = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`
	const hybridSelf = "4:memory:/process_api/984f\n1:cpu:/\n0::/\n"
	const unified = `25 20 0:22 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate
`
	const unifiedSelf = "0::/user.slice/user-1000.slice/session-3.scope\n"
	// A bind mount showing only a subtree, and an escaped space.
	const subtree = `50 40 0:31 /docker/abc /sys/fs/cgroup/memory\040x rw - cgroup cgroup rw,memory,foo
`
	const subtreeSelf = "7:foo,memory:/docker/abc/inner\n"
	cases := []struct {
		name, mounts, self string
		unified            bool
		want               string
	}{
		{"hybrid v1", hybrid, hybridSelf, false, "/sys/fs/cgroup/memory/process_api/984f"},
		{"hybrid v2", hybrid, hybridSelf, true, "/sys/fs/cgroup/unified"},
		{"unified v2", unified, unifiedSelf, true, "/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope"},
		{"unified v1", unified, unifiedSelf, false, ""},
		{"subtree v1", subtree, subtreeSelf, false, "/sys/fs/cgroup/memory x/inner"},
	}
	for _, c := range cases {
		got, ok := ownGroupDir(c.mounts, c.self, c.unified)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: got %q %v, want %q", c.name, got, ok, c.want)
		}
	}
}
