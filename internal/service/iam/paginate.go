package iam

import (
	"encoding/base64"
	"sort"
)

// defaultMaxItems is IAM's page size when MaxItems is not given.
const defaultMaxItems = 100

// pageOf cuts one page out of items, which are sorted by key. The marker
// IAM hands out is opaque; kiri's is the key of the first item of the next
// page, base64-encoded, so a page stays right when items come and go
// between calls. It returns the page, IsTruncated and the next Marker (nil
// on the last page).
func pageOf[T any](items []T, key func(T) string, marker *string, maxItems *int64) ([]T, *bool, *string, error) {
	start := 0
	if marker != nil {
		from, err := base64.RawURLEncoding.DecodeString(*marker)
		if err != nil {
			return nil, nil, nil, errValidation("Invalid Marker.")
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) >= string(from) })
	}
	limit := defaultMaxItems
	if maxItems != nil && *maxItems > 0 {
		limit = int(*maxItems)
	}
	end := min(start+limit, len(items))
	truncated := end < len(items)
	var next *string
	if truncated {
		m := base64.RawURLEncoding.EncodeToString([]byte(key(items[end])))
		next = &m
	}
	return items[start:end], &truncated, next, nil
}
