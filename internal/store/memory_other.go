//go:build !linux

package store

import (
	"os"
	"path/filepath"
)

// openMemory falls back, where memfd does not exist, to a file in a fresh
// temporary directory that Close removes. Sync is off, so the data mostly
// stays in the page cache.
func openMemory() (Store, error) {
	dir, err := os.MkdirTemp("", "kiri-ephemeral-")
	if err != nil {
		return nil, err
	}
	s, err := openBolt(filepath.Join(dir, FileName), memoryOptions())
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s.cleanup = func() error { return os.RemoveAll(dir) }
	return s, nil
}
