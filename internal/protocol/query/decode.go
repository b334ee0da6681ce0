package query

import (
	"strconv"
	"strings"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody"
)

// decoder walks a parameter tree along an input shape.
type decoder struct {
	ec2 bool
}

// fieldError is a field whose text does not read as its type.
type fieldError struct {
	name, value, reason string
}

func (e *fieldError) Error() string { return e.name + ": " + e.reason }

func (d decoder) structure(p *param, s *model.Shape, path string) (map[string]any, error) {
	out := make(map[string]any)
	for _, m := range s.Members {
		name := fieldName(m.Name, m.ShapeRef, d.ec2)
		child := p.get(name)
		if child == nil {
			continue
		}
		v, err := d.member(child, m.ShapeRef, join(path, name))
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[m.Name] = v
		}
	}
	return out, nil
}

// member decodes one structure member found under its field name.
func (d decoder) member(p *param, ref *model.ShapeRef, path string) (any, error) {
	switch ref.Shape.Type {
	case "list":
		if !d.ec2 && !ref.IsFlattened() {
			wrapper := ref.Shape.Member.NameOr("member")
			return d.list(p, p.get(wrapper), ref.Shape, path+"."+wrapper)
		}
		return d.list(p, p, ref.Shape, path)
	case "map":
		if !d.ec2 && !ref.IsFlattened() {
			return d.mapValue(p.get("entry"), ref.Shape, path+".entry")
		}
		return d.mapValue(p, ref.Shape, path)
	}
	return d.value(p, ref, path)
}

// value decodes a node that holds one value of ref's shape: a list item, a
// map value, or a member once its name has been resolved.
func (d decoder) value(p *param, ref *model.ShapeRef, path string) (any, error) {
	switch ref.Shape.Type {
	case "structure":
		return d.structure(p, ref.Shape, path)
	case "list", "map":
		return d.member(p, ref, path)
	}
	if !p.hasValue {
		return nil, nil
	}
	v, err := xmlbody.ParseScalar(ref, p.value)
	if err != nil {
		return nil, &fieldError{name: path, value: p.value, reason: err.Error()}
	}
	return v, nil
}

// list decodes the items under items. "Name=" with no items is how the
// clients send an empty list, so a bare value at the list's own node
// yields [] rather than nothing.
func (d decoder) list(self, items *param, s *model.Shape, path string) (any, error) {
	nodes := items.indexed()
	if len(nodes) == 0 {
		if self.hasValue {
			return []any{}, nil
		}
		return nil, nil
	}
	out := make([]any, 0, len(nodes))
	for _, n := range nodes {
		v, err := d.value(n.p, s.Member, path+"."+strconv.Itoa(n.i))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// mapValue decodes entries Name.N.key / Name.N.value (key and value names
// overridable by locationName, as SQS's Attribute.N.Name/Value are).
func (d decoder) mapValue(entries *param, s *model.Shape, path string) (any, error) {
	nodes := entries.indexed()
	if len(nodes) == 0 {
		return nil, nil
	}
	keyName, valueName := s.Key.NameOr("key"), s.Value.NameOr("value")
	out := make(map[string]any, len(nodes))
	for _, e := range nodes {
		n := e.p
		k := n.get(keyName)
		if k == nil || !k.hasValue {
			continue
		}
		v, err := d.valueOrNil(n.get(valueName), s.Value, path+"."+strconv.Itoa(e.i)+"."+valueName)
		if err != nil {
			return nil, err
		}
		out[k.value] = v
	}
	return out, nil
}

func (d decoder) valueOrNil(p *param, ref *model.ShapeRef, path string) (any, error) {
	if p == nil {
		return nil, nil
	}
	return d.value(p, ref, path)
}

// fieldName is the name a member travels under. In query it is the
// member's locationName or name, except that a flattened list whose items
// carry a locationName repeats under that (SQS's AttributeName.N). EC2
// prefers queryName, then the locationName with its first letter upper-cased
// (the models give EC2's XML names, "instanceId", and the query names are
// capitalised), then the member name.
func fieldName(member string, ref *model.ShapeRef, ec2 bool) string {
	if !ec2 {
		return xmlbody.ElementName(member, ref)
	}
	if ref.QueryName != "" {
		return ref.QueryName
	}
	if name := xmlbody.ElementName(member, ref); name != member {
		return upperFirst(name)
	}
	return member
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
