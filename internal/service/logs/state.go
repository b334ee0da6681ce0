package logs

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/kiricloud/kiri/internal/store"
)

// Key layout inside the namespace ("logs", account, region):
//
//	("group", name)                        → groupRec
//	("stream", group, stream)              → streamRec
//	("event", group, stream, position)     → eventRec
//
// An event's position is its timestamp and a group-wide sequence number,
// both zero-padded, so a stream's events scan in timestamp order (and, for
// equal timestamps, in arrival order) even when a later PutLogEvents sends
// older events. The same digits are the event's eventId and the payload of
// GetLogEvents tokens.

// groupRec is a stored log group.
type groupRec struct {
	Name        string            `json:"name"`
	Created     int64             `json:"created"`
	Retention   int64             `json:"retention,omitempty"` // days; 0 = never expire
	KmsKeyID    string            `json:"kms,omitempty"`
	Class       string            `json:"class,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	StoredBytes int64             `json:"bytes,omitempty"`
	LastSeq     int64             `json:"seq,omitempty"` // last event sequence number handed out
}

// streamRec is a stored log stream. First/Last are event timestamps; they
// mean nothing until HasEvents.
type streamRec struct {
	Name          string `json:"name"`
	Created       int64  `json:"created"`
	HasEvents     bool   `json:"has,omitempty"`
	First         int64  `json:"first,omitempty"`
	Last          int64  `json:"last,omitempty"`
	LastIngestion int64  `json:"ingested,omitempty"`
	Uploads       int64  `json:"uploads,omitempty"` // PutLogEvents calls, for the sequence token
}

// eventRec is a stored event; its timestamp is in its key.
type eventRec struct {
	Message   string `json:"m"`
	Ingestion int64  `json:"i"`
}

// position orders events: by timestamp, then by arrival.
type position struct {
	TS  int64
	Seq int64
}

const (
	tsDigits  = 20
	seqDigits = 36
)

// String is the 56-digit form used in keys, eventIds and tokens.
func (p position) String() string {
	return fmt.Sprintf("%0*d%0*d", tsDigits, max(p.TS, 0), seqDigits, max(p.Seq, 0))
}

func (p position) less(q position) bool {
	return p.TS < q.TS || p.TS == q.TS && p.Seq < q.Seq
}

func parsePosition(s string) (position, bool) {
	if len(s) != tsDigits+seqDigits {
		return position{}, false
	}
	ts, err1 := strconv.ParseInt(s[:tsDigits], 10, 64)
	seq, err2 := strconv.ParseInt(s[tsDigits:], 10, 64)
	if err1 != nil || err2 != nil || ts < 0 || seq < 0 {
		return position{}, false
	}
	return position{TS: ts, Seq: seq}, true
}

// region is one account's state in one region, inside a transaction.
type region struct {
	tx      store.Tx
	ns      store.Namespace
	account string
	name    string
	now     int64 // ms, fixed for the transaction
}

func (r *region) groupArn(group string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", r.name, r.account, group)
}

func (r *region) streamArn(group, stream string) string {
	return r.groupArn(group) + ":log-stream:" + stream
}

func (r *region) group(name string) (*groupRec, error) {
	var g groupRec
	ok, err := store.GetJSON(r.tx, r.ns.Key("group", name), &g)
	if err != nil || !ok {
		return nil, err
	}
	return &g, nil
}

// mustGroup is group, with ResourceNotFoundException when it is missing.
func (r *region) mustGroup(name string) (*groupRec, error) {
	g, err := r.group(name)
	if err == nil && g == nil {
		err = errGroupNotFound()
	}
	return g, err
}

func (r *region) putGroup(g *groupRec) error {
	return store.PutJSON(r.tx, r.ns.Key("group", g.Name), g)
}

func (r *region) stream(group, name string) (*streamRec, error) {
	var st streamRec
	ok, err := store.GetJSON(r.tx, r.ns.Key("stream", group, name), &st)
	if err != nil || !ok {
		return nil, err
	}
	return &st, nil
}

func (r *region) mustStream(group, name string) (*streamRec, error) {
	st, err := r.stream(group, name)
	if err == nil && st == nil {
		err = errStreamNotFound()
	}
	return st, err
}

func (r *region) putStream(group string, st *streamRec) error {
	return store.PutJSON(r.tx, r.ns.Key("stream", group, st.Name), st)
}

// groups lists every log group, by name.
func (r *region) groups() ([]*groupRec, error) {
	return scanJSON[groupRec](r.tx, r.ns.Prefix("group"))
}

// streams lists the streams of group, by name.
func (r *region) streams(group string) ([]*streamRec, error) {
	return scanJSON[streamRec](r.tx, r.ns.Prefix("stream", group))
}

func scanJSON[T any](tx store.Tx, prefix []byte) ([]*T, error) {
	var out []*T
	err := tx.Scan(prefix, nil, func(key, value []byte) error {
		v := new(T)
		if err := json.Unmarshal(value, v); err != nil {
			return fmt.Errorf("logs: decode %q: %w", key, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// deletePrefix removes every key under prefix. Keys are collected first
// because a transaction's cursor must not see deletes mid-scan.
func (r *region) deletePrefix(prefix []byte) error {
	var keys [][]byte
	err := r.tx.Scan(prefix, nil, func(key, _ []byte) error {
		keys = append(keys, append([]byte(nil), key...))
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := r.tx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// storedEvent is an event as read back from a stream.
type storedEvent struct {
	Stream string
	Pos    position
	eventRec
}

// scanStream visits a stream's events in position order, starting at the
// first event at or after from; fn may end the scan with store.ErrStop.
// Starting at a key rather than filtering keeps a tail poll cheap however
// long the stream grows.
func (r *region) scanStream(group, stream string, from position, fn func(e storedEvent) error) error {
	return r.scanEvents(r.ns.Prefix("event", group, stream), r.ns.Key("event", group, stream, from.String()), fn)
}

func (r *region) scanEvents(prefix, start []byte, fn func(e storedEvent) error) error {
	return r.tx.Scan(prefix, start, func(key, value []byte) error {
		parts, ok := r.ns.Parts(key)
		if !ok || len(parts) != 4 {
			return fmt.Errorf("logs: malformed event key %q", key)
		}
		pos, ok := parsePosition(parts[3])
		if !ok {
			return fmt.Errorf("logs: malformed event position %q", parts[3])
		}
		e := storedEvent{Stream: parts[2], Pos: pos}
		if err := json.Unmarshal(value, &e.eventRec); err != nil {
			return fmt.Errorf("logs: decode %q: %w", key, err)
		}
		return fn(e)
	})
}
