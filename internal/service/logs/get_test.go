package logs

import (
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
)

// putNumbered stores n events "e0".."e<n-1>", one a second.
func putNumbered(t *testing.T, s *Service, n int) []string {
	var events []logsapi.InputLogEvent
	var want []string
	for i := range n {
		msg := fmt.Sprintf("e%d", i)
		events = append(events, ev(time.Duration(i-n)*time.Second, msg))
		want = append(want, msg)
	}
	put(t, s, bg, "g", "s", events...)
	return want
}

func get(t *testing.T, s *Service, in logsapi.GetLogEventsRequest) *logsapi.GetLogEventsResponse {
	t.Helper()
	in.LogGroupName, in.LogStreamName = api.Ptr("g"), api.Ptr("s")
	return must(s.GetLogEvents(bg, &in))(t)
}

var tokenForm = regexp.MustCompile(`^[fb]/\d+$`)

func TestGetLogEventsDefaultIsNewest(t *testing.T) {
	s := newStream(t)
	all := putNumbered(t, s, 10)
	out := get(t, s, logsapi.GetLogEventsRequest{Limit: api.Ptr(int64(3))})
	if got := messagesOf(out.Events); !slices.Equal(got, all[7:]) {
		t.Errorf("tail = %v", got)
	}
	out = get(t, s, logsapi.GetLogEventsRequest{Limit: api.Ptr(int64(3)), StartFromHead: api.Ptr(true)})
	if got := messagesOf(out.Events); !slices.Equal(got, all[:3]) {
		t.Errorf("head = %v", got)
	}
	for _, tok := range []string{api.Deref(out.NextForwardToken), api.Deref(out.NextBackwardToken)} {
		if !tokenForm.MatchString(tok) {
			t.Errorf("token %q is not f/<digits> or b/<digits>", tok)
		}
	}
	if api.Deref(out.Events[0].IngestionTime) == 0 {
		t.Error("no ingestionTime")
	}
}

// readForward pages like the AWS CLI and SDK paginators do: until the
// forward token comes back unchanged.
func readForward(t *testing.T, s *Service, in logsapi.GetLogEventsRequest) []string {
	var got []string
	for range 100 {
		out := get(t, s, in)
		got = append(got, messagesOf(out.Events)...)
		if in.NextToken != nil && api.Deref(out.NextForwardToken) == *in.NextToken {
			if len(out.Events) != 0 {
				t.Fatalf("same token with events %v", messagesOf(out.Events))
			}
			return got
		}
		in.NextToken = out.NextForwardToken
	}
	t.Fatal("forward token never repeated")
	return nil
}

func TestGetLogEventsForwardLoopEndsOnRepeatedToken(t *testing.T) {
	s := newStream(t)
	all := putNumbered(t, s, 10)
	if got := readForward(t, s, logsapi.GetLogEventsRequest{Limit: api.Ptr(int64(4)), StartFromHead: api.Ptr(true)}); !slices.Equal(got, all) {
		t.Errorf("forward = %v", got)
	}
}

func TestGetLogEventsBackwardPaging(t *testing.T) {
	s := newStream(t)
	all := putNumbered(t, s, 10)
	in := logsapi.GetLogEventsRequest{Limit: api.Ptr(int64(4))}
	var pages [][]string
	for range 100 {
		out := get(t, s, in)
		if in.NextToken != nil && api.Deref(out.NextBackwardToken) == *in.NextToken {
			break
		}
		pages = append(pages, messagesOf(out.Events))
		in.NextToken = out.NextBackwardToken
	}
	want := [][]string{all[6:], all[2:6], all[:2]}
	if fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("pages = %v, want %v", pages, want)
	}
}

