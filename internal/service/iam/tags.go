package iam

import (
	"slices"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

// maxTags is IAM's limit of tags on one entity.
const maxTags = 50

func tagsIn(in []iamapi.Tag) ([]tag, error) {
	seen := map[string]bool{}
	out := make([]tag, 0, len(in))
	for _, t := range in {
		key := api.Deref(t.Key)
		if seen[strings.ToLower(key)] {
			return nil, errInvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(key)] = true
		out = append(out, tag{Key: key, Value: api.Deref(t.Value)})
	}
	return out, nil
}

// tagsOut renders tags; nil when there are none, so that the member is
// left out as AWS leaves it out.
func tagsOut(tags []tag) []iamapi.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]iamapi.Tag, len(tags))
	for i, t := range tags {
		out[i] = iamapi.Tag{Key: api.Ptr(t.Key), Value: api.Ptr(t.Value)}
	}
	return out
}

// mergeTags adds tags to existing ones; a key already there (compared
// without regard to case, as IAM compares tag keys) gets the new value.
func mergeTags(existing []tag, in []iamapi.Tag, quota string) ([]tag, error) {
	add, err := tagsIn(in)
	if err != nil {
		return nil, err
	}
	out := append([]tag(nil), existing...)
	for _, t := range add {
		if i := tagIndex(out, t.Key); i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, errQuota(quota, maxTags)
	}
	return out, nil
}

// removeTags drops the tags with the given keys.
func removeTags(existing []tag, keys []string) []tag {
	out := existing[:0:0]
	for _, t := range existing {
		if !containsFold(keys, t.Key) {
			out = append(out, t)
		}
	}
	return out
}

func tagIndex(tags []tag, key string) int {
	for i, t := range tags {
		if strings.EqualFold(t.Key, key) {
			return i
		}
	}
	return -1
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

// newTags validates the tags of a Create call.
func newTags(in []iamapi.Tag, quota string) ([]tag, error) { return mergeTags(nil, in, quota) }

// tagPage is one page of ListRoleTags / ListUserTags.
func tagPage(tags []tag, marker *string, maxItems *int64) ([]iamapi.Tag, *bool, *string, error) {
	sorted := slices.Clone(tags)
	slices.SortFunc(sorted, func(a, b tag) int { return strings.Compare(strings.ToLower(a.Key), strings.ToLower(b.Key)) })
	page, truncated, next, err := pageOf(sorted, func(t tag) string { return strings.ToLower(t.Key) }, marker, maxItems)
	out := tagsOut(page)
	if out == nil {
		out = []iamapi.Tag{}
	}
	return out, truncated, next, err
}
