package query

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// param is a node of the dotted parameter tree: "Tags.member.1.Key=a"
// becomes Tags → member → 1 → Key (value "a"). Decoding walks this tree
// guided by the model instead of probing flat keys, so lists need no
// guessing at indexes and the work stays linear in the request size.
type param struct {
	value    string
	hasValue bool
	children map[string]*param
}

// maxSegments bounds how deeply a field name may nest, and with it how
// deep decoding recurses. AWS's deepest inputs (EC2 launch specifications)
// use about ten segments.
const maxSegments = 64

// buildParams turns form values into a parameter tree. When a name repeats,
// the first value wins, as url.Values.Get does.
func buildParams(values url.Values) (*param, error) {
	root := &param{}
	for name, vs := range values {
		if len(vs) == 0 {
			continue
		}
		if strings.Count(name, ".") >= maxSegments {
			return nil, fmt.Errorf("parameter %.40s… is nested too deeply", name)
		}
		n := root
		for seg := range strings.SplitSeq(name, ".") {
			n = n.child(seg)
		}
		if !n.hasValue {
			n.value, n.hasValue = vs[0], true
		}
	}
	return root, nil
}

func (p *param) child(seg string) *param {
	if p.children == nil {
		p.children = make(map[string]*param)
	}
	c, ok := p.children[seg]
	if !ok {
		c = &param{}
		p.children[seg] = c
	}
	return c
}

func (p *param) get(seg string) *param {
	if p == nil {
		return nil
	}
	return p.children[seg]
}

// item is a child named by a positive integer: a list item or map entry.
type item struct {
	i int
	p *param
}

// indexed returns the children named by positive integers ("1", "2"…) in
// numeric order: the items of a list or the entries of a map.
func (p *param) indexed() []item {
	if p == nil {
		return nil
	}
	var items []item
	for k, c := range p.children {
		if i, err := strconv.Atoi(k); err == nil && i > 0 {
			items = append(items, item{i, c})
		}
	}
	sort.Slice(items, func(a, b int) bool { return items[a].i < items[b].i })
	return items
}
