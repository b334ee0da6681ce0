package logs

import (
	"maps"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
)

func TestTagsByNameAndArn(t *testing.T) {
	s := newTestService(t)
	must(s.CreateLogGroup(bg, &logsapi.CreateLogGroupRequest{LogGroupName: api.Ptr("g"), Tags: map[string]string{"team": "iot"}}))(t)
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:g"

	must(s.TagLogGroup(bg, &logsapi.TagLogGroupRequest{LogGroupName: api.Ptr("g"), Tags: map[string]string{"env": "dev"}}))(t)
	must(s.TagResource(bg, &logsapi.TagResourceRequest{ResourceArn: api.Ptr(arn), Tags: map[string]string{"env": "prod", "cost": "1"}}))(t)
	want := map[string]string{"team": "iot", "env": "prod", "cost": "1"}
	if got := must(s.ListTagsLogGroup(bg, &logsapi.ListTagsLogGroupRequest{LogGroupName: api.Ptr("g")}))(t).Tags; !maps.Equal(got, want) {
		t.Errorf("by name = %v", got)
	}
	must(s.UntagResource(bg, &logsapi.UntagResourceRequest{ResourceArn: api.Ptr(arn), TagKeys: []string{"cost"}}))(t)
	must(s.UntagLogGroup(bg, &logsapi.UntagLogGroupRequest{LogGroupName: api.Ptr("g"), Tags: []string{"team", "absent"}}))(t)
	if got := must(s.ListTagsForResource(bg, &logsapi.ListTagsForResourceRequest{ResourceArn: api.Ptr(arn + ":*")}))(t).Tags; !maps.Equal(got, map[string]string{"env": "prod"}) {
		t.Errorf("by arn = %v", got)
	}
	must(s.UntagLogGroup(bg, &logsapi.UntagLogGroupRequest{LogGroupName: api.Ptr("g"), Tags: []string{"env"}}))(t)
	if got := must(s.ListTagsLogGroup(bg, &logsapi.ListTagsLogGroupRequest{LogGroupName: api.Ptr("g")}))(t).Tags; got == nil || len(got) != 0 {
		t.Errorf("no tags = %#v, want an empty map", got)
	}
}

func TestTagErrors(t *testing.T) {
	s := newTestService(t)
	_, err := s.TagLogGroup(bg, &logsapi.TagLogGroupRequest{LogGroupName: api.Ptr("nope"), Tags: map[string]string{"a": "b"}})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = s.ListTagsForResource(bg, &logsapi.ListTagsForResourceRequest{ResourceArn: api.Ptr("arn:aws:logs:us-east-1:123456789012:log-group:nope")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = s.TagResource(bg, &logsapi.TagResourceRequest{ResourceArn: api.Ptr("not-an-arn"), Tags: map[string]string{"a": "b"}})
	wantError(t, err, "InvalidParameterException", "")

	createGroup(t, s, bg, "g")
	tags := map[string]string{}
	for i := range 51 {
		tags[string(rune('A'+i))] = "v"
	}
	_, err = s.TagLogGroup(bg, &logsapi.TagLogGroupRequest{LogGroupName: api.Ptr("g"), Tags: tags})
	wantError(t, err, "TooManyTagsException", "")
	_, err = s.CreateLogGroup(bg, &logsapi.CreateLogGroupRequest{LogGroupName: api.Ptr("h"), Tags: tags})
	wantError(t, err, "TooManyTagsException", "")
}
