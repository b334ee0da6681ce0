package store

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileName is the database file Open keeps in its directory.
const FileName = "kiri.db"

// bucketName is the single bucket holding every key, so Scan order is the
// byte order of full keys.
var bucketName = []byte("kiri")

// lockTimeout bounds the wait for the file lock, so a second kiri on the
// same directory fails instead of hanging.
const lockTimeout = 2 * time.Second

// boltStore is the bbolt-backed Store, durable or in memory.
type boltStore struct {
	db       *bolt.DB
	w        *writer
	cleanup  func() error // removes what Close must not leave behind
	once     sync.Once
	closeErr error
}

// Open opens (creating if needed) the durable store in dir.
func Open(dir string) (Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	s, err := openBolt(filepath.Join(dir, FileName), durableOptions())
	if err != nil {
		return nil, err
	}
	syncDir(dir)
	return s, nil
}

// OpenMemory opens an empty store that lives only in memory and vanishes
// on Close; it runs the same bbolt code as Open (see memory_*.go).
func OpenMemory() (Store, error) {
	return openMemory()
}

// durableOptions: the hashmap freelist stays fast as the file fragments,
// and statistics (unused) would add a mutex to every transaction.
func durableOptions() *bolt.Options {
	return &bolt.Options{
		Timeout:      lockTimeout,
		FreelistType: bolt.FreelistMapType,
		NoStatistics: true,
	}
}

// memoryOptions skip the work that only matters for a file that must
// survive a crash: there is nothing to recover after one.
func memoryOptions() *bolt.Options {
	o := durableOptions()
	o.NoSync = true
	o.NoGrowSync = true
	o.NoFreelistSync = true
	return o
}

func openBolt(path string, opts *bolt.Options) (*boltStore, error) {
	db, err := bolt.Open(path, 0o600, opts)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	err = db.Update(func(btx *bolt.Tx) error {
		_, err := btx.CreateBucketIfNotExists(bucketName)
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: init %s: %w", path, err)
	}
	return &boltStore{db: db, w: newWriter(db)}, nil
}

// syncDir makes the creation of the database file itself durable. It is
// best effort: some systems cannot fsync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

func (s *boltStore) View(fn func(Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error {
		t := &tx{b: btx.Bucket(bucketName)}
		defer func() { t.closed = true }()
		return fn(t)
	})
}

func (s *boltStore) Update(fn func(Tx) error) error {
	return s.w.update(fn)
}

// Close waits for the running write transaction, then closes the database;
// later calls fail. Closing twice is harmless.
func (s *boltStore) Close() error {
	s.once.Do(func() {
		s.closeErr = s.db.Close()
		if s.cleanup != nil {
			if err := s.cleanup(); s.closeErr == nil {
				s.closeErr = err
			}
		}
	})
	return s.closeErr
}
