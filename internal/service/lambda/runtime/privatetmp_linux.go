package runtime

import (
	"fmt"
	"os/exec"
	"runtime"

	"golang.org/x/sys/unix"
)

// startWithPrivateTmp starts cmd in a mount namespace of its own in which
// dir is mounted on /tmp, so that a function writing /tmp/x, as functions
// written for Lambda do, writes its environment's directory: environments
// do not see each other's files, and nothing lands in the host's /tmp.
//
// The namespace is made on a locked OS thread that cmd is forked from and
// that is never unlocked, so the Go runtime ends the thread (and with it
// kiri's only reference to the namespace) when the goroutine returns; the
// rest of kiri keeps the host's mounts. It needs CAP_SYS_ADMIN: without
// it the error comes back before anything started.
func startWithPrivateTmp(cmd *exec.Cmd, dir string) (started bool, err error) {
	type result struct {
		started bool
		err     error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // deliberately never unlocked
		if err := enterPrivateTmp(dir); err != nil {
			done <- result{false, err}
			return
		}
		done <- result{true, cmd.Start()}
	}()
	r := <-done
	return r.started, r.err
}

// enterPrivateTmp moves the calling thread into a new mount namespace
// whose mounts do not propagate back to the host's, with dir on /tmp.
func enterPrivateTmp(dir string) error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare mount namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	if err := unix.Mount(dir, "/tmp", "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s on /tmp: %w", dir, err)
	}
	return nil
}
