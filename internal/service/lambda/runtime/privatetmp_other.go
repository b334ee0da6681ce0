//go:build !linux

package runtime

import (
	"errors"
	"os/exec"
)

// startWithPrivateTmp: only Linux has mount namespaces.
func startWithPrivateTmp(cmd *exec.Cmd, dir string) (bool, error) {
	return false, errors.New("mount namespaces exist only on Linux")
}

func startWithPrivateMounts(cmd *exec.Cmd, dir, opt string) (bool, error, error) {
	started, err := startWithPrivateTmp(cmd, dir)
	return started, err, nil
}
