//go:build unix

package runtime

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a process group of its own, so that
// killProcessGroup reaches everything the function spawned.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup kills the process group led by pid.
func killProcessGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

// readPipe reads from a non-blocking pipe descriptor; again reports that
// nothing was there yet.
func readPipe(fd uintptr, buf []byte) (n int, again bool) {
	n, err := syscall.Read(int(fd), buf)
	if err == syscall.EAGAIN || err == syscall.EINTR {
		return 0, true
	}
	return n, false
}
