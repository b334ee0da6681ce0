package logs

import (
	"slices"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
)

func TestCreateLogGroupTwice(t *testing.T) {
	s := newTestService(t)
	createGroup(t, s, bg, "/aws/lambda/hello")
	_, err := s.CreateLogGroup(bg, &logsapi.CreateLogGroupRequest{LogGroupName: api.Ptr("/aws/lambda/hello")})
	wantError(t, err, "ResourceAlreadyExistsException", "The specified log group already exists")
}

func TestDescribeLogGroupFields(t *testing.T) {
	s := newTestService(t)
	must(s.CreateLogGroup(bg, &logsapi.CreateLogGroupRequest{LogGroupName: api.Ptr("app"), KmsKeyId: api.Ptr("arn:aws:kms:us-east-1:123456789012:key/k")}))(t)
	out := must(s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{}))(t)
	if len(out.LogGroups) != 1 {
		t.Fatalf("groups = %v", groupNames(out.LogGroups))
	}
	g := out.LogGroups[0]
	if api.Deref(g.Arn) != "arn:aws:logs:us-east-1:123456789012:log-group:app:*" {
		t.Errorf("arn = %s", api.Deref(g.Arn))
	}
	if api.Deref(g.LogGroupArn) != "arn:aws:logs:us-east-1:123456789012:log-group:app" {
		t.Errorf("logGroupArn = %s", api.Deref(g.LogGroupArn))
	}
	if g.CreationTime == nil || g.RetentionInDays != nil || api.Deref(g.MetricFilterCount) != 0 || g.StoredBytes == nil {
		t.Errorf("group = %+v", g)
	}
	if api.Deref(g.LogGroupClass) != "STANDARD" || api.Deref(g.KmsKeyId) == "" {
		t.Errorf("class/kms = %v %v", api.Deref(g.LogGroupClass), api.Deref(g.KmsKeyId))
	}
	if out.NextToken != nil {
		t.Errorf("nextToken = %v", *out.NextToken)
	}
}

func TestDescribeLogGroupsPrefixAndPattern(t *testing.T) {
	s := newTestService(t)
	for _, n := range []string{"/aws/lambda/a", "/aws/lambda/b", "/app/Foo", "other"} {
		createGroup(t, s, bg, n)
	}
	out := must(s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{LogGroupNamePrefix: api.Ptr("/aws/lambda/")}))(t)
	if got := groupNames(out.LogGroups); !slices.Equal(got, []string{"/aws/lambda/a", "/aws/lambda/b"}) {
		t.Errorf("prefix: %v", got)
	}
	out = must(s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{LogGroupNamePattern: api.Ptr("Foo")}))(t)
	if got := groupNames(out.LogGroups); !slices.Equal(got, []string{"/app/Foo"}) {
		t.Errorf("pattern: %v", got)
	}
	out = must(s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{LogGroupNamePattern: api.Ptr("foo")}))(t)
	if len(out.LogGroups) != 0 {
		t.Errorf("pattern is case-sensitive, got %v", groupNames(out.LogGroups))
	}
	_, err := s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{LogGroupNamePattern: api.Ptr("a"), LogGroupNamePrefix: api.Ptr("b")})
	wantError(t, err, "InvalidParameterException", "")
}

func TestDescribeLogGroupsPagination(t *testing.T) {
	s := newTestService(t)
	var want []string
	for i := range 57 {
		name := "g" + string(rune('A'+i/26)) + string(rune('a'+i%26))
		createGroup(t, s, bg, name)
		want = append(want, name)
	}
	slices.Sort(want)
	// Default page is 50.
	out := must(s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{}))(t)
	if len(out.LogGroups) != 50 || out.NextToken == nil {
		t.Fatalf("first page: %d groups, token %v", len(out.LogGroups), out.NextToken)
	}
	var got []string
	var token *string
	for {
		out := must(s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{Limit: api.Ptr(int64(7)), NextToken: token}))(t)
		if len(out.LogGroups) > 7 {
			t.Fatalf("page of %d", len(out.LogGroups))
		}
		got = append(got, groupNames(out.LogGroups)...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged = %v, want %v", got, want)
	}
	_, err := s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{NextToken: api.Ptr("!!!")})
	wantError(t, err, "InvalidParameterException", "")
}

