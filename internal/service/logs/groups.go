package logs

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
)

// describeLimit is the default and largest page of DescribeLogGroups and
// DescribeLogStreams.
const describeLimit = 50

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func (s *Service) CreateLogGroup(ctx context.Context, in *logsapi.CreateLogGroupRequest) (*logsapi.CreateLogGroupOutput, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	return &logsapi.CreateLogGroupOutput{}, s.update(ctx, func(r *region) error {
		name := api.Deref(in.LogGroupName)
		g, err := r.group(name)
		if err != nil {
			return err
		}
		if g != nil {
			return errGroupExists()
		}
		class := api.Deref(in.LogGroupClass)
		if class == "" {
			class = logsapi.LogGroupClassStandard
		}
		return r.putGroup(&groupRec{Name: name, Created: r.now, KmsKeyID: api.Deref(in.KmsKeyId), Class: class, Tags: in.Tags})
	})
}

// DeleteLogGroup deletes the group with its streams, their events and its
// subscription filters.
func (s *Service) DeleteLogGroup(ctx context.Context, in *logsapi.DeleteLogGroupRequest) (*logsapi.DeleteLogGroupOutput, error) {
	return &logsapi.DeleteLogGroupOutput{}, s.update(ctx, func(r *region) error {
		name := api.Deref(in.LogGroupName)
		if _, err := r.mustGroup(name); err != nil {
			return err
		}
		if err := r.deletePrefix(r.ns.Prefix("event", name)); err != nil {
			return err
		}
		if err := r.deletePrefix(r.ns.Prefix("stream", name)); err != nil {
			return err
		}
		if err := r.deletePrefix(r.ns.Prefix("subscription", name)); err != nil {
			return err
		}
		return r.tx.Delete(r.ns.Key("group", name))
	})
}

func (s *Service) DescribeLogGroups(ctx context.Context, in *logsapi.DescribeLogGroupsRequest) (*logsapi.DescribeLogGroupsResponse, error) {
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, errInvalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	var out logsapi.DescribeLogGroupsResponse
	err := s.view(ctx, func(r *region) error {
		all, err := r.groups()
		if err != nil {
			return err
		}
		all = slices.DeleteFunc(all, func(g *groupRec) bool { return !groupSelected(g, in) })
		page, next, err := pageAfter(all, func(g *groupRec) string { return g.Name }, false, in.NextToken, limitOf(in.Limit, describeLimit, describeLimit))
		if err != nil {
			return err
		}
		out.LogGroups = make([]logsapi.LogGroup, len(page))
		for i, g := range page {
			out.LogGroups[i] = r.groupOut(g)
		}
		out.NextToken = next
		return nil
	})
	return &out, err
}

// groupSelected applies DescribeLogGroups' filters. The pattern is a
// case-sensitive substring match, as AWS documents it.
func groupSelected(g *groupRec, in *logsapi.DescribeLogGroupsRequest) bool {
	if in.LogGroupNamePrefix != nil && !strings.HasPrefix(g.Name, *in.LogGroupNamePrefix) {
		return false
	}
	if in.LogGroupNamePattern != nil && !strings.Contains(g.Name, *in.LogGroupNamePattern) {
		return false
	}
	return in.LogGroupClass == nil || *in.LogGroupClass == g.Class
}

func (r *region) groupOut(g *groupRec) logsapi.LogGroup {
	out := logsapi.LogGroup{
		LogGroupName:      api.Ptr(g.Name),
		CreationTime:      api.Ptr(g.Created),
		MetricFilterCount: api.Ptr(int64(0)),
		Arn:               api.Ptr(r.groupArn(g.Name) + ":*"),
		LogGroupArn:       api.Ptr(r.groupArn(g.Name)),
		StoredBytes:       api.Ptr(g.StoredBytes),
		LogGroupClass:     api.Ptr(g.Class),
	}
	if g.Retention > 0 {
		out.RetentionInDays = api.Ptr(g.Retention)
	}
	if g.KmsKeyID != "" {
		out.KmsKeyId = api.Ptr(g.KmsKeyID)
	}
	return out
}

func (s *Service) PutRetentionPolicy(ctx context.Context, in *logsapi.PutRetentionPolicyRequest) (*logsapi.PutRetentionPolicyOutput, error) {
	days := api.Deref(in.RetentionInDays)
	if !slices.Contains(retentionDays, days) {
		return nil, errInvalid("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: %v", days, retentionSet())
	}
	return &logsapi.PutRetentionPolicyOutput{}, s.setRetention(ctx, api.Deref(in.LogGroupName), days)
}

func (s *Service) DeleteRetentionPolicy(ctx context.Context, in *logsapi.DeleteRetentionPolicyRequest) (*logsapi.DeleteRetentionPolicyOutput, error) {
	return &logsapi.DeleteRetentionPolicyOutput{}, s.setRetention(ctx, api.Deref(in.LogGroupName), 0)
}

func (s *Service) setRetention(ctx context.Context, name string, days int64) error {
	return s.update(ctx, func(r *region) error {
		g, err := r.mustGroup(name)
		if err != nil {
			return err
		}
		g.Retention = days
		return r.putGroup(g)
	})
}

// retentionSet renders the allowed values as AWS lists them in its message.
func retentionSet() string {
	parts := make([]string, len(retentionDays))
	for i, d := range retentionDays {
		parts[i] = strconv.FormatInt(d, 10)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
