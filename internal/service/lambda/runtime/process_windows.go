package runtime

import (
	"os/exec"
	"strconv"
	"syscall"
)

// ownProcessGroup starts cmd in a process group of its own.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// killProcessGroup kills pid and the processes it started (Windows has no
// process-group signal; taskkill walks the tree).
func killProcessGroup(pid int) {
	_ = exec.Command("taskkill", "/T", "/F", "/PID", strconv.Itoa(pid)).Run()
}

// readPipe reads from the pipe; Windows pipes block, so there is no "again".
func readPipe(fd uintptr, buf []byte) (n int, again bool) {
	n, err := syscall.Read(syscall.Handle(fd), buf)
	if err != nil {
		return 0, false
	}
	return n, false
}
