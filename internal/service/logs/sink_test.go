package logs

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
)

func TestLogSinkCreatesGroupAndStream(t *testing.T) {
	s := newTestService(t)
	const group, stream = "/aws/lambda/hello", "2026/11/22/[$LATEST]0123456789abcdef0123456789abcdef"
	var sink runtime.LogSink = s
	err := sink.PutLogs(context.Background(), testAccount, testRegion, group, stream, []runtime.LogEvent{
		{Time: testNow, Message: "START RequestId: r1 Version: $LATEST\n"},
		{Time: testNow.Add(time.Millisecond), Message: "hello\n"},
		{Time: testNow.Add(-time.Millisecond), Message: "earlier\n"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// A second batch reuses the group and stream.
	if err := sink.PutLogs(context.Background(), testAccount, testRegion, group, stream, []runtime.LogEvent{{Time: testNow.Add(time.Second), Message: "END RequestId: r1\n"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"earlier\n", "START RequestId: r1 Version: $LATEST\n", "hello\n", "END RequestId: r1\n"}
	if got := must(s.Messages(testAccount, testRegion, group, stream))(t); !slices.Equal(got, want) {
		t.Errorf("messages = %q", got)
	}

	// The API sees what the sink wrote, in the sink's account and region only.
	groups := must(s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{LogGroupNamePrefix: api.Ptr("/aws/lambda/")}))(t)
	if got := groupNames(groups.LogGroups); !slices.Equal(got, []string{group}) {
		t.Fatalf("groups = %v", got)
	}
	out := must(s.GetLogEvents(bg, &logsapi.GetLogEventsRequest{LogGroupName: api.Ptr(group), LogStreamName: api.Ptr(stream), StartFromHead: api.Ptr(true)}))(t)
	if got := messagesOf(out.Events); !slices.Equal(got, want) {
		t.Errorf("GetLogEvents = %q", got)
	}
	other := must(s.DescribeLogGroups(ctxIn(testAccount, "eu-west-1"), &logsapi.DescribeLogGroupsRequest{}))(t)
	if len(other.LogGroups) != 0 {
		t.Errorf("eu-west-1 sees %v", groupNames(other.LogGroups))
	}
}

func TestReadStreamMissing(t *testing.T) {
	s := newTestService(t)
	_, err := s.ReadStream(testAccount, testRegion, "g", "s")
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	createGroup(t, s, bg, "g")
	_, err = s.Messages(testAccount, testRegion, "g", "s")
	wantError(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}
