//go:build !linux

package runtime

import "errors"

// newMemoryLimiter: memory cgroups are Linux's; elsewhere environments run
// unlimited and Max Memory Used comes from what memory.go can measure.
func newMemoryLimiter() (memoryLimiter, error) {
	return nil, errors.New("memory limits need Linux cgroups")
}
