package logs

import (
	"slices"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
)

func TestCreateLogStreamErrors(t *testing.T) {
	s := newTestService(t)
	_, err := s.CreateLogStream(bg, &logsapi.CreateLogStreamRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	createGroup(t, s, bg, "g")
	createStream(t, s, bg, "g", "s")
	_, err = s.CreateLogStream(bg, &logsapi.CreateLogStreamRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s")})
	wantError(t, err, "ResourceAlreadyExistsException", "The specified log stream already exists")
}

func TestDeleteLogStream(t *testing.T) {
	s := newTestService(t)
	createGroup(t, s, bg, "g")
	createStream(t, s, bg, "g", "s")
	put(t, s, bg, "g", "s", ev(0, "x"))
	must(s.DeleteLogStream(bg, &logsapi.DeleteLogStreamRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s")}))(t)
	_, err := s.DeleteLogStream(bg, &logsapi.DeleteLogStreamRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s")})
	wantError(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	_, err = s.DeleteLogStream(bg, &logsapi.DeleteLogStreamRequest{LogGroupName: api.Ptr("nope"), LogStreamName: api.Ptr("s")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	createStream(t, s, bg, "g", "s")
	if got := must(s.Messages(testAccount, testRegion, "g", "s"))(t); len(got) != 0 {
		t.Errorf("events survived: %v", got)
	}
}

func TestDescribeLogStreamsFields(t *testing.T) {
	s := newTestService(t)
	createGroup(t, s, bg, "g")
	createStream(t, s, bg, "g", "empty")
	createStream(t, s, bg, "g", "full")
	put(t, s, bg, "g", "full", ev(-time.Minute, "a"), ev(0, "b"))
	out := must(s.DescribeLogStreams(bg, &logsapi.DescribeLogStreamsRequest{LogGroupName: api.Ptr("g")}))(t)
	if got := streamNames(out.LogStreams); !slices.Equal(got, []string{"empty", "full"}) {
		t.Fatalf("streams = %v", got)
	}
	empty, full := out.LogStreams[0], out.LogStreams[1]
	if empty.FirstEventTimestamp != nil || empty.LastEventTimestamp != nil || empty.LastIngestionTime != nil {
		t.Errorf("empty stream has event times: %+v", empty)
	}
	if api.Deref(full.FirstEventTimestamp) != ms(-time.Minute) || api.Deref(full.LastEventTimestamp) != ms(0) {
		t.Errorf("first/last = %v/%v", full.FirstEventTimestamp, full.LastEventTimestamp)
	}
	if full.LastIngestionTime == nil || full.CreationTime == nil || api.Deref(full.UploadSequenceToken) == "" || api.Deref(full.StoredBytes) != 0 {
		t.Errorf("full = %+v", full)
	}
	if api.Deref(full.Arn) != "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:full" {
		t.Errorf("arn = %s", api.Deref(full.Arn))
	}
	_, err := s.DescribeLogStreams(bg, &logsapi.DescribeLogStreamsRequest{LogGroupName: api.Ptr("nope")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestDescribeLogStreamsOrderAndPrefix(t *testing.T) {
	s := newTestService(t)
	createGroup(t, s, bg, "g")
	// Created in name order; last events in another order.
	for i, name := range []string{"a", "b", "c", "d"} {
		createStream(t, s, bg, "g", name)
		if name != "d" {
			put(t, s, bg, "g", name, ev(time.Duration(-i)*time.Minute, name))
		}
	}
	describe := func(in logsapi.DescribeLogStreamsRequest) []string {
		in.LogGroupName = api.Ptr("g")
		return streamNames(must(s.DescribeLogStreams(bg, &in))(t).LogStreams)
	}
	byTime := api.Ptr(logsapi.OrderByLastEventTime)
	if got := describe(logsapi.DescribeLogStreamsRequest{OrderBy: byTime}); !slices.Equal(got, []string{"d", "c", "b", "a"}) {
		t.Errorf("by time = %v", got)
	}
	if got := describe(logsapi.DescribeLogStreamsRequest{OrderBy: byTime, Descending: api.Ptr(true)}); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("by time desc = %v", got)
	}
	if got := describe(logsapi.DescribeLogStreamsRequest{Descending: api.Ptr(true)}); !slices.Equal(got, []string{"d", "c", "b", "a"}) {
		t.Errorf("by name desc = %v", got)
	}
	createStream(t, s, bg, "g", "ab")
	if got := describe(logsapi.DescribeLogStreamsRequest{LogStreamNamePrefix: api.Ptr("a")}); !slices.Equal(got, []string{"a", "ab"}) {
		t.Errorf("prefix = %v", got)
	}
	_, err := s.DescribeLogStreams(bg, &logsapi.DescribeLogStreamsRequest{LogGroupName: api.Ptr("g"), OrderBy: byTime, LogStreamNamePrefix: api.Ptr("a")})
	wantError(t, err, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
}

func TestDescribeLogStreamsPagination(t *testing.T) {
	s := newTestService(t)
	createGroup(t, s, bg, "g")
	var want []string
	for i := range 12 {
		name := string(rune('a' + i))
		createStream(t, s, bg, "g", name)
		put(t, s, bg, "g", name, ev(time.Duration(i)*time.Second, name))
		want = append(want, name)
	}
	slices.Reverse(want)
	var got []string
	var token *string
	for {
		out := must(s.DescribeLogStreams(bg, &logsapi.DescribeLogStreamsRequest{
			LogGroupName: api.Ptr("g"), OrderBy: api.Ptr(logsapi.OrderByLastEventTime), Descending: api.Ptr(true),
			Limit: api.Ptr(int64(5)), NextToken: token,
		}))(t)
		got = append(got, streamNames(out.LogStreams)...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged = %v, want %v", got, want)
	}
}

func TestLogGroupIdentifierByArn(t *testing.T) {
	s := newTestService(t)
	createGroup(t, s, bg, "g")
	createStream(t, s, bg, "g", "s")
	for _, id := range []string{"g", "arn:aws:logs:us-east-1:123456789012:log-group:g", "arn:aws:logs:us-east-1:123456789012:log-group:g:*"} {
		out := must(s.DescribeLogStreams(bg, &logsapi.DescribeLogStreamsRequest{LogGroupIdentifier: api.Ptr(id)}))(t)
		if len(out.LogStreams) != 1 {
			t.Errorf("%s: %v", id, streamNames(out.LogStreams))
		}
	}
	_, err := s.DescribeLogStreams(bg, &logsapi.DescribeLogStreamsRequest{LogGroupIdentifier: api.Ptr("arn:aws:logs:us-east-1:999999999999:log-group:g")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = s.DescribeLogStreams(bg, &logsapi.DescribeLogStreamsRequest{LogGroupName: api.Ptr("g"), LogGroupIdentifier: api.Ptr("g")})
	wantError(t, err, "InvalidParameterException", "")
}
