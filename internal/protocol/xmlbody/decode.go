package xmlbody

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kiricloud/kiri/internal/model"
)

// maxDepth bounds element nesting, so a hostile body cannot make the parser
// build an arbitrarily deep tree. AWS's deepest request bodies (S3
// lifecycle and replication rules) nest well under 20 levels.
const maxDepth = 100

// node is one parsed element: local name (namespaces are not significant to
// AWS's decoders), attributes, direct character data and child elements.
type node struct {
	name     string
	attrs    []xml.Attr
	text     []byte
	children []*node
}

// Decode reads an XML document whose root element holds a value of ref's
// shape (the root's own name is not checked, as AWS's parsers do not check
// it) and returns the value in its dynamic form. Unknown elements and
// attributes are ignored, and whitespace between elements is insignificant.
func Decode(data []byte, ref *model.ShapeRef) (any, error) {
	root, err := parse(data)
	if err != nil {
		return nil, err
	}
	return decodeValue(root, ref)
}

func parse(data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, errors.New("more than one root element")
			}
			if len(stack) >= maxDepth {
				return nil, errors.New("elements nested too deeply")
			}
			n := &node{name: t.Name.Local, attrs: t.Attr}
			if len(stack) == 0 {
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.text = append(top.text, t...)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	if len(stack) != 0 {
		return nil, io.ErrUnexpectedEOF
	}
	return root, nil
}

func decodeValue(n *node, ref *model.ShapeRef) (any, error) {
	s := ref.Shape
	switch s.Type {
	case "structure":
		return decodeStruct(n, s)
	case "list":
		return decodeItems(n.named(s.Member.NameOr("member")), s.Member)
	case "map":
		return decodeEntries(n.named("entry"), s)
	}
	v, err := ParseScalar(ref, string(n.text))
	if err != nil {
		return nil, fmt.Errorf("element %s: %w", n.name, err)
	}
	return v, nil
}

func decodeStruct(n *node, s *model.Shape) (map[string]any, error) {
	out := make(map[string]any)
	for _, m := range s.Members {
		if m.Location != "" {
			continue
		}
		v, ok, err := decodeMember(n, m)
		if err != nil {
			return nil, err
		}
		if ok {
			out[m.Name] = v
		}
	}
	return out, nil
}

// decodeMember finds one member of a structure in its element: an
// attribute, every repetition of a flattened list or map, or one child.
func decodeMember(n *node, m model.Member) (any, bool, error) {
	if m.XMLAttribute {
		return n.attribute(m.ShapeRef, m.NameOr(m.Name))
	}
	name := ElementName(m.Name, m.ShapeRef)
	if m.IsFlattened() {
		switch m.Shape.Type {
		case "list":
			items := n.named(name)
			v, err := decodeItems(items, m.Shape.Member)
			return v, len(items) > 0, err
		case "map":
			entries := n.named(name)
			v, err := decodeEntries(entries, m.Shape)
			return v, len(entries) > 0, err
		}
	}
	c := n.child(name)
	if c == nil {
		return nil, false, nil
	}
	v, err := decodeValue(c, m.ShapeRef)
	return v, err == nil, err
}

func decodeItems(items []*node, ref *model.ShapeRef) ([]any, error) {
	out := make([]any, 0, len(items))
	for _, it := range items {
		v, err := decodeValue(it, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func decodeEntries(entries []*node, s *model.Shape) (map[string]any, error) {
	keyName, valueName := s.Key.NameOr("key"), s.Value.NameOr("value")
	out := make(map[string]any, len(entries))
	for _, e := range entries {
		k := e.child(keyName)
		if k == nil {
			continue
		}
		val := e.child(valueName)
		if val == nil {
			out[string(k.text)] = nil
			continue
		}
		v, err := decodeValue(val, s.Value)
		if err != nil {
			return nil, err
		}
		out[string(k.text)] = v
	}
	return out, nil
}

// attribute reads an xmlAttribute member. Its locationName may carry a
// prefix ("xsi:type"); the parser has already resolved prefixes to
// namespace URIs, so the local part is what identifies the attribute.
func (n *node) attribute(ref *model.ShapeRef, name string) (any, bool, error) {
	local := name
	if i := strings.IndexByte(name, ':'); i >= 0 {
		local = name[i+1:]
	}
	for _, a := range n.attrs {
		if a.Name.Local == local && a.Name.Space != "xmlns" {
			v, err := ParseScalar(ref, a.Value)
			return v, err == nil, err
		}
	}
	return nil, false, nil
}

func (n *node) child(name string) *node {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (n *node) named(name string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}
