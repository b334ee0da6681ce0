// Package xmltest holds what the XML codecs' tests share: an equivalence
// check for XML documents (element names, attributes with namespace
// declarations, trimmed text, children in order), the conversion of AWS's
// protocol-suite values to kiri's value forms, real-model loading, and a
// test server that puts a codec in front of real SDK clients.
package xmltest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Element is a parsed element in a comparable form.
type Element struct {
	Name     string
	Attrs    map[string]string // "xmlns", "xmlns:xsi", "{uri}type"…
	Text     string            // trimmed character data
	Children []*Element
}

// Options relax a comparison where a suite cannot pin a detail down.
type Options struct {
	// IgnoreRootName skips the root element's name.
	IgnoreRootName bool
	// IgnoreRootNamespace skips the root's default xmlns declaration.
	IgnoreRootNamespace bool
	// DropRootChildren removes the root's children with these names from
	// both documents before comparing (request ids, for instance).
	DropRootChildren []string
	// Unordered compares siblings as multisets.
	Unordered bool
}

// Parse reads a document into its root element.
func Parse(data []byte) (*Element, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*Element
	var root *Element
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &Element{Name: qualified(t.Name), Attrs: map[string]string{}}
			for _, a := range t.Attr {
				e.Attrs[qualified(a.Name)] = a.Value
			}
			if len(stack) == 0 {
				root = e
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			top := stack[len(stack)-1]
			top.Text = strings.TrimSpace(top.Text)
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("empty document")
	}
	return root, nil
}

// qualified keeps the prefix as written ("xsi:type", "xmlns:xsi"), since the
// raw tokens leave it unresolved.
func qualified(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// Equivalent parses both documents and reports the first difference.
func Equivalent(got, want []byte, o Options) error {
	g, err := Parse(got)
	if err != nil {
		return fmt.Errorf("got: %v\n%s", err, got)
	}
	w, err := Parse(want)
	if err != nil {
		return fmt.Errorf("want: %v\n%s", err, want)
	}
	prepare(g, o)
	prepare(w, o)
	if o.Unordered {
		canonicalise(g)
		canonicalise(w)
	}
	if err := compare(g, w, w.Name); err != nil {
		return fmt.Errorf("%v\n got: %s\nwant: %s", err, got, want)
	}
	return nil
}

func prepare(root *Element, o Options) {
	if o.IgnoreRootName {
		root.Name = "(root)"
	}
	if o.IgnoreRootNamespace {
		delete(root.Attrs, "xmlns")
	}
	if len(o.DropRootChildren) == 0 {
		return
	}
	kept := root.Children[:0]
	for _, c := range root.Children {
		if !contains(o.DropRootChildren, c.Name) {
			kept = append(kept, c)
		}
	}
	root.Children = kept
}

func compare(g, w *Element, path string) error {
	if g.Name != w.Name {
		return fmt.Errorf("%s: element %q, want %q", path, g.Name, w.Name)
	}
	if g.Text != w.Text {
		return fmt.Errorf("%s: text %q, want %q", path, g.Text, w.Text)
	}
	if fmt.Sprint(g.Attrs) != fmt.Sprint(w.Attrs) {
		return fmt.Errorf("%s: attributes %v, want %v", path, g.Attrs, w.Attrs)
	}
	if len(g.Children) != len(w.Children) {
		return fmt.Errorf("%s: %d children %v, want %d %v", path, len(g.Children), names(g), len(w.Children), names(w))
	}
	for i := range g.Children {
		if err := compare(g.Children[i], w.Children[i], path+"/"+w.Children[i].Name); err != nil {
			return err
		}
	}
	return nil
}

// canonicalise sorts every element's children by their rendering.
func canonicalise(e *Element) string {
	keys := make(map[*Element]string, len(e.Children))
	for _, c := range e.Children {
		keys[c] = canonicalise(c)
	}
	sort.SliceStable(e.Children, func(i, j int) bool { return keys[e.Children[i]] < keys[e.Children[j]] })
	var b strings.Builder
	fmt.Fprintf(&b, "<%s %v>%s", e.Name, e.Attrs, e.Text)
	for _, c := range e.Children {
		b.WriteString(keys[c])
	}
	b.WriteString("</>")
	return b.String()
}

func names(e *Element) []string {
	out := make([]string, len(e.Children))
	for i, c := range e.Children {
		out[i] = c.Name
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
