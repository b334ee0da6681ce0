package sns

import (
	"context"
	"maps"
	"slices"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
)

const maxTags = 50

// tagMap validates tags and returns them as a map.
func tagMap(tags []snsapi.Tag) (map[string]string, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v := api.Deref(t.Key), api.Deref(t.Value)
		if k == "" || len(k) > 128 {
			return nil, snsapi.NewInvalidParameterException("Invalid parameter: Tags Reason: Tag key must be between 1 and 128 characters")
		}
		if len(v) > 256 {
			return nil, snsapi.NewInvalidParameterException("Invalid parameter: Tags Reason: Tag value must be at most 256 characters")
		}
		m[k] = v
	}
	if len(m) > maxTags {
		return nil, snsapi.NewTagLimitExceededException("Could not complete request: tag quota of per resource exceeded")
	}
	return m, nil
}

// editTags applies fn to the tags of the topic named by resourceArn.
func (s *Service) editTags(resourceArn *string, fn func(t *topicRec) error) error {
	ref, err := parseTopicArn(resourceArn, "ResourceArn")
	if err != nil {
		return err
	}
	return s.updateIn(ref.account, ref.region, func(r *region) error {
		t, err := r.topic(ref.name)
		if isNotFound(err) {
			return snsapi.NewResourceNotFoundException("Resource does not exist")
		}
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		if len(t.Tags) == 0 {
			t.Tags = nil
		}
		return r.putTopic(t)
	})
}

func (s *Service) TagResource(ctx context.Context, in *snsapi.TagResourceRequest) (*snsapi.TagResourceResponse, error) {
	add, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.editTags(in.ResourceArn, func(t *topicRec) error {
		if t.Tags == nil {
			t.Tags = map[string]string{}
		}
		for k, v := range add {
			t.Tags[k] = v
		}
		if len(t.Tags) > maxTags {
			return snsapi.NewTagLimitExceededException("Could not complete request: tag quota of per resource exceeded")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.TagResourceResponse{}, nil
}

func (s *Service) UntagResource(ctx context.Context, in *snsapi.UntagResourceRequest) (*snsapi.UntagResourceResponse, error) {
	err := s.editTags(in.ResourceArn, func(t *topicRec) error {
		for _, k := range in.TagKeys {
			delete(t.Tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.UntagResourceResponse{}, nil
}

func (s *Service) ListTagsForResource(ctx context.Context, in *snsapi.ListTagsForResourceRequest) (*snsapi.ListTagsForResourceResponse, error) {
	ref, err := parseTopicArn(in.ResourceArn, "ResourceArn")
	if err != nil {
		return nil, err
	}
	out := &snsapi.ListTagsForResourceResponse{Tags: []snsapi.Tag{}}
	err = s.viewIn(ref.account, ref.region, func(r *region) error {
		t, err := r.topic(ref.name)
		if isNotFound(err) {
			return snsapi.NewResourceNotFoundException("Resource does not exist")
		}
		if err != nil {
			return err
		}
		for _, k := range slices.Sorted(maps.Keys(t.Tags)) {
			out.Tags = append(out.Tags, snsapi.Tag{Key: api.Ptr(k), Value: api.Ptr(t.Tags[k])})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
