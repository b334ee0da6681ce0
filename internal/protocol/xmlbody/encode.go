// Package xmlbody writes dynamic values (see package model) as XML the way
// AWS's XML protocols (query, ec2, rest-xml) do, guided by the model, and
// reads XML back into them.
//
// It knows the element rules: names come from locationName or the member
// name; lists are wrapped in <member> (or the list member's locationName)
// unless flattened; maps are <entry><key/><value/></entry> unless flattened;
// xmlAttribute members become attributes; xmlNamespace traits become xmlns
// declarations. The envelopes around a body (query's OpNameResponse, S3's
// root elements, error documents) belong to the codecs.
package xmlbody

import (
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/kiricloud/kiri/internal/model"
)

// Declaration is the XML declaration EC2 and S3 put before their documents.
const Declaration = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// Attr is one attribute of an element.
type Attr struct {
	Name, Value string
}

// Writer accumulates an XML document. The zero value is ready to use.
type Writer struct {
	buf []byte
}

// Bytes returns the document written so far.
func (w *Writer) Bytes() []byte { return w.buf }

// Len reports how many bytes have been written.
func (w *Writer) Len() int { return len(w.buf) }

// Grow makes room for n more bytes, sparing the growth copies of a
// document whose size is roughly known.
func (w *Writer) Grow(n int) { w.buf = slices.Grow(w.buf, n) }

// Reset empties the writer, keeping its buffer.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// Raw appends s as it is (for declarations and pre-rendered fragments).
func (w *Writer) Raw(s string) { w.buf = append(w.buf, s...) }

// Start opens an element.
func (w *Writer) Start(name string, attrs ...Attr) {
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, name...)
	for _, a := range attrs {
		w.buf = append(w.buf, ' ')
		w.buf = append(w.buf, a.Name...)
		w.buf = append(w.buf, '=', '"')
		w.buf = appendEscaped(w.buf, a.Value, true)
		w.buf = append(w.buf, '"')
	}
	w.buf = append(w.buf, '>')
}

// End closes an element.
func (w *Writer) End(name string) {
	w.buf = append(w.buf, '<', '/')
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '>')
}

// Text appends escaped character data.
func (w *Writer) Text(s string) { w.buf = appendEscaped(w.buf, s, false) }

// Leaf writes <name>text</name>.
func (w *Writer) Leaf(name, text string) {
	w.Start(name)
	w.Text(text)
	w.End(name)
}

// Members writes the body members of a structure value in model order:
// members bound to headers, the URI or the status code, and members that
// are attributes, are not elements of the body and are skipped.
func (w *Writer) Members(s *model.Shape, v map[string]any) {
	for _, m := range s.Members {
		if !IsElement(m.ShapeRef) {
			continue
		}
		if val, ok := v[m.Name]; ok && val != nil {
			w.Member(m.Name, m.ShapeRef, val)
		}
	}
}

// Member writes one structure member: an element named after it, or, for a
// flattened list or map, one element per item with no wrapper.
func (w *Writer) Member(name string, ref *model.ShapeRef, v any) {
	elem := ElementName(name, ref)
	if ref.IsFlattened() {
		switch ref.Shape.Type {
		case "list":
			for _, item := range asList(v) {
				w.Value(elem, ref.Shape.Member, item)
			}
			return
		case "map":
			m := asMap(v)
			// Map entries in key order: the same value always encodes to the same bytes.
			for _, k := range slices.Sorted(maps.Keys(m)) {
				w.Start(elem)
				w.mapEntry(ref.Shape, k, m[k])
				w.End(elem)
			}
			return
		}
	}
	w.Value(elem, ref, v)
}

