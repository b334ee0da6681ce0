package runtime

import (
	"syscall"
	"unsafe"
)

// pipeBuffered returns how many bytes wait unread in the pipe (FIONREAD).
func pipeBuffered(fd uintptr) int {
	var n int32
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
	if errno != 0 {
		return 0
	}
	return int(n)
}
