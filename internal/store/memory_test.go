package store

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// OpenMemory must leave nothing on disk: not in the working directory, not
// in TMPDIR, not even while open.
func TestMemoryLeavesNoFiles(t *testing.T) {
	tmp, cwd := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Chdir(cwd)
	s, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		kv := []string{}
		for j := range 100 {
			kv = append(kv, fmt.Sprintf("k%03d-%03d", i, j), strings.Repeat("v", 200))
		}
		put(t, s, kv...)
	}
	if v, ok := get(t, s, "k049-099"); !ok || len(v) != 200 {
		t.Fatalf("lost data: %d bytes, %v", len(v), ok)
	}
	if runtime.GOOS == "linux" {
		assertEmpty(t, tmp, cwd)
		assertMemfd(t, s)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertEmpty(t, tmp, cwd)
}

func assertEmpty(t *testing.T, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Errorf("OpenMemory left %s in %s", e.Name(), dir)
		}
	}
}

// assertMemfd checks that the database really is an anonymous memory file.
func assertMemfd(t *testing.T, s Store) {
	t.Helper()
	target, err := os.Readlink(s.(*boltStore).db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(target, "/memfd:kiri") {
		t.Fatalf("database file is %s, not a memfd", target)
	}
}

// Memory stores are independent of each other.
func TestMemoryStoresIndependent(t *testing.T) {
	a, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	put(t, a, "k", "a")
	if _, ok := get(t, b, "k"); ok {
		t.Fatal("memory stores share data")
	}
}
