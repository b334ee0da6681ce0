package logs

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
)

func newStream(t testing.TB) *Service {
	s := newTestService(t)
	createGroup(t, s, bg, "g")
	createStream(t, s, bg, "g", "s")
	return s
}

func TestPutLogEventsMissingGroupOrStream(t *testing.T) {
	s := newTestService(t)
	in := &logsapi.PutLogEventsRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s"), LogEvents: []logsapi.InputLogEvent{ev(0, "x")}}
	_, err := s.PutLogEvents(bg, in)
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	createGroup(t, s, bg, "g")
	_, err = s.PutLogEvents(bg, in)
	wantError(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

func TestPutLogEventsChronological(t *testing.T) {
	s := newStream(t)
	_, err := s.PutLogEvents(bg, &logsapi.PutLogEventsRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s"),
		LogEvents: []logsapi.InputLogEvent{ev(0, "late"), ev(-time.Second, "early")}})
	wantError(t, err, "InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
}

func TestPutLogEventsBatchLimits(t *testing.T) {
	s := newStream(t)
	try := func(events []logsapi.InputLogEvent) error {
		_, err := s.PutLogEvents(bg, &logsapi.PutLogEventsRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s"), LogEvents: events})
		return err
	}
	// Exactly 1,048,576 bytes with the 26-byte overhead passes; one more fails.
	exact := []logsapi.InputLogEvent{ev(0, strings.Repeat("x", maxBatchBytes-2*eventOverhead-1)), ev(0, "y")}
	if err := try(exact); err != nil {
		t.Fatalf("exact size: %v", err)
	}
	exact[1].Message = api.Ptr("yy")
	wantError(t, try(exact), "InvalidParameterException", "Upload too large: 1048577 bytes exceeds limit of 1048576")

	many := make([]logsapi.InputLogEvent, maxBatchEvents+1)
	for i := range many {
		many[i] = ev(0, "m")
	}
	wantError(t, try(many), "InvalidParameterException", "")
	if err := try(many[:maxBatchEvents]); err != nil {
		t.Fatalf("10,000 events: %v", err)
	}

	span := []logsapi.InputLogEvent{ev(-25*time.Hour, "old"), ev(0, "new")}
	wantError(t, try(span), "InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
}

func TestPutLogEventsRejectsTooOldAndTooNew(t *testing.T) {
	s := newStream(t)
	out := put(t, s, bg, "g", "s",
		ev(-15*24*time.Hour, "too old 1"),
		ev(-14*24*time.Hour-time.Minute, "too old 2"),
		ev(-time.Hour, "kept 1"),
		ev(time.Hour, "kept 2"),
		ev(3*time.Hour, "too new"),
	)
	info := out.RejectedLogEventsInfo
	if info == nil || api.Deref(info.TooOldLogEventEndIndex) != 1 || api.Deref(info.TooNewLogEventStartIndex) != 4 || info.ExpiredLogEventEndIndex != nil {
		t.Fatalf("rejected = %+v", info)
	}
	if got := must(s.Messages(testAccount, testRegion, "g", "s"))(t); !slices.Equal(got, []string{"kept 1", "kept 2"}) {
		t.Errorf("stored = %v", got)
	}
	if out.NextSequenceToken == nil {
		t.Error("no nextSequenceToken")
	}

	// Retention rejects events older than the retention period as expired.
	must(s.PutRetentionPolicy(bg, &logsapi.PutRetentionPolicyRequest{LogGroupName: api.Ptr("g"), RetentionInDays: api.Ptr(int64(1))}))(t)
	out = put(t, s, bg, "g", "s", ev(-2*24*time.Hour, "expired"), ev(0, "fresh"))
	info = out.RejectedLogEventsInfo
	if info == nil || api.Deref(info.ExpiredLogEventEndIndex) != 0 || info.TooOldLogEventEndIndex != nil || info.TooNewLogEventStartIndex != nil {
		t.Fatalf("rejected = %+v", info)
	}

	// An accepted batch reports nothing rejected.
	if out := put(t, s, bg, "g", "s", ev(0, "ok")); out.RejectedLogEventsInfo != nil {
		t.Errorf("rejected = %+v", out.RejectedLogEventsInfo)
	}
}

func TestPutLogEventsSequenceTokensAdvanceAndAreIgnored(t *testing.T) {
	s := newStream(t)
	first := put(t, s, bg, "g", "s", ev(0, "a"))
	// A stale or bogus token is accepted, as AWS now accepts any.
	out := must(s.PutLogEvents(bg, &logsapi.PutLogEventsRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s"),
		LogEvents: []logsapi.InputLogEvent{ev(0, "b")}, SequenceToken: api.Ptr("bogus")}))(t)
	if api.Deref(out.NextSequenceToken) == api.Deref(first.NextSequenceToken) {
		t.Errorf("token did not advance: %s", api.Deref(out.NextSequenceToken))
	}
	streams := must(s.DescribeLogStreams(bg, &logsapi.DescribeLogStreamsRequest{LogGroupName: api.Ptr("g")}))(t)
	if api.Deref(streams.LogStreams[0].UploadSequenceToken) != api.Deref(out.NextSequenceToken) {
		t.Errorf("uploadSequenceToken = %s, want %s", api.Deref(streams.LogStreams[0].UploadSequenceToken), api.Deref(out.NextSequenceToken))
	}
}

func TestEventsReadBackInTimestampOrder(t *testing.T) {
	s := newStream(t)
	// Batches may arrive out of order with each other; equal timestamps keep arrival order.
	put(t, s, bg, "g", "s", ev(2*time.Second, "c"), ev(2*time.Second, "d"))
	put(t, s, bg, "g", "s", ev(0, "a"), ev(time.Second, "b"))
	put(t, s, bg, "g", "s", ev(2*time.Second, "e"))
	if got := must(s.Messages(testAccount, testRegion, "g", "s"))(t); !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) {
		t.Errorf("order = %v", got)
	}
	groups := must(s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{}))(t)
	if api.Deref(groups.LogGroups[0].StoredBytes) != 5 {
		t.Errorf("storedBytes = %d", api.Deref(groups.LogGroups[0].StoredBytes))
	}
}

func BenchmarkPutLogEvents100(b *testing.B) {
	s := newStream(b)
	events := make([]logsapi.InputLogEvent, 100)
	for i := range events {
		events[i] = ev(time.Duration(i)*time.Millisecond, "START RequestId: 3f2a5c1e-8d2b-4f7a-9c1e-0a1b2c3d4e5f Version: $LATEST")
	}
	in := &logsapi.PutLogEventsRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s"), LogEvents: events}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.PutLogEvents(bg, in); err != nil {
			b.Fatal(err)
		}
	}
}
