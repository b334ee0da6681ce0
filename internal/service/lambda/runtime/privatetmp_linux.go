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
func startWithPrivateTmp(cmd *exec.Cmd, dir string) (started bool, err error) {
	started, err, _ = startWithPrivateMounts(cmd, dir, "")
	return started, err
}

// startWithPrivateMounts is startWithPrivateTmp that also binds opt, when
// not "", read-only on /opt (a function's merged layers, where Lambda
// extracts them). optErr says why opt could not be bound; the process
// then runs with the host's /opt.
//
// The namespace is made on a locked OS thread that cmd is forked from and
// that is never unlocked, so the Go runtime ends the thread (and with it
// kiri's only reference to the namespace) when the goroutine returns; the
// rest of kiri keeps the host's mounts. It needs CAP_SYS_ADMIN: without
// it the error comes back before anything started.
func startWithPrivateMounts(cmd *exec.Cmd, dir, opt string) (started bool, err, optErr error) {
	type result struct {
		started     bool
		err, optErr error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // deliberately never unlocked
		if err := enterPrivateTmp(dir); err != nil {
			done <- result{false, err, nil}
			return
		}
		var optErr error
		if opt != "" {
			optErr = bindOpt(opt)
		}
		done <- result{true, cmd.Start(), optErr}
	}()
	r := <-done
	return r.started, r.err, r.optErr
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

// bindOpt mounts dir on /opt in the calling thread's (private) mount
// namespace, read-only where the kernel allows the remount.
func bindOpt(dir string) error {
	if err := unix.Mount(dir, "/opt", "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s on /opt: %w", dir, err)
	}
	_ = unix.Mount("", "/opt", "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, "")
	return nil
}
