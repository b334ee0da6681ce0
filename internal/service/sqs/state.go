package sqs

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/store"
)

// Key layout inside the namespace ("sqs", account, region):
//
//	("queue", name)             → queueRec
//	("msg", name, seq)          → msgRec, seq a 20-digit send counter
//	("dedup", name, scope, id)  → dedupRec (FIFO deduplication window)
//	("movetask", name, seq)     → moveTask (movetask.go), seq a 20-digit task counter
//
// Messages scan in send order, which is the delivery order of FIFO groups
// and the best-effort order of standard queues.

// queueRec is a stored queue. Attrs holds the settable attributes, defaults
// filled in at creation, as the strings GetQueueAttributes returns.
type queueRec struct {
	Name      string            `json:"name"`
	Attrs     map[string]string `json:"attrs"`
	Tags      map[string]string `json:"tags,omitempty"`
	Created   int64             `json:"created"`  // Unix s
	Modified  int64             `json:"modified"` // Unix s
	LastPurge int64             `json:"purge,omitempty"`
	Seq       uint64            `json:"seq,omitempty"`     // last message counter handed out
	MoveSeq   uint64            `json:"moveseq,omitempty"` // last message move task counter handed out
}

func (q *queueRec) fifo() bool { return q.Attrs[attrFifoQueue] == "true" }

// msgRec is a stored message with its delivery state.
type msgRec struct {
	ID           string                                  `json:"id"`
	Body         string                                  `json:"body"`
	Attrs        map[string]sqsapi.MessageAttributeValue `json:"attrs,omitempty"`
	TraceHeader  string                                  `json:"trace,omitempty"`
	MD5Body      string                                  `json:"md5"`
	Sent         int64                                   `json:"sent"`    // ms; retention counts from here
	VisibleAt    int64                                   `json:"visible"` // ms; delayed or in flight until then
	ReceiveCount int64                                   `json:"rc,omitempty"`
	FirstReceive int64                                   `json:"first,omitempty"`
	Token        string                                  `json:"token,omitempty"` // of the latest receipt handle
	SenderID     string                                  `json:"sender"`          // the sending account, as AWS shows for root callers
	GroupID      string                                  `json:"group,omitempty"`
	DedupID      string                                  `json:"dedup,omitempty"`
	SeqNumber    string                                  `json:"seqnum,omitempty"`
	DLQSource    string                                  `json:"dlqsrc,omitempty"`
}

// inFlight is true for a received message within its visibility timeout.
func (m *msgRec) inFlight(now int64) bool { return m.ReceiveCount > 0 && m.VisibleAt > now }

// delayed is true for a never-received message still within its delay.
func (m *msgRec) delayed(now int64) bool { return m.ReceiveCount == 0 && m.VisibleAt > now }

type dedupRec struct {
	MessageID string `json:"id"`
	SeqNumber string `json:"seqnum"`
	Expires   int64  `json:"exp"` // ms
}

// queueRef names a queue across accounts and regions.
type queueRef struct{ account, region, name string }

func (q queueRef) key() string { return q.account + "/" + q.region + "/" + q.name }

// region is one account's SQS state in one region, inside a transaction.
type region struct {
	tx      store.Tx
	ns      store.Namespace
	account string
	name    string
	now     int64 // ms, fixed for the transaction
	svc     *Service
	// woken collects the queues that gained available messages, to notify
	// after the commit.
	woken []queueRef
}

func (r *region) ref(queue string) queueRef { return queueRef{r.account, r.name, queue} }

func (r *region) arn(queue string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", r.name, r.account, queue)
}

func (r *region) url(queue string) string {
	return r.svc.endpoint + "/" + r.account + "/" + queue
}

func (r *region) queue(name string) (*queueRec, error) {
	key := r.ns.Key("queue", name)
	raw, ok := r.tx.Get(key)
	if !ok {
		r.svc.queues.forget(key)
		return nil, nil
	}
	return r.svc.queues.decode(key, raw)
}

// mustQueue is queue, with QueueDoesNotExist when it is missing.
func (r *region) mustQueue(name string) (*queueRec, error) {
	q, err := r.queue(name)
	if err == nil && q == nil {
		err = errNoQueue()
	}
	return q, err
}

func (r *region) putQueue(q *queueRec) error {
	return store.PutJSON(r.tx, r.ns.Key("queue", q.Name), q)
}

func (r *region) queues() ([]*queueRec, error) {
	var out []*queueRec
	err := r.tx.Scan(r.ns.Prefix("queue"), nil, func(key, value []byte) error {
		q := new(queueRec)
		if err := json.Unmarshal(value, q); err != nil {
			return fmt.Errorf("sqs: decode %q: %w", key, err)
		}
		out = append(out, q)
		return nil
	})
	return out, err
}

func seqKey(seq uint64) string { return fmt.Sprintf("%020d", seq) }

func (r *region) putMsg(queue, seq string, m *msgRec) error {
	return store.PutJSON(r.tx, r.ns.Key("msg", queue, seq), m)
}

func (r *region) deleteMsg(queue, seq string) error {
	return r.tx.Delete(r.ns.Key("msg", queue, seq))
}

func (r *region) msg(queue, seq string) (*msgRec, error) {
	var m msgRec
	ok, err := store.GetJSON(r.tx, r.ns.Key("msg", queue, seq), &m)
	if err != nil || !ok {
		return nil, err
	}
	return &m, nil
}

// storedMsg is a message with its key.
type storedMsg struct {
	seq string
	*msgRec
}

// scanMsgs visits a queue's messages in send order; fn may stop the scan
// with store.ErrStop.
func (r *region) scanMsgs(queue string, fn func(m storedMsg) error) error {
	prefix := r.ns.Prefix("msg", queue)
	return r.tx.Scan(prefix, nil, func(key, value []byte) error {
		parts, ok := r.ns.Parts(key)
		if !ok || len(parts) != 3 {
			return nil
		}
		m := new(msgRec)
		if err := json.Unmarshal(value, m); err != nil {
			return fmt.Errorf("sqs: decode %q: %w", key, err)
		}
		return fn(storedMsg{seq: parts[2], msgRec: m})
	})
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

// queueFromURL finds the account and queue name in a QueueUrl: the last two
// path segments of <endpoint>/<account>/<name>, whatever the host. A bare
// queue name is accepted too, as AWS does for some old clients.
func queueFromURL(raw, account string) (acct, name string, err error) {
	path := raw
	if u, perr := url.Parse(raw); perr == nil && u.Host != "" {
		path = u.Path
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(segs) == 1 && segs[0] != "":
		return account, segs[0], nil
	case len(segs) >= 2 && segs[len(segs)-1] != "":
		return segs[len(segs)-2], segs[len(segs)-1], nil
	}
	return "", "", errInvalidAddress(raw)
}

// parseArn splits arn:aws:sqs:region:account:name.
func parseArn(arn string) (queueRef, bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[5] == "" {
		return queueRef{}, false
	}
	return queueRef{account: parts[4], region: parts[3], name: parts[5]}, true
}

func getJSON(r *region, key []byte, v any) (bool, error) { return store.GetJSON(r.tx, key, v) }

func putJSON(r *region, key []byte, v any) error { return store.PutJSON(r.tx, key, v) }
