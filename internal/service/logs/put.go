package logs

import (
	"context"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/store"
)

// PutLogEvents' batch limits, as AWS documents them.
const (
	maxBatchEvents = 10000
	maxBatchBytes  = 1048576
	eventOverhead  = 26 // bytes counted per event on top of its message
	maxBatchSpan   = 24 * time.Hour
	maxEventAge    = 14 * 24 * time.Hour
	maxEventAhead  = 2 * time.Hour
)

// inEvent is one event to store.
type inEvent struct {
	TS      int64
	Message string
}

func (s *Service) PutLogEvents(ctx context.Context, in *logsapi.PutLogEventsRequest) (*logsapi.PutLogEventsResponse, error) {
	events := make([]inEvent, len(in.LogEvents))
	for i, e := range in.LogEvents {
		events[i] = inEvent{TS: api.Deref(e.Timestamp), Message: api.Deref(e.Message)}
	}
	if err := checkBatch(events); err != nil {
		return nil, err
	}
	var out logsapi.PutLogEventsResponse
	var pending *batch
	err := s.update(ctx, func(r *region) error {
		group, name := api.Deref(in.LogGroupName), api.Deref(in.LogStreamName)
		g, err := r.mustGroup(group)
		if err != nil {
			return err
		}
		st, err := r.mustStream(group, name)
		if err != nil {
			return err
		}
		accepted, rejected := screen(events, r.now, g.Retention)
		if err := checkSpan(accepted); err != nil {
			return err
		}
		out.RejectedLogEventsInfo = rejected
		st.Uploads++
		out.NextSequenceToken = api.Ptr(sequenceToken(st.Uploads))
		stored, err := r.appendEvents(g, st, accepted)
		if err != nil {
			return err
		}
		pending, err = r.pendingBatch(group, name, stored)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.deliver(pending)
	return &out, nil
}

// checkBatch enforces the rules that fail a whole batch: count, size and
// chronological order.
func checkBatch(events []inEvent) error {
	if len(events) > maxBatchEvents {
		return errInvalid("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to %d", maxBatchEvents)
	}
	size := 0
	for i, e := range events {
		if i > 0 && e.TS < events[i-1].TS {
			return errInvalid("Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(e.Message) + eventOverhead
	}
	if size > maxBatchBytes {
		return errInvalid("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	return nil
}

// checkSpan rejects a batch whose accepted events span more than 24 hours.
func checkSpan(events []inEvent) error {
	if len(events) > 1 && events[len(events)-1].TS-events[0].TS > maxBatchSpan.Milliseconds() {
		return errInvalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	return nil
}

// screen splits a chronological batch into the events AWS accepts and the
// rejectedLogEventsInfo for the rest: too old (over 14 days), expired
// (before the group's retention period) and too new (over 2 hours ahead).
// Since the batch is sorted, each rejected run is a prefix or a suffix.
func screen(events []inEvent, now, retentionDays int64) ([]inEvent, *logsapi.RejectedLogEventsInfo) {
	var info logsapi.RejectedLogEventsInfo
	tooOld := now - maxEventAge.Milliseconds()
	expired := int64(-1 << 62)
	if retentionDays > 0 {
		expired = now - retentionDays*24*time.Hour.Milliseconds()
	}
	tooNew := now + maxEventAhead.Milliseconds()
	start, end := 0, len(events)
	for i, e := range events {
		if e.TS < tooOld {
			info.TooOldLogEventEndIndex = api.Ptr(int64(i))
			start = i + 1
		}
		if e.TS < expired {
			info.ExpiredLogEventEndIndex = api.Ptr(int64(i))
			start = i + 1
		}
		if e.TS > tooNew && end == len(events) {
			info.TooNewLogEventStartIndex = api.Ptr(int64(i))
			end = i
		}
	}
	if start == 0 && end == len(events) {
		return events, nil
	}
	return events[min(start, end):end], &info
}

// appendEvents stores events in st, giving each the next sequence number
// of the group, and updates the stream's and group's statistics. It
// returns the events as stored.
func (r *region) appendEvents(g *groupRec, st *streamRec, events []inEvent) ([]storedEvent, error) {
	stored := make([]storedEvent, 0, len(events))
	for _, e := range events {
		g.LastSeq++
		pos := position{TS: e.TS, Seq: g.LastSeq}
		rec := eventRec{Message: e.Message, Ingestion: r.now}
		if err := store.PutJSON(r.tx, r.ns.Key("event", g.Name, st.Name, pos.String()), rec); err != nil {
			return nil, err
		}
		stored = append(stored, storedEvent{Stream: st.Name, Pos: pos, eventRec: rec})
		if !st.HasEvents || e.TS < st.First {
			st.First = e.TS
		}
		if !st.HasEvents || e.TS > st.Last {
			st.Last = e.TS
		}
		st.HasEvents = true
		st.LastIngestion = r.now
		g.StoredBytes += int64(len(e.Message))
	}
	if err := r.putStream(g.Name, st); err != nil {
		return nil, err
	}
	return stored, r.putGroup(g)
}
