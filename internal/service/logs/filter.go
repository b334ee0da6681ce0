package logs

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/store"
)

// FilterLogEvents searches a group's streams and returns matching events
// interleaved in timestamp order. Its nextToken is the position of the
// last event returned, base64-encoded.
func (s *Service) FilterLogEvents(ctx context.Context, in *logsapi.FilterLogEventsRequest) (*logsapi.FilterLogEventsResponse, error) {
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != nil {
		return nil, errInvalid("Cannot specify both logStreamNames and logStreamNamePrefix.")
	}
	match, err := compilePattern(api.Deref(in.FilterPattern))
	if err != nil {
		return nil, errInvalid("Invalid filter pattern")
	}
	after, err := filterToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	var out logsapi.FilterLogEventsResponse
	err = s.view(ctx, func(r *region) error {
		group, err := groupIdentifier(r, in.LogGroupName, in.LogGroupIdentifier)
		if err != nil {
			return err
		}
		if _, err := r.mustGroup(group); err != nil {
			return err
		}
		streams, err := r.selectStreams(group, in.LogStreamNames, in.LogStreamNamePrefix)
		if err != nil {
			return err
		}
		limit := limitOf(in.Limit, maxPageEvents, maxPageEvents)
		win := window{start: in.StartTime, end: in.EndTime}
		var found []storedEvent
		for _, stream := range streams {
			matches, err := r.matchStream(group, stream, after, win, match, limit)
			if err != nil {
				return err
			}
			found = append(found, matches...)
		}
		out = filterPage(found, streams, limit)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// selectStreams lists, by name, the streams a filter searches: the named
// ones that exist, those with the prefix, or all.
func (r *region) selectStreams(group string, names []string, prefix *string) ([]string, error) {
	all, err := r.streams(group)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range all {
		switch {
		case len(names) > 0 && !slices.Contains(names, st.Name):
		case prefix != nil && !strings.HasPrefix(st.Name, *prefix):
		default:
			out = append(out, st.Name)
		}
	}
	return out, nil
}

// matchStream collects up to limit+1 events of one stream that come after
// the position after, lie in the window and match. No stream can add more
// than limit events to a page; the one more tells that a next page exists.
func (r *region) matchStream(group, stream string, after position, win window, match matchFunc, limit int) ([]storedEvent, error) {
	from := win.first()
	if from.less(after) {
		from = after
	}
	var out []storedEvent
	err := r.scanStream(group, stream, from, func(e storedEvent) error {
		switch {
		case !win.before(e.Pos.TS):
			return store.ErrStop
		case !after.less(e.Pos) || !match(e.Message):
			return nil
		}
		out = append(out, e)
		if len(out) > limit {
			return store.ErrStop
		}
		return nil
	})
	return out, err
}

// filterPage sorts matches by position (timestamp, then arrival), takes
// one page and reports the searched streams.
func filterPage(found []storedEvent, streams []string, limit int) logsapi.FilterLogEventsResponse {
	slices.SortFunc(found, func(a, b storedEvent) int {
		switch {
		case a.Pos.less(b.Pos):
			return -1
		case b.Pos.less(a.Pos):
			return 1
		}
		return 0
	})
	n := fit(found, limit, false)
	out := logsapi.FilterLogEventsResponse{Events: make([]logsapi.FilteredLogEvent, n)}
	for i, e := range found[:n] {
		out.Events[i] = logsapi.FilteredLogEvent{
			LogStreamName: api.Ptr(e.Stream),
			Timestamp:     api.Ptr(e.Pos.TS),
			Message:       api.Ptr(e.Message),
			IngestionTime: api.Ptr(e.Ingestion),
			EventId:       api.Ptr(e.Pos.String()),
		}
	}
	if n < len(found) {
		out.NextToken = api.Ptr(base64.RawURLEncoding.EncodeToString([]byte(found[n-1].Pos.String())))
	}
	for _, name := range streams {
		out.SearchedLogStreams = append(out.SearchedLogStreams, logsapi.SearchedLogStream{LogStreamName: api.Ptr(name), SearchedCompletely: api.Ptr(true)})
	}
	return out
}

// filterToken decodes FilterLogEvents' nextToken: the events to return
// come after this position. Without a token, that is every event.
func filterToken(token *string) (position, error) {
	if token == nil {
		return position{TS: -1}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil {
		return position{}, errBadToken()
	}
	pos, ok := parsePosition(string(raw))
	if !ok {
		return position{}, errBadToken()
	}
	return pos, nil
}
