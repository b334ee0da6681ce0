package logs

import (
	"context"
	"math"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/store"
)

// GetLogEvents and FilterLogEvents return at most this many events, and
// at most maxPageBytes of them (messages plus the per-event overhead).
const (
	maxPageEvents = 10000
	maxPageBytes  = 1048576
)

// A GetLogEvents token is "f/<position>" or "b/<position>": a boundary,
// exclusive, to read forward (events after it) or backward (events before
// it) from. When a page is empty the token of its direction comes back
// unchanged, which is how clients know they have read everything.
type cursor struct {
	forward bool
	at      position
}

func (c cursor) String() string {
	if c.forward {
		return "f/" + c.at.String()
	}
	return "b/" + c.at.String()
}

func parseCursor(s string) (cursor, bool) {
	dir, digits, ok := strings.Cut(s, "/")
	if !ok || dir != "f" && dir != "b" {
		return cursor{}, false
	}
	at, ok := parsePosition(digits)
	return cursor{forward: dir == "f", at: at}, ok
}

// startCursor is where a read without a token begins: before the first
// event (startFromHead) or after the last.
func startCursor(fromHead bool) cursor {
	if fromHead {
		return cursor{forward: true}
	}
	return cursor{at: position{TS: math.MaxInt64, Seq: math.MaxInt64}}
}

func (s *Service) GetLogEvents(ctx context.Context, in *logsapi.GetLogEventsRequest) (*logsapi.GetLogEventsResponse, error) {
	cur := startCursor(api.Deref(in.StartFromHead))
	tokenGiven := in.NextToken != nil
	if tokenGiven {
		var ok bool
		if cur, ok = parseCursor(*in.NextToken); !ok {
			return nil, errBadToken()
		}
	}
	var out *logsapi.GetLogEventsResponse
	err := s.view(ctx, func(r *region) error {
		group, err := groupIdentifier(r, in.LogGroupName, in.LogGroupIdentifier)
		if err != nil {
			return err
		}
		if _, err := r.mustGroup(group); err != nil {
			return err
		}
		stream := api.Deref(in.LogStreamName)
		if _, err := r.mustStream(group, stream); err != nil {
			return err
		}
		limit := limitOf(in.Limit, maxPageEvents, maxPageEvents)
		candidates, err := r.readStream(group, stream, cur, window{start: in.StartTime, end: in.EndTime}, limit)
		if err != nil {
			return err
		}
		out = pageFrom(candidates, cur, tokenGiven, limit)
		return nil
	})
	return out, err
}

// readStream collects the events of the window on cur's side of its
// boundary, in position order. Reading forward it stops after limit
// events, which is all a page can hold.
func (r *region) readStream(group, stream string, cur cursor, win window, limit int) ([]storedEvent, error) {
	from := win.first()
	if cur.forward && from.less(cur.at) {
		from = cur.at
	}
	var out []storedEvent
	err := r.scanStream(group, stream, from, func(e storedEvent) error {
		if !win.before(e.Pos.TS) || !cur.forward && !e.Pos.less(cur.at) {
			return store.ErrStop
		}
		if cur.forward && !cur.at.less(e.Pos) {
			return nil // the boundary event itself
		}
		out = append(out, e)
		if cur.forward && len(out) == limit {
			return store.ErrStop
		}
		return nil
	})
	return out, err
}

// pageFrom takes one page from candidates, the events on cur's side of its
// boundary in position order, and sets both tokens.
func pageFrom(candidates []storedEvent, cur cursor, tokenGiven bool, limit int) *logsapi.GetLogEventsResponse {
	var page []storedEvent
	if cur.forward {
		page = candidates[:fit(candidates, limit, false)]
	} else {
		page = candidates[len(candidates)-fit(candidates, limit, true):]
	}
	out := &logsapi.GetLogEventsResponse{Events: make([]logsapi.OutputLogEvent, len(page))}
	for i, e := range page {
		out.Events[i] = logsapi.OutputLogEvent{Timestamp: api.Ptr(e.Pos.TS), Message: api.Ptr(e.Message), IngestionTime: api.Ptr(e.Ingestion)}
	}
	fwd, back := emptyPageTokens(cur, tokenGiven)
	if len(page) > 0 {
		fwd = cursor{forward: true, at: page[len(page)-1].Pos}
		back = cursor{at: page[0].Pos}
	}
	out.NextForwardToken, out.NextBackwardToken = api.Ptr(fwd.String()), api.Ptr(back.String())
	return out
}

// emptyPageTokens are the tokens of a page without events. The token of
// the direction read is the one given, so a client's loop ends; the other
// one points just past the boundary, so reading back includes the event
// the boundary named. A first read of an empty stream points both before
// everything, so a forward poll then sees every event that arrives.
func emptyPageTokens(cur cursor, tokenGiven bool) (fwd, back cursor) {
	if !tokenGiven {
		return cursor{forward: true}, cursor{}
	}
	if cur.forward {
		return cur, cursor{at: position{TS: cur.at.TS, Seq: cur.at.Seq + 1}}
	}
	prev := cur.at
	if prev.Seq > 0 {
		prev.Seq--
	}
	return cursor{forward: true, at: prev}, cur
}

// fit counts how many events, from the start (or the end, fromEnd), fit in
// one page of limit events and maxPageBytes.
func fit(events []storedEvent, limit int, fromEnd bool) int {
	n, size := 0, 0
	for n < len(events) && n < limit {
		e := events[n]
		if fromEnd {
			e = events[len(events)-1-n]
		}
		size += len(e.Message) + eventOverhead
		if size > maxPageBytes && n > 0 {
			break
		}
		n++
	}
	return n
}

// window is a startTime/endTime pair: start inclusive, end exclusive.
type window struct{ start, end *int64 }

// before reports whether ts is before the window's end.
func (w window) before(ts int64) bool { return w.end == nil || ts < *w.end }

// first is the position where the window's events begin.
func (w window) first() position {
	if w.start == nil {
		return position{}
	}
	return position{TS: *w.start}
}
