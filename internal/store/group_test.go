package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// Concurrent Updates that succeed, fail or panic share transactions; each
// fn must run exactly once and only the writes of successful ones may stay.
func TestGroupCommitIsolation(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		const workers, each = 16, 60
		counter := []byte("counter")
		var calls, succeeded atomic.Int64
		boom := errors.New("boom")
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					ok, err := incrementOrFail(s, counter, w, i, &calls, boom)
					if ok {
						succeeded.Add(1)
					} else if err != boom && err != errPanicked {
						t.Errorf("worker %d op %d: %v", w, i, err)
					}
				}
			})
		}
		wg.Wait()
		if calls.Load() != workers*each {
			t.Errorf("fn called %d times for %d Updates", calls.Load(), workers*each)
		}
		s.View(func(tx Tx) error {
			v, _ := tx.Get(counter)
			if got := binary.BigEndian.Uint64(v); got != uint64(succeeded.Load()) {
				t.Errorf("counter = %d, want %d", got, succeeded.Load())
			}
			n := 0
			tx.Scan([]byte("w"), nil, func(k, v []byte) error { n++; return nil })
			if n != int(succeeded.Load()) {
				t.Errorf("%d marker keys, want %d", n, succeeded.Load())
			}
			return nil
		})
		if b := s.(*boltStore).w.batches.Load(); b >= workers*each {
			t.Logf("no batching happened (%d batches)", b) // not an error: timing dependent
		}
	})
}

var errPanicked = errors.New("panicked")

// incrementOrFail bumps counter and writes a marker; every third op then
// fails, every seventh panics. It reports whether the Update succeeded.
func incrementOrFail(s Store, counter []byte, w, i int, calls *atomic.Int64, boom error) (ok bool, err error) {
	defer func() {
		if recover() != nil {
			ok, err = false, errPanicked
		}
	}()
	err = s.Update(func(tx Tx) error {
		calls.Add(1)
		var n uint64
		if v, ok := tx.Get(counter); ok {
			n = binary.BigEndian.Uint64(v)
		}
		tx.Put(counter, binary.BigEndian.AppendUint64(nil, n+1))
		tx.Put(fmt.Appendf(nil, "w%02d-%03d", w, i), []byte("x"))
		switch {
		case i%7 == 3:
			panic("boom")
		case i%3 == 1:
			return boom
		}
		return nil
	})
	return err == nil, err
}

// An fn that ends its goroutine (t.FailNow does) must not wedge the store.
func TestGoexitInUpdate(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				s.Update(func(tx Tx) error {
					tx.Put(fmt.Appendf(nil, "k%02d", i), nil)
					if i%2 == 0 {
						runtime.Goexit()
					}
					return nil
				})
			})
		}
		wg.Wait()
		got := scan(t, s, "k", "", 0)
		if len(got) != 20 {
			t.Fatalf("kept %d keys, want the 20 of fns that returned: %q", len(got), got)
		}
	})
}

// revert must restore exactly the state before a call's writes, including
// keys written twice, created, deleted and never present.
func TestRevertRestoresState(t *testing.T) {
	s, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	put(t, s, "a", "1", "b", "2", "c", "3")
	before := fmt.Sprint(scan(t, s, "", "", 0))
	db := s.(*boltStore).db
	err = db.Update(func(btx *bolt.Tx) error {
		x := &tx{b: btx.Bucket(bucketName), writable: true, logUndo: true}
		x.Put([]byte("a"), []byte("changed"))
		x.Put([]byte("a"), []byte("changed again"))
		x.Delete([]byte("b"))
		x.Put([]byte("b"), []byte("recreated"))
		x.Put([]byte("new"), []byte("x"))
		x.Delete([]byte("new"))
		x.Delete([]byte("never"))
		x.Put([]byte("d"), nil)
		return x.revert()
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := fmt.Sprint(scan(t, s, "", "", 0)); after != before {
		t.Fatalf("after revert %s, want %s", after, before)
	}
}

// An Update that writes nothing must not commit: SQS polls an empty queue
// in an Update and relies on that to cost no fsync.
func TestUpdateWithoutWritesDoesNotCommit(t *testing.T) {
	forEachMode(t, func(t *testing.T, s Store) {
		db := s.(*boltStore).db
		lastTx := func() (id int) {
			_ = db.View(func(btx *bolt.Tx) error { id = btx.ID(); return nil })
			return id
		}
		if err := s.Update(func(tx Tx) error { return tx.Put([]byte("k"), []byte("v")) }); err != nil {
			t.Fatal(err)
		}
		before := lastTx()
		err := s.Update(func(tx Tx) error {
			_, _ = tx.Get([]byte("k"))
			return tx.Scan(nil, nil, func(k, v []byte) error { return nil })
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := lastTx(); got != before {
			t.Errorf("read-only Update committed: transaction id %d → %d", before, got)
		}
		if err := s.Update(func(tx Tx) error { return tx.Delete([]byte("k")) }); err != nil {
			t.Fatal(err)
		}
		if got := lastTx(); got != before+1 {
			t.Errorf("writing Update: transaction id %d → %d, want %d", before, got, before+1)
		}
	})
}
