package logs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

// testNow is the fixed clock of the tests; event timestamps are chosen
// relative to it so that none is too old or too new.
var testNow = time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)

func newTestService(t testing.TB) *Service {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	s := New(st)
	s.SetClock(func() time.Time { return testNow })
	return s
}

func ctxIn(account, region string) context.Context {
	return request.With(context.Background(), &request.Info{Account: account, Region: region})
}

var bg = ctxIn(testAccount, testRegion)

// ms is a timestamp offset from the test clock.
func ms(offset time.Duration) int64 { return testNow.Add(offset).UnixMilli() }

func wantError(t *testing.T, err error, code, message string) {
	t.Helper()
	var perr *protocol.Error
	if !errors.As(err, &perr) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if perr.WireCode() != code {
		t.Fatalf("code = %s (%s), want %s", perr.WireCode(), perr.Message, code)
	}
	if message != "" && perr.Message != message {
		t.Fatalf("message = %q, want %q", perr.Message, message)
	}
}

// must unwraps a call's result, failing the test on error:
// must(s.Op(ctx, in))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func createGroup(t testing.TB, s *Service, ctx context.Context, name string) {
	t.Helper()
	must(s.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: api.Ptr(name)}))(t)
}

func createStream(t testing.TB, s *Service, ctx context.Context, group, name string) {
	t.Helper()
	must(s.CreateLogStream(ctx, &logsapi.CreateLogStreamRequest{LogGroupName: api.Ptr(group), LogStreamName: api.Ptr(name)}))(t)
}

// ev is an input event at offset from the test clock.
func ev(offset time.Duration, msg string) logsapi.InputLogEvent {
	return logsapi.InputLogEvent{Timestamp: api.Ptr(ms(offset)), Message: api.Ptr(msg)}
}

func put(t testing.TB, s *Service, ctx context.Context, group, stream string, events ...logsapi.InputLogEvent) *logsapi.PutLogEventsResponse {
	t.Helper()
	return must(s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: api.Ptr(group), LogStreamName: api.Ptr(stream), LogEvents: events}))(t)
}

func messagesOf(events []logsapi.OutputLogEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = api.Deref(e.Message)
	}
	return out
}

func groupNames(groups []logsapi.LogGroup) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = api.Deref(g.LogGroupName)
	}
	return out
}

func streamNames(streams []logsapi.LogStream) []string {
	out := make([]string, len(streams))
	for i, st := range streams {
		out[i] = api.Deref(st.LogStreamName)
	}
	return out
}