// Value writes v as one element named name, whatever its shape: a structure
// with its attributes and members, a wrapped list or map, or a scalar.
func (w *Writer) Value(name string, ref *model.ShapeRef, v any) {
	attrs := namespaceAttrs(ref)
	s := ref.Shape
	switch s.Type {
	case "structure":
		m := asMap(v)
		w.Start(name, append(attrs, attributeMembers(s, m)...)...)
		w.Members(s, m)
	case "list":
		w.Start(name, attrs...)
		item := s.Member.NameOr("member")
		for _, e := range asList(v) {
			w.Value(item, s.Member, e)
		}
	case "map":
		w.Start(name, attrs...)
		m := asMap(v)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			w.Start("entry")
			w.mapEntry(s, k, m[k])
			w.End("entry")
		}
	default:
		w.Start(name, attrs...)
		if v != nil {
			w.Text(FormatScalar(ref, v))
		}
	}
	w.End(name)
}

func (w *Writer) mapEntry(s *model.Shape, key string, v any) {
	w.Leaf(s.Key.NameOr("key"), key)
	w.Value(s.Value.NameOr("value"), s.Value, v)
}

// ElementName is the element a structure member travels as: its
// locationName or its name, except that a flattened list whose items carry a
// locationName repeats under that name (SQS's AttributeName.N, for one).
func ElementName(member string, ref *model.ShapeRef) string {
	if ref.Shape != nil && ref.Shape.Type == "list" && ref.IsFlattened() && ref.Shape.Member.LocationName != "" {
		return ref.Shape.Member.LocationName
	}
	return ref.NameOr(member)
}

// IsElement reports whether a member travels as an element of the XML body
// rather than as an attribute, a header, the URI or the status code.
func IsElement(ref *model.ShapeRef) bool {
	return ref.Location == "" && !ref.XMLAttribute
}

// NamespaceAttr renders an xmlNamespace trait as its xmlns declaration.
func NamespaceAttr(ns *model.XMLNamespace) Attr {
	if ns.Prefix != "" {
		return Attr{"xmlns:" + ns.Prefix, ns.URI}
	}
	return Attr{"xmlns", ns.URI}
}

// namespaceAttrs declares the namespaces a reference and its shape ask
// for; the reference's wins when both declare the same prefix.
func namespaceAttrs(ref *model.ShapeRef) []Attr {
	var attrs []Attr
	for _, ns := range []*model.XMLNamespace{ref.XMLNamespace, ref.Shape.XMLNamespace} {
		if ns == nil || ns.URI == "" {
			continue
		}
		a := NamespaceAttr(ns)
		if len(attrs) == 0 || attrs[0].Name != a.Name {
			attrs = append(attrs, a)
		}
	}
	return attrs
}

func attributeMembers(s *model.Shape, v map[string]any) []Attr {
	var attrs []Attr
	for _, m := range s.Members {
		if !m.XMLAttribute || m.Location != "" {
			continue
		}
		if val, ok := v[m.Name]; ok && val != nil {
			attrs = append(attrs, Attr{m.NameOr(m.Name), FormatScalar(m.ShapeRef, val)})
		}
	}
	return attrs
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	case []map[string]any:
		out := make([]any, len(l))
		for i, m := range l {
			out[i] = m
		}
		return out
	}
	return nil
}

// appendEscaped escapes text for element content or, with attr set, for a
// double-quoted attribute value. Carriage returns are escaped because XML
// parsers would otherwise fold them into newlines, and in attributes tabs and
// newlines too, which parsers would turn into spaces. Characters that XML 1.0
// cannot carry at all become U+FFFD, as encoding/xml does.
func appendEscaped(dst []byte, s string, attr bool) []byte {
	last := 0
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		esc := escapeFor(r, width, attr)
		if esc == "" {
			i += width
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, esc...)
		i += width
		last = i
	}
	return append(dst, s[last:]...)
}

func escapeFor(r rune, width int, attr bool) string {
	switch r {
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	case '\r':
		return "&#xD;"
	case '"':
		if attr {
			return "&quot;"
		}
	case '\n':
		if attr {
			return "&#xA;"
		}
	case '\t':
		if attr {
			return "&#x9;"
		}
	}
	if !isXMLChar(r) || (r == utf8.RuneError && width == 1) {
		return "\uFFFD"
	}
	return ""
}

// isXMLChar reports whether r is in the XML 1.0 Char production.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
