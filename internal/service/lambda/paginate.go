package lambda

import (
	"encoding/json"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	"github.com/kiricloud/kiri/internal/store"
)

// pager pages a key-ordered listing. Markers are the sort key (a name, a
// zero-padded version) of the first item of the next page, so a page
// resumes where the last ended even if items were added meanwhile.
type pager struct {
	marker string
	max    int
	n      int
	next   *string
}

func newPager(marker *string, maxItems *int64) *pager {
	p := &pager{marker: api.Deref(marker), max: 50}
	if maxItems != nil && *maxItems > 0 {
		p.max = int(min(*maxItems, 10000))
	}
	return p
}

// start is the key to start scanning at under prefix parts.
func (p *pager) start(ns store.Namespace, parts ...string) []byte {
	if p.marker == "" {
		return nil
	}
	return ns.Key(append(parts, p.marker)...)
}

// take reports whether the item with sort key id fits on the page; when it
// does not, id becomes the next marker.
func (p *pager) take(id string) bool {
	if p.n == p.max {
		p.next = &id
		return false
	}
	p.n++
	return true
}

func jsonDecode(data []byte, v any) error { return json.Unmarshal(data, v) }

// functionNameOf strips an ARN or partial ARN down to the name.
func functionNameOf(s string) string {
	parts := strings.Split(s, ":")
	switch {
	case strings.HasPrefix(s, "arn:") && len(parts) >= 7:
		return parts[6]
	case len(parts) >= 3 && parts[1] == "function":
		return parts[2]
	}
	return parts[0]
}
