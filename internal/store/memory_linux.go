package store

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// openMemory runs bbolt on a memfd: an anonymous file in RAM with no name in
// any filesystem, freed when its last descriptor closes. bbolt mmaps and
// pwrites it like any file, so ephemeral mode exercises the durable code.
func openMemory() (Store, error) {
	opts := memoryOptions()
	opts.OpenFile = memfdOpener()
	s, err := openBolt("memfd:kiri", opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// memfdOpener returns bbolt's OpenFile. The first call, from bolt.Open,
// ignores the path and creates the memfd, named /proc/self/fd/N; later calls
// (bbolt's Tx.WriteTo reopens db.Path()) open that name, which reaches the
// same memory.
func memfdOpener() func(string, int, os.FileMode) (*os.File, error) {
	created := false
	return func(path string, flag int, perm os.FileMode) (*os.File, error) {
		if created {
			return os.OpenFile(path, flag, perm)
		}
		created = true
		fd, err := unix.MemfdCreate("kiri", unix.MFD_CLOEXEC)
		if err != nil {
			return nil, fmt.Errorf("memfd_create: %w", err)
		}
		return os.NewFile(uintptr(fd), fmt.Sprintf("/proc/self/fd/%d", fd)), nil
	}
}
