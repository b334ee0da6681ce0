package logs

import (
	"slices"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
)

func filteredMessages(events []logsapi.FilteredLogEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = api.Deref(e.Message)
	}
	return out
}

// filterFixture is a group with two streams whose events interleave.
func filterFixture(t *testing.T) *Service {
	s := newTestService(t)
	createGroup(t, s, bg, "g")
	createStream(t, s, bg, "g", "app-1")
	createStream(t, s, bg, "g", "app-2")
	createStream(t, s, bg, "g", "web")
	put(t, s, bg, "g", "app-1", ev(-4*time.Second, "ERROR one"), ev(-2*time.Second, "INFO two"))
	put(t, s, bg, "g", "app-2", ev(-3*time.Second, "ERROR three"), ev(-time.Second, `{"level":"error","ms":5}`))
	put(t, s, bg, "g", "web", ev(0, "WARN five"))
	return s
}

func filter(t *testing.T, s *Service, in logsapi.FilterLogEventsRequest) *logsapi.FilterLogEventsResponse {
	t.Helper()
	in.LogGroupName = api.Ptr("g")
	return must(s.FilterLogEvents(bg, &in))(t)
}

func TestFilterLogEventsInterleavesStreams(t *testing.T) {
	s := filterFixture(t)
	out := filter(t, s, logsapi.FilterLogEventsRequest{})
	want := []string{"ERROR one", "ERROR three", "INFO two", `{"level":"error","ms":5}`, "WARN five"}
	if got := filteredMessages(out.Events); !slices.Equal(got, want) {
		t.Errorf("events = %v", got)
	}
	ids := map[string]bool{}
	for _, e := range out.Events {
		if e.LogStreamName == nil || e.Timestamp == nil || e.IngestionTime == nil || api.Deref(e.EventId) == "" {
			t.Errorf("incomplete event %+v", e)
		}
		ids[api.Deref(e.EventId)] = true
	}
	if len(ids) != len(out.Events) {
		t.Errorf("eventIds not unique: %v", ids)
	}
	if len(out.SearchedLogStreams) != 3 || !api.Deref(out.SearchedLogStreams[0].SearchedCompletely) {
		t.Errorf("searched = %+v", out.SearchedLogStreams)
	}
	if out.NextToken != nil {
		t.Errorf("nextToken on the only page: %s", *out.NextToken)
	}
}

func TestFilterLogEventsSelection(t *testing.T) {
	s := filterFixture(t)
	tests := []struct {
		name string
		in   logsapi.FilterLogEventsRequest
		want []string
	}{
		{"pattern", logsapi.FilterLogEventsRequest{FilterPattern: api.Ptr("ERROR")}, []string{"ERROR one", "ERROR three"}},
		{"or", logsapi.FilterLogEventsRequest{FilterPattern: api.Ptr("?WARN ?INFO")}, []string{"INFO two", "WARN five"}},
		{"json", logsapi.FilterLogEventsRequest{FilterPattern: api.Ptr(`{ $.level = "error" }`)}, []string{`{"level":"error","ms":5}`}},
		{"names", logsapi.FilterLogEventsRequest{LogStreamNames: []string{"web", "app-1", "missing"}}, []string{"ERROR one", "INFO two", "WARN five"}},
		{"prefix", logsapi.FilterLogEventsRequest{LogStreamNamePrefix: api.Ptr("app-2")}, []string{"ERROR three", `{"level":"error","ms":5}`}},
		{"window", logsapi.FilterLogEventsRequest{StartTime: api.Ptr(ms(-3 * time.Second)), EndTime: api.Ptr(ms(-time.Second))}, []string{"ERROR three", "INFO two"}},
	}
	for _, tt := range tests {
		if got := filteredMessages(filter(t, s, tt.in).Events); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	out := filter(t, s, logsapi.FilterLogEventsRequest{LogStreamNamePrefix: api.Ptr("app-")})
	if len(out.SearchedLogStreams) != 2 {
		t.Errorf("searched = %d streams", len(out.SearchedLogStreams))
	}
}

func TestFilterLogEventsPagination(t *testing.T) {
	s := filterFixture(t)
	var got []string
	var token *string
	for range 10 {
		out := filter(t, s, logsapi.FilterLogEventsRequest{Limit: api.Ptr(int64(2)), NextToken: token})
		got = append(got, filteredMessages(out.Events)...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	want := []string{"ERROR one", "ERROR three", "INFO two", `{"level":"error","ms":5}`, "WARN five"}
	if !slices.Equal(got, want) {
		t.Errorf("paged = %v", got)
	}
}

func TestFilterLogEventsErrors(t *testing.T) {
	s := filterFixture(t)
	_, err := s.FilterLogEvents(bg, &logsapi.FilterLogEventsRequest{LogGroupName: api.Ptr("g"), FilterPattern: api.Ptr(`{ $.a = `)})
	wantError(t, err, "InvalidParameterException", "Invalid filter pattern")
	_, err = s.FilterLogEvents(bg, &logsapi.FilterLogEventsRequest{LogGroupName: api.Ptr("g"), LogStreamNames: []string{"a"}, LogStreamNamePrefix: api.Ptr("a")})
	wantError(t, err, "InvalidParameterException", "")
	_, err = s.FilterLogEvents(bg, &logsapi.FilterLogEventsRequest{LogGroupName: api.Ptr("nope")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = s.FilterLogEvents(bg, &logsapi.FilterLogEventsRequest{LogGroupName: api.Ptr("g"), NextToken: api.Ptr("garbage")})
	wantError(t, err, "InvalidParameterException", "The specified nextToken is invalid.")
}

func TestFilterLogEventsPaginationWithinWindow(t *testing.T) {
	s := filterFixture(t)
	var got []string
	var token *string
	for range 10 {
		out := filter(t, s, logsapi.FilterLogEventsRequest{Limit: api.Ptr(int64(1)), NextToken: token,
			StartTime: api.Ptr(ms(-3 * time.Second)), EndTime: api.Ptr(ms(0)), FilterPattern: api.Ptr("-WARN")})
		got = append(got, filteredMessages(out.Events)...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	want := []string{"ERROR three", "INFO two", `{"level":"error","ms":5}`}
	if !slices.Equal(got, want) {
		t.Errorf("paged = %v", got)
	}
}

func TestFilterLogEventsPaginationOneStream(t *testing.T) {
	s := newStream(t)
	want := putNumbered(t, s, 7)
	var got []string
	var token *string
	for range 10 {
		out := filter(t, s, logsapi.FilterLogEventsRequest{Limit: api.Ptr(int64(3)), NextToken: token})
		got = append(got, filteredMessages(out.Events)...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged = %v", got)
	}
}
