// Package store is kiri's only persistence layer: an embedded, ordered,
// transactional key-value store that every service keeps its state in.
//
// The interface is deliberately narrow (View, Update, Get, Put, Delete,
// Scan) so that the engine behind it can be swapped without touching the
// services. Today the engine is bbolt, used in two modes that share one code
// path:
//
//   - Open keeps one file, kiri.db, in a directory; an Update that returned
//     nil has been fsynced and survives kill -9 and power loss.
//   - OpenMemory (the --ephemeral mode) runs bbolt on an anonymous memory
//     file, so nothing ever touches the disk.
package store

import "errors"

// Store is an ordered, transactional key-value store.
//
// fn must not call View or Update on the same Store, nor wait for another
// goroutine's Update to finish: concurrent Updates may share a transaction
// (group commit), so either would wait on itself. Keep fn short; it holds up
// every writer.
type Store interface {
	// View runs fn in a read-only transaction.
	View(fn func(Tx) error) error
	// Update runs fn in a read-write transaction; when Update returns nil the writes are durable.
	// If fn returns an error nothing it wrote is kept.
	Update(fn func(Tx) error) error
	Close() error
}

// Tx is a transaction, valid only while the fn it was passed to runs.
// Using it afterwards panics.
type Tx interface {
	Get(key []byte) ([]byte, bool) // returned slice is a copy the caller may keep
	Put(key, value []byte) error
	Delete(key []byte) error
	// Scan visits keys having prefix, in ascending byte order, starting at the first key >= start
	// (start nil or shorter than prefix means from the beginning of the prefix). fn returning
	// ErrStop ends the scan without error. Slices passed to fn are only valid during the call.
	Scan(prefix, start []byte, fn func(key, value []byte) error) error
}

// ErrStop, returned by a Scan callback, ends the scan early without error.
var ErrStop = errors.New("store: stop scan")
