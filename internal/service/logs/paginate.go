package logs

import (
	"encoding/base64"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
)

// pageAfter cuts one page out of items, which are in the order the caller
// wants them listed, as key ascending or (desc) descending. The token kiri
// hands out is the key of the first item of the next page, base64-encoded,
// so a page stays right when items come and go between calls.
func pageAfter[T any](items []T, key func(T) string, desc bool, token *string, limit int) ([]T, *string, error) {
	start := 0
	if token != nil {
		from, err := base64.RawURLEncoding.DecodeString(*token)
		if err != nil || len(from) == 0 {
			return nil, nil, errBadToken()
		}
		start = len(items)
		for i, it := range items {
			c := strings.Compare(key(it), string(from))
			if desc && c <= 0 || !desc && c >= 0 {
				start = i
				break
			}
		}
	}
	end := min(start+limit, len(items))
	var next *string
	if end < len(items) {
		next = api.Ptr(base64.RawURLEncoding.EncodeToString([]byte(key(items[end]))))
	}
	return items[start:end], next, nil
}

// limitOf is a request's limit, or def when none (or a nonsensical one,
// which the codec rejects before it gets here) was given.
func limitOf(limit *int64, def, most int) int {
	if limit == nil || *limit < 1 {
		return def
	}
	return min(int(*limit), most)
}
