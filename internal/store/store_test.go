package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// forEachMode runs f against a fresh durable store and a fresh memory store.
func forEachMode(t *testing.T, f func(t *testing.T, s Store)) {
	t.Run("durable", func(t *testing.T) {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		f(t, s)
	})
	t.Run("memory", func(t *testing.T) {
		s, err := OpenMemory()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		f(t, s)
	})
}

func put(t *testing.T, s Store, kv ...string) {
	t.Helper()
	err := s.Update(func(tx Tx) error {
		for i := 0; i < len(kv); i += 2 {
			if err := tx.Put([]byte(kv[i]), []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, s Store, key string) (string, bool) {
	t.Helper()
	var v []byte
	var ok bool
	if err := s.View(func(tx Tx) error { v, ok = tx.Get([]byte(key)); return nil }); err != nil {
		t.Fatal(err)
	}
	return string(v), ok
}

func scan(t *testing.T, s Store, prefix, start string, limit int) []string {
	t.Helper()
	var got []string
	var p, st []byte
	if prefix != "" {
		p = []byte(prefix)
	}
	if start != "" {
		st = []byte(start)
	}
	err := s.View(func(tx Tx) error {
		return tx.Scan(p, st, func(k, v []byte) error {
			got = append(got, string(k)+"="+string(v))
			if len(got) == limit {
				return ErrStop
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCRUD(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		if _, ok := get(t, s, "a"); ok {
			t.Fatal("empty store has a")
		}
		put(t, s, "a", "1", "b", "", "c", "3")
		if v, ok := get(t, s, "a"); !ok || v != "1" {
			t.Fatalf("a = %q, %v", v, ok)
		}
		if v, ok := get(t, s, "b"); !ok || v != "" {
			t.Fatalf("empty value: b = %q, %v", v, ok)
		}
		put(t, s, "a", "one")
		if v, _ := get(t, s, "a"); v != "one" {
			t.Fatalf("overwrite: a = %q", v)
		}
		if err := s.Update(func(tx Tx) error { return tx.Delete([]byte("a")) }); err != nil {
			t.Fatal(err)
		}
		if _, ok := get(t, s, "a"); ok {
			t.Fatal("a survived Delete")
		}
		if err := s.Update(func(tx Tx) error { return tx.Delete([]byte("missing")) }); err != nil {
			t.Fatalf("deleting a missing key: %v", err)
		}
	})
}

func TestGetReturnsCopyAndPutCopies(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		buf := []byte("value")
		var held []byte
		err := s.Update(func(tx Tx) error {
			if err := tx.Put([]byte("k"), buf); err != nil {
				return err
			}
			copy(buf, "XXXXX") // caller reuses its buffer before commit
			held, _ = tx.Get([]byte("k"))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		put(t, s, "k2", "other") // grows and rewrites pages
		if string(held) != "value" {
			t.Fatalf("Get result changed to %q", held)
		}
		if v, _ := get(t, s, "k"); v != "value" {
			t.Fatalf("stored %q; Put kept the caller's buffer", v)
		}
	})
}

func TestPutErrors(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		if err := s.Update(func(tx Tx) error { return tx.Put(nil, []byte("v")) }); err == nil {
			t.Fatal("empty key accepted")
		}
		if err := s.View(func(tx Tx) error { return tx.Put([]byte("k"), nil) }); err == nil {
			t.Fatal("Put in View accepted")
		}
	})
}

func TestScan(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		put(t, s, "a", "0", "p/1", "1", "p/2", "2", "p/3", "3", "p\xff", "x", "q", "4")
		cases := []struct {
			prefix, start string
			limit         int
			want          string
		}{
			{"p/", "", 0, "[p/1=1 p/2=2 p/3=3]"},
			{"p/", "p/2", 0, "[p/2=2 p/3=3]"},
			{"p/", "p/20", 0, "[p/3=3]"},
			{"p/", "p", 0, "[p/1=1 p/2=2 p/3=3]"},  // start shorter than prefix
			{"p/", "a/", 0, "[p/1=1 p/2=2 p/3=3]"}, // start before prefix
			{"p/", "p/9", 0, "[]"},
			{"p/", "", 2, "[p/1=1 p/2=2]"}, // ErrStop
			{"", "", 0, "[a=0 p/1=1 p/2=2 p/3=3 p\xff=x q=4]"},
			{"", "p0", 0, "[p\xff=x q=4]"},
			{"z", "", 0, "[]"},
		}
		for _, c := range cases {
			got := fmt.Sprint(scan(t, s, c.prefix, c.start, c.limit))
			if got != c.want {
				t.Errorf("Scan(%q, %q) limit %d = %s, want %s", c.prefix, c.start, c.limit, got, c.want)
			}
		}
	})
}

func TestScanError(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		put(t, s, "a", "1", "b", "2")
		boom := errors.New("boom")
		err := s.View(func(tx Tx) error {
			return tx.Scan(nil, nil, func(k, v []byte) error { return fmt.Errorf("at %s: %w", k, boom) })
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
	})
}

// Deleting and inserting while scanning must neither skip nor repeat keys.
func TestScanWhileWriting(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		err := s.Update(func(tx Tx) error {
			for i := range 2000 {
				if err := tx.Put(fmt.Appendf(nil, "k%05d", i), bytes.Repeat([]byte("v"), 50)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		err = s.Update(func(tx Tx) error {
			return tx.Scan([]byte("k"), nil, func(k, v []byte) error {
				if want := fmt.Sprintf("k%05d", seen); string(k) != want {
					return fmt.Errorf("visited %s, want %s", k, want)
				}
				seen++
				if err := tx.Put(append([]byte("a"), k...), nil); err != nil { // before the cursor
					return err
				}
				return tx.Delete(k)
			})
		})
		if err != nil || seen != 2000 {
			t.Fatalf("seen %d, err %v", seen, err)
		}
		if got := scan(t, s, "k", "", 0); len(got) != 0 {
			t.Fatalf("%d keys left", len(got))
		}
		if got := scan(t, s, "ak", "", 0); len(got) != 2000 {
			t.Fatalf("%d keys inserted", len(got))
		}
	})
}

func TestRollbackOnError(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		put(t, s, "keep", "1", "gone", "2")
		boom := errors.New("boom")
		err := s.Update(func(tx Tx) error {
			tx.Put([]byte("keep"), []byte("changed"))
			tx.Put([]byte("new"), []byte("x"))
			tx.Delete([]byte("gone"))
			return boom
		})
		if err != boom {
			t.Fatalf("Update returned %v, want boom", err)
		}
		if got := fmt.Sprint(scan(t, s, "", "", 0)); got != "[gone=2 keep=1]" {
			t.Fatalf("after rollback: %s", got)
		}
	})
}

func TestPanicRollsBack(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("panic swallowed")
				}
			}()
			s.Update(func(tx Tx) error {
				tx.Put([]byte("k"), []byte("v"))
				panic("boom")
			})
		}()
		if _, ok := get(t, s, "k"); ok {
			t.Fatal("write of a panicking fn kept")
		}
		put(t, s, "after", "1") // the store still works
	})
}

func TestTxUseAfterEndPanics(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		var leaked Tx
		s.Update(func(tx Tx) error { leaked = tx; return nil })
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		leaked.Put([]byte("k"), []byte("v"))
	})
}

func TestJSON(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		type user struct {
			Name string
			Tags []string
		}
		key := NS("iam", "123456789012", "").Key("user", "alice")
		err := s.Update(func(tx Tx) error {
			return PutJSON(tx, key, user{Name: "alice", Tags: []string{"x"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.View(func(tx Tx) error {
			var u user
			if ok, err := GetJSON(tx, key, &u); !ok || err != nil || u.Name != "alice" || len(u.Tags) != 1 {
				return fmt.Errorf("GetJSON = %v, %v, %+v", ok, err, u)
			}
			if ok, err := GetJSON(tx, []byte("missing"), &u); ok || err != nil {
				return fmt.Errorf("missing: %v, %v", ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "a", "1", "b", "2")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Update(func(tx Tx) error { return nil }); err == nil {
		t.Fatal("Update after Close succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := fmt.Sprint(scan(t, s, "", "", 0)); got != "[a=1 b=2]" {
		t.Fatalf("after reopen: %s", got)
	}
}