func TestRetentionPolicy(t *testing.T) {
	s := newTestService(t)
	createGroup(t, s, bg, "g")
	for _, bad := range []int64{0, 2, 4, 366, 3654} {
		_, err := s.PutRetentionPolicy(bg, &logsapi.PutRetentionPolicyRequest{LogGroupName: api.Ptr("g"), RetentionInDays: api.Ptr(bad)})
		wantError(t, err, "InvalidParameterException", "")
	}
	must(s.PutRetentionPolicy(bg, &logsapi.PutRetentionPolicyRequest{LogGroupName: api.Ptr("g"), RetentionInDays: api.Ptr(int64(14))}))(t)
	out := must(s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{}))(t)
	if api.Deref(out.LogGroups[0].RetentionInDays) != 14 {
		t.Errorf("retention = %v", out.LogGroups[0].RetentionInDays)
	}
	must(s.DeleteRetentionPolicy(bg, &logsapi.DeleteRetentionPolicyRequest{LogGroupName: api.Ptr("g")}))(t)
	out = must(s.DescribeLogGroups(bg, &logsapi.DescribeLogGroupsRequest{}))(t)
	if out.LogGroups[0].RetentionInDays != nil {
		t.Errorf("retention after delete = %v", *out.LogGroups[0].RetentionInDays)
	}
	_, err := s.PutRetentionPolicy(bg, &logsapi.PutRetentionPolicyRequest{LogGroupName: api.Ptr("nope"), RetentionInDays: api.Ptr(int64(1))})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = s.DeleteRetentionPolicy(bg, &logsapi.DeleteRetentionPolicyRequest{LogGroupName: api.Ptr("nope")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestDeleteLogGroupRemovesStreamsAndEvents(t *testing.T) {
	s := newTestService(t)
	createGroup(t, s, bg, "g")
	createStream(t, s, bg, "g", "s")
	put(t, s, bg, "g", "s", ev(0, "hello"))
	must(s.DeleteLogGroup(bg, &logsapi.DeleteLogGroupRequest{LogGroupName: api.Ptr("g")}))(t)
	_, err := s.DeleteLogGroup(bg, &logsapi.DeleteLogGroupRequest{LogGroupName: api.Ptr("g")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")

	// Recreated, the group starts empty.
	createGroup(t, s, bg, "g")
	_, err = s.GetLogEvents(bg, &logsapi.GetLogEventsRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s")})
	wantError(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	createStream(t, s, bg, "g", "s")
	got := must(s.GetLogEvents(bg, &logsapi.GetLogEventsRequest{LogGroupName: api.Ptr("g"), LogStreamName: api.Ptr("s")}))(t)
	if len(got.Events) != 0 {
		t.Errorf("events survived delete: %v", messagesOf(got.Events))
	}
}

func TestAccountAndRegionIsolation(t *testing.T) {
	s := newTestService(t)
	createGroup(t, s, bg, "g")
	for _, ctx := range []struct{ account, region string }{{"111111111111", testRegion}, {testAccount, "eu-west-1"}} {
		c := ctxIn(ctx.account, ctx.region)
		out := must(s.DescribeLogGroups(c, &logsapi.DescribeLogGroupsRequest{}))(t)
		if len(out.LogGroups) != 0 {
			t.Errorf("%v sees %v", ctx, groupNames(out.LogGroups))
		}
		createGroup(t, s, c, "g") // no conflict
		out = must(s.DescribeLogGroups(c, &logsapi.DescribeLogGroupsRequest{}))(t)
		if want := "arn:aws:logs:" + ctx.region + ":" + ctx.account + ":log-group:g"; api.Deref(out.LogGroups[0].LogGroupArn) != want {
			t.Errorf("arn = %s, want %s", api.Deref(out.LogGroups[0].LogGroupArn), want)
		}
	}
}
