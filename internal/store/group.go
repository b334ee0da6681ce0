package store

import (
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// Group commit.
//
// An fsync costs milliseconds, so concurrent Updates share one bbolt write
// transaction and one commit. bbolt's own DB.Batch is not used because it
// breaks Update's contract in two ways: it may call fn more than once (when
// another fn in the batch fails the whole batch is retried), and a lone
// caller always waits MaxBatchDelay (10ms) for company.
//
// Instead Updates queue up. The first caller with no leader active leads: it
// takes the whole queue as a batch, begins one bbolt transaction, runs its
// own fn, then wakes each follower in queue order to run its fn on its own
// goroutine (so panics and runtime.Goexit unwind the right goroutine), then
// commits once and hands leadership to the first call that queued meanwhile.
// A lone caller therefore commits at once, and batches grow exactly while a
// commit is in progress.
//
// Each fn runs exactly once. When the transaction is shared, every write
// records the key's prior state, and an fn that fails or panics has its
// writes undone before the next fn runs; the commit holds only the writes of
// fns that returned nil, and each of those Updates returns nil only if that
// commit succeeded. A batch of one fn that fails is simply rolled back.

// writer serialises and groups Updates.
type writer struct {
	db *bolt.DB

	mu    sync.Mutex
	queue []*call // calls not yet in a batch; queue[0] leads next
	busy  bool    // a leader is active

	ack chan struct{} // a follower's fn has finished

	batches atomic.Uint64 // batches run, for tests and benchmarks
}

// A msg tells a waiting call what to do next.
type msg int

const (
	msgRun  msg = iota // run fn on call.b
	msgLead            // lead the next batch
	msgDone            // the batch is over; result is set
)

// call is one Update.
type call struct {
	fn   func(Tx) error
	wake chan msg // buffered: a sender never waits on a dead goroutine

	b       *bolt.Bucket // set before msgRun
	shared  bool         // the bbolt tx holds other calls too
	failed  bool         // fn returned an error or panicked
	wrote   bool         // fn put or deleted something
	err     error        // fn's error
	undoErr error        // undoing a failed fn's writes failed
	commit  error        // outcome of the batch's commit
}

func newWriter(db *bolt.DB) *writer {
	return &writer{db: db, ack: make(chan struct{})}
}

// update is Store.Update.
func (w *writer) update(fn func(Tx) error) error {
	c := &call{fn: fn, wake: make(chan msg, 1)}
	if w.enqueue(c) {
		w.lead(c)
		return c.result()
	}
	switch <-c.wake {
	case msgLead:
		w.lead(c)
	case msgRun:
		w.follow(c)
		<-c.wake // msgDone
	case msgDone: // the batch failed before fn could run
	}
	return c.result()
}

// enqueue adds c to the queue and reports whether c must lead.
func (w *writer) enqueue(c *call) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.queue = append(w.queue, c)
	lead := !w.busy
	w.busy = true
	return lead
}

func (c *call) result() error {
	if c.failed {
		return c.err
	}
	return c.commit
}

// lead runs one batch, which starts with self. The rest of the batch and the
// commit run deferred, so they happen even if self's fn panics.
func (w *writer) lead(self *call) {
	batch := w.take()
	w.batches.Add(1)
	btx, err := w.db.Begin(true)
	if err != nil {
		w.finish(batch, err)
		return
	}
	b := btx.Bucket(bucketName)
	defer w.complete(btx, b, batch)
	self.b, self.shared = b, len(batch) > 1
	self.run()
}

// take removes the whole queue as the next batch.
func (w *writer) take() []*call {
	w.mu.Lock()
	defer w.mu.Unlock()
	batch := w.queue
	w.queue = nil
	return batch
}

// complete runs the followers' fns, commits, and ends the batch.
func (w *writer) complete(btx *bolt.Tx, b *bolt.Bucket, batch []*call) {
	for _, c := range batch[1:] {
		c.b, c.shared = b, true
		c.wake <- msgRun
		<-w.ack
	}
	w.finish(batch, commit(btx, batch))
}

// commit commits btx unless no successful fn wrote anything or an undo
// failed; in the latter case every successful call gets the undo error
// instead. Skipping empty commits lets callers write in an Update only when
// there is something to write without paying a commit (and an fsync) when
// there is not.
func commit(btx *bolt.Tx, batch []*call) error {
	anyWrite := false
	for _, c := range batch {
		if c.undoErr != nil {
			_ = btx.Rollback()
			return c.undoErr
		}
		anyWrite = anyWrite || (!c.failed && c.wrote)
	}
	if !anyWrite {
		return btx.Rollback()
	}
	return btx.Commit()
}

// finish hands out the batch's outcome and passes leadership on.
func (w *writer) finish(batch []*call, err error) {
	for i, c := range batch {
		c.commit = err
		if i > 0 {
			c.wake <- msgDone
		}
	}
	w.handoff()
}

func (w *writer) handoff() {
	w.mu.Lock()
	if len(w.queue) == 0 {
		w.busy = false
		w.mu.Unlock()
		return
	}
	next := w.queue[0]
	w.mu.Unlock()
	next.wake <- msgLead
}

// follow runs c's fn for the leader and acknowledges even if fn panics.
func (w *writer) follow(c *call) {
	defer func() { w.ack <- struct{}{} }()
	c.run()
}

// run calls fn once. If fn fails, panics or calls runtime.Goexit, its writes
// are undone (shared tx) or left for the rollback (tx of its own).
func (c *call) run() {
	t := &tx{b: c.b, writable: true, logUndo: c.shared}
	returned := false
	defer func() {
		t.closed = true
		c.failed = !returned || c.err != nil
		c.wrote = t.gen > 0
		if c.failed && c.shared {
			c.undoErr = t.revert()
		}
	}()
	c.err = c.fn(t)
	returned = true
}
