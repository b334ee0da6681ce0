package sqs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
)

// FIFO queues: a MessageGroupId on every message, deduplication within a
// five-minute window, and a sequence number per message.

// sequenceBase makes sequence numbers 20 digits long, as AWS's are, while
// still increasing with the queue's message counter.
const sequenceBase uint64 = 10_000_000_000_000_000_000

func sequenceNumber(seq uint64) string { return strconv.FormatUint(sequenceBase+seq, 10) }

func (r *region) validateFifo(q *queueRec, m outgoing) error {
	if m.GroupID == "" {
		return errMissing("MessageGroupId")
	}
	if len(m.GroupID) >= 128 || len(m.DedupID) >= 128 {
		return errParam("Message deduplication ID and group ID must be shorter than 128 bytes")
	}
	if m.DedupID == "" && q.Attrs[attrContentDedup] != "true" {
		return errParam("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	}
	return nil
}

// dedupID is the explicit id, else the SHA-256 of the body.
func (r *region) dedupID(q *queueRec, m outgoing) string {
	if m.DedupID != "" {
		return m.DedupID
	}
	sum := sha256.Sum256([]byte(m.Body))
	return hex.EncodeToString(sum[:])
}

// dedupKey scopes an id to the queue or, with DeduplicationScope
// messageGroup, to the message group.
func (r *region) dedupKey(q *queueRec, m outgoing) []byte {
	scope := ""
	if q.Attrs[attrDedupScope] == "messageGroup" {
		scope = m.GroupID
	}
	return r.ns.Key("dedup", q.Name, scope, r.dedupID(q, m))
}

// duplicate finds a send of the same id within the window; AWS accepts the
// duplicate and answers with the original's MessageId.
func (r *region) duplicate(q *queueRec, m outgoing) (sent, bool, error) {
	var d dedupRec
	ok, err := getJSON(r, r.dedupKey(q, m), &d)
	if err != nil || !ok || d.Expires <= r.now {
		return sent{}, false, err
	}
	return sent{
		MessageID: d.MessageID, MD5Body: md5Hex([]byte(m.Body)), MD5Attrs: md5OfAttributes(m.Attrs),
		MD5Sys: md5OfSystemAttributes(m.SysAttrs), SeqNumber: d.SeqNumber,
	}, true, nil
}

func (r *region) remember(q *queueRec, m outgoing, rec *msgRec) error {
	if q.Seq%sweepEvery == 0 {
		if err := r.sweepDedup(q); err != nil {
			return err
		}
	}
	d := dedupRec{MessageID: rec.ID, SeqNumber: rec.SeqNumber, Expires: r.now + dedupWindowMillis}
	return putJSON(r, r.dedupKey(q, m), &d)
}

// sweepEvery spaces the sweeps of expired deduplication records: one scan
// per that many sends keeps the window's records bounded at little cost.
const sweepEvery = 256

func (r *region) sweepDedup(q *queueRec) error {
	var expired [][]byte
	err := r.tx.Scan(r.ns.Prefix("dedup", q.Name), nil, func(key, value []byte) error {
		var d dedupRec
		if json.Unmarshal(value, &d) == nil && d.Expires <= r.now {
			expired = append(expired, append([]byte(nil), key...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range expired {
		if err := r.tx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