func TestGetLogEventsTailThenPollForward(t *testing.T) {
	s := newStream(t)
	all := putNumbered(t, s, 3)
	out := get(t, s, logsapi.GetLogEventsRequest{})
	if got := messagesOf(out.Events); !slices.Equal(got, all) {
		t.Fatalf("first read = %v", got)
	}
	// Nothing new: same forward token, no events.
	again := get(t, s, logsapi.GetLogEventsRequest{NextToken: out.NextForwardToken})
	if len(again.Events) != 0 || api.Deref(again.NextForwardToken) != api.Deref(out.NextForwardToken) {
		t.Fatalf("poll = %v, token %s", messagesOf(again.Events), api.Deref(again.NextForwardToken))
	}
	// Going back from the empty page finds the last event again.
	back := get(t, s, logsapi.GetLogEventsRequest{NextToken: again.NextBackwardToken})
	if got := messagesOf(back.Events); !slices.Equal(got, all) {
		t.Errorf("back from empty page = %v", got)
	}
	put(t, s, bg, "g", "s", ev(0, "new"))
	next := get(t, s, logsapi.GetLogEventsRequest{NextToken: out.NextForwardToken})
	if got := messagesOf(next.Events); !slices.Equal(got, []string{"new"}) {
		t.Errorf("after new event = %v", got)
	}
}

func TestGetLogEventsEmptyStreamThenEvents(t *testing.T) {
	s := newStream(t)
	out := get(t, s, logsapi.GetLogEventsRequest{})
	if len(out.Events) != 0 || out.NextForwardToken == nil || out.NextBackwardToken == nil {
		t.Fatalf("empty = %+v", out)
	}
	put(t, s, bg, "g", "s", ev(0, "first"))
	next := get(t, s, logsapi.GetLogEventsRequest{NextToken: out.NextForwardToken})
	if got := messagesOf(next.Events); !slices.Equal(got, []string{"first"}) {
		t.Errorf("poll = %v", got)
	}
}

func TestGetLogEventsTimeWindow(t *testing.T) {
	s := newStream(t)
	put(t, s, bg, "g", "s", ev(-3*time.Second, "a"), ev(-2*time.Second, "b"), ev(-time.Second, "c"), ev(0, "d"))
	out := get(t, s, logsapi.GetLogEventsRequest{StartTime: api.Ptr(ms(-2 * time.Second)), EndTime: api.Ptr(ms(0)), StartFromHead: api.Ptr(true)})
	if got := messagesOf(out.Events); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("window [start, end) = %v", got)
	}
}

func TestGetLogEventsErrors(t *testing.T) {
	s := newStream(t)
	_, err := s.GetLogEvents(bg, &logsapi.GetLogEventsRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s"), NextToken: api.Ptr("x/123")})
	wantError(t, err, "InvalidParameterException", "The specified nextToken is invalid.")
	_, err = s.GetLogEvents(bg, &logsapi.GetLogEventsRequest{LogGroupName: api.Ptr("nope"), LogStreamName: api.Ptr("s")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = s.GetLogEvents(bg, &logsapi.GetLogEventsRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("nope")})
	wantError(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

func TestGetLogEventsByteCap(t *testing.T) {
	s := newStream(t)
	big := string(make([]byte, 400*1024))
	for range 3 {
		put(t, s, bg, "g", "s", ev(0, big))
	}
	out := get(t, s, logsapi.GetLogEventsRequest{StartFromHead: api.Ptr(true)})
	if len(out.Events) != 2 {
		t.Errorf("1 MB page holds %d events of 400 KB", len(out.Events))
	}
}

func TestGetLogEventsTokenWithinWindow(t *testing.T) {
	s := newStream(t)
	all := putNumbered(t, s, 10) // e0 at -10s … e9 at -1s
	in := logsapi.GetLogEventsRequest{StartTime: api.Ptr(ms(-8 * time.Second)), EndTime: api.Ptr(ms(-3 * time.Second)), Limit: api.Ptr(int64(2)), StartFromHead: api.Ptr(true)}
	if got := readForward(t, s, in); !slices.Equal(got, all[2:7]) {
		t.Errorf("forward in window = %v", got)
	}
}
