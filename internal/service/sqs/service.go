// Package sqs is kiri's Amazon SQS: standard and FIFO queues with their
// attributes, tags and policy; messages with attributes and AWS's MD5s,
// delays, visibility timeouts, long polling, redrive to dead-letter queues,
// retention, FIFO ordering, message groups and deduplication, and the
// redrive of dead-letter queues by message move tasks (movetask.go).
//
// Every message is a record in the store (see state.go), written before a
// send is acknowledged, so messages and their in-flight state survive a
// restart. Only the long-poll wake-up channels live in memory.
//
// Queue URLs are <Endpoint>/<account>/<queueName>; the gateway must route
// such paths to SQS (SDKs post to the queue URL itself).
package sqs

import (
	"strings"
	"sync"
	"time"

	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/store"
)

// Defaults for calls that carry no request (made inside kiri or by tests).
const (
	defaultEndpoint = "http://127.0.0.1:4566"
)

// Config is what the SQS service needs from the rest of kiri.
type Config struct {
	Store store.Store
	// Endpoint is the base of queue URLs, e.g. http://127.0.0.1:4566.
	Endpoint string
	// Now is the clock; nil means time.Now. Tests inject one to expire
	// visibility timeouts, delays and retention without sleeping.
	Now func() time.Time
}

// Service implements the generated sqs.API on a store.
type Service struct {
	st       store.Store
	endpoint string
	now      func() time.Time

	queues queueCache // decoded queue records

	mu      sync.Mutex
	waiters map[string]chan struct{} // queue key → closed when the queue may have news
	closed  chan struct{}
	once    sync.Once

	tasks sync.WaitGroup // running message move tasks (movetask.go)
}

var _ sqsapi.API = (*Service)(nil)

// New returns the SQS service keeping its state in cfg.Store.
func New(cfg Config) *Service {
	s := &Service{
		st:       cfg.Store,
		endpoint: strings.TrimRight(cfg.Endpoint, "/"),
		now:      cfg.Now,
		waiters:  map[string]chan struct{}{},
		closed:   make(chan struct{}),
	}
	if s.endpoint == "" {
		s.endpoint = defaultEndpoint
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.resumeTasks()
	return s
}

// Close ends every pending long poll (they return what they have, usually
// nothing) and stops the message move tasks, which stay RUNNING in the
// store and resume at the next start; it returns when they have stopped.
// The store is the caller's to close.
func (s *Service) Close() {
	s.once.Do(func() { close(s.closed) })
	s.tasks.Wait()
}

// nowMillis is the current time as SQS reports times: Unix ms.
func (s *Service) nowMillis() int64 { return s.now().UnixMilli() }

func (s *Service) viewIn(acct, reg string, fn func(r *region) error) error {
	return s.st.View(func(tx store.Tx) error { return fn(s.open(tx, acct, reg)) })
}

func (s *Service) updateIn(acct, reg string, fn func(r *region) error) error {
	return s.st.Update(func(tx store.Tx) error { return fn(s.open(tx, acct, reg)) })
}

func (s *Service) open(tx store.Tx, acct, reg string) *region {
	return &region{tx: tx, ns: store.NS("sqs", acct, reg), account: acct, name: reg, now: s.nowMillis(), svc: s}
}

// signal returns the channel closed at the next notify of the queue.
func (s *Service) signal(q queueRef) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.waiters[q.key()]
	if !ok {
		ch = make(chan struct{})
		s.waiters[q.key()] = ch
	}
	return ch
}

// notify wakes every long poll waiting on q. Called after the store commit
// that made messages available, so a woken receiver sees them.
func (s *Service) notify(q queueRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.waiters[q.key()]; ok {
		close(ch)
		delete(s.waiters, q.key())
	}
}
