package sqs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"sync"
)

// queueCache remembers decoded queue records by their stored bytes. Every
// message operation reads its queue's record, and decoding the attribute
// map cost more than the rest of a send. An entry is found only when the
// bytes just read from the store are the ones it was decoded from, so it
// cannot go stale: a changed record is a miss, decoded afresh.
type queueCache struct {
	mu      sync.Mutex
	entries map[string]cachedQueue // by store key
}

type cachedQueue struct {
	raw []byte
	rec queueRec
}

// decode returns the queue record stored as raw at key, as a copy the
// caller may change.
func (c *queueCache) decode(key, raw []byte) (*queueRec, error) {
	c.mu.Lock()
	e, ok := c.entries[string(key)]
	c.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return e.rec.clone(), nil
	}
	var q queueRec
	if err := json.Unmarshal(raw, &q); err != nil {
		return nil, fmt.Errorf("sqs: decode queue %q: %w", key, err)
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]cachedQueue{}
	}
	c.entries[string(key)] = cachedQueue{raw: raw, rec: *q.clone()}
	c.mu.Unlock()
	return &q, nil
}

// forget drops the entry of a queue that no longer exists.
func (c *queueCache) forget(key []byte) {
	c.mu.Lock()
	delete(c.entries, string(key))
	c.mu.Unlock()
}

// clone copies q deeply enough that changing the copy leaves q alone.
func (q *queueRec) clone() *queueRec {
	c := *q
	c.Attrs = maps.Clone(q.Attrs)
	c.Tags = maps.Clone(q.Tags)
	return &c
}
