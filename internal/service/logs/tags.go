package logs

import (
	"context"
	"maps"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
)

// maxTags is the most tags a log group may carry.
const maxTags = 50

func checkTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return logsapi.NewTooManyTagsException("A resource can have no more than %d tags.", maxTags)
	}
	return nil
}

// The older TagLogGroup family names the group; the newer TagResource
// family takes its ARN. Both act on the same tags.

func (s *Service) TagLogGroup(ctx context.Context, in *logsapi.TagLogGroupRequest) (*logsapi.TagLogGroupOutput, error) {
	return &logsapi.TagLogGroupOutput{}, s.tag(ctx, byName(in.LogGroupName), in.Tags, nil)
}

func (s *Service) UntagLogGroup(ctx context.Context, in *logsapi.UntagLogGroupRequest) (*logsapi.UntagLogGroupOutput, error) {
	return &logsapi.UntagLogGroupOutput{}, s.tag(ctx, byName(in.LogGroupName), nil, in.Tags)
}

func (s *Service) ListTagsLogGroup(ctx context.Context, in *logsapi.ListTagsLogGroupRequest) (*logsapi.ListTagsLogGroupResponse, error) {
	tags, err := s.listTags(ctx, byName(in.LogGroupName))
	return &logsapi.ListTagsLogGroupResponse{Tags: tags}, err
}

func (s *Service) TagResource(ctx context.Context, in *logsapi.TagResourceRequest) (*logsapi.TagResourceOutput, error) {
	return &logsapi.TagResourceOutput{}, s.tag(ctx, byArn(in.ResourceArn), in.Tags, nil)
}

func (s *Service) UntagResource(ctx context.Context, in *logsapi.UntagResourceRequest) (*logsapi.UntagResourceOutput, error) {
	return &logsapi.UntagResourceOutput{}, s.tag(ctx, byArn(in.ResourceArn), nil, in.TagKeys)
}

func (s *Service) ListTagsForResource(ctx context.Context, in *logsapi.ListTagsForResourceRequest) (*logsapi.ListTagsForResourceResponse, error) {
	tags, err := s.listTags(ctx, byArn(in.ResourceArn))
	return &logsapi.ListTagsForResourceResponse{Tags: tags}, err
}

// groupRef finds the group a tagging call names.
type groupRef func(r *region) (string, error)

func byName(name *string) groupRef {
	return func(*region) (string, error) { return api.Deref(name), nil }
}

func byArn(arn *string) groupRef {
	return func(r *region) (string, error) { return r.groupFromArn(api.Deref(arn)) }
}

// tag adds tags (replacing values of existing keys) and removes the keys
// in remove.
func (s *Service) tag(ctx context.Context, ref groupRef, add map[string]string, remove []string) error {
	return s.update(ctx, func(r *region) error {
		name, err := ref(r)
		if err != nil {
			return err
		}
		g, err := r.mustGroup(name)
		if err != nil {
			return err
		}
		tags := maps.Clone(g.Tags)
		if tags == nil {
			tags = map[string]string{}
		}
		maps.Copy(tags, add)
		for _, k := range remove {
			delete(tags, k)
		}
		if err := checkTags(tags); err != nil {
			return err
		}
		g.Tags = tags
		return r.putGroup(g)
	})
}

// listTags returns a group's tags; an empty map, not nil, so the member is
// present as AWS sends it.
func (s *Service) listTags(ctx context.Context, ref groupRef) (map[string]string, error) {
	tags := map[string]string{}
	err := s.view(ctx, func(r *region) error {
		name, err := ref(r)
		if err != nil {
			return err
		}
		g, err := r.mustGroup(name)
		if err != nil {
			return err
		}
		maps.Copy(tags, g.Tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tags, nil
}
