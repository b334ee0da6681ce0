package store

import (
	"bytes"
	"errors"

	bolt "go.etcd.io/bbolt"
)

// tx adapts the kiri bucket of a bbolt transaction to Tx for one fn call.
// A write transaction may be shared by several Update calls (see group.go);
// each call gets its own tx so that its writes can be undone on its own.
type tx struct {
	b        *bolt.Bucket
	writable bool
	logUndo  bool   // record undo entries: the bbolt tx is shared
	undo     []undo // prior state of every key written, oldest first
	gen      uint64 // bumped by every write, so Scan notices them
	closed   bool
}

// undo is the state of a key before one write to it.
type undo struct {
	key, old []byte
	existed  bool
}

func (t *tx) check() {
	if t.closed {
		panic("store: Tx used after its transaction ended")
	}
}

func (t *tx) Get(key []byte) ([]byte, bool) {
	t.check()
	v, ok := t.lookup(key)
	if !ok {
		return nil, false
	}
	return append(make([]byte, 0, len(v)), v...), true
}

// lookup returns bbolt's own slice, telling an empty value from a missing
// key (Bucket.Get returns nil for both).
func (t *tx) lookup(key []byte) ([]byte, bool) {
	k, v := t.b.Cursor().Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		return nil, false
	}
	return v, true
}

func (t *tx) Put(key, value []byte) error {
	t.check()
	prior := t.remember(key)
	// bbolt keeps value until commit, so the caller's buffer must not be.
	if err := t.b.Put(key, bytes.Clone(value)); err != nil {
		return err
	}
	t.wrote(prior)
	return nil
}

func (t *tx) Delete(key []byte) error {
	t.check()
	prior := t.remember(key)
	if err := t.b.Delete(key); err != nil {
		return err
	}
	t.wrote(prior)
	return nil
}

// remember captures key's current state if this tx keeps an undo log.
func (t *tx) remember(key []byte) *undo {
	if !t.logUndo {
		return nil
	}
	old, ok := t.lookup(key)
	return &undo{key: bytes.Clone(key), old: bytes.Clone(old), existed: ok}
}

func (t *tx) wrote(prior *undo) {
	t.gen++
	if prior != nil {
		t.undo = append(t.undo, *prior)
	}
}

// revert undoes every write of this tx, newest first, so the earliest
// entry of a key written twice restores its original state.
func (t *tx) revert() error {
	var errs []error
	for i := len(t.undo) - 1; i >= 0; i-- {
		u := t.undo[i]
		if u.existed {
			errs = append(errs, t.b.Put(u.key, u.old))
		} else {
			errs = append(errs, t.b.Delete(u.key))
		}
	}
	t.undo = nil
	return errors.Join(errs...)
}

func (t *tx) Scan(prefix, start []byte, fn func(key, value []byte) error) error {
	t.check()
	c := t.b.Cursor()
	var last []byte
	for k, v := c.Seek(scanFrom(prefix, start)); k != nil && bytes.HasPrefix(k, prefix); {
		if t.writable {
			last = append(last[:0], k...)
		}
		gen := t.gen
		if err := fn(k, v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
		k, v = t.advance(c, gen, last)
	}
	return nil
}

// scanFrom is where a Scan starts: start when it lies inside the prefix
// range, else the beginning of the prefix.
func scanFrom(prefix, start []byte) []byte {
	if len(start) < len(prefix) || bytes.Compare(start, prefix) < 0 {
		return prefix
	}
	return start
}

// advance moves c past last. bbolt cursors are not stable across writes,
// so if fn wrote anything the cursor seeks back to where it was; that makes
// delete-while-scanning safe.
func (t *tx) advance(c *bolt.Cursor, gen uint64, last []byte) ([]byte, []byte) {
	if t.gen == gen {
		return c.Next()
	}
	k, v := c.Seek(last)
	if k != nil && bytes.Equal(k, last) {
		return c.Next()
	}
	return k, v
}
