package rest

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
)

// Member locations of the REST protocols (ShapeRef.Location).
const (
	LocationURI        = "uri"
	LocationQuery      = "querystring"
	LocationHeader     = "header"
	LocationHeaders    = "headers" // a map of all headers with a prefix
	LocationStatusCode = "statusCode"
)

// DecodeBindings reads the members of s bound to the URI labels, query
// string, headers and host of r (everything but the body) into a new
// structure value. labels are the request's URI labels (Router.Labels).
// A value that cannot be read as its shape's type is reported as a
// *BindingError.
func DecodeBindings(s *model.Shape, op *model.Operation, r *http.Request, labels Labels) (map[string]any, error) {
	in := make(map[string]any)
	if s == nil {
		return in, nil
	}
	var query url.Values
	var hostLabels map[string]string
	for _, m := range s.Members {
		name := m.NameOr(m.Name)
		var err error
		switch m.Location {
		case LocationURI:
			if raw, ok := labels[name]; ok {
				err = setParsed(in, m, raw, URITimestampFormat)
			}
		case LocationQuery:
			if query == nil {
				query = r.URL.Query()
			}
			err = decodeQuery(in, m, query, s, op)
		case LocationHeader:
			err = decodeHeader(in, m, r.Header)
		case LocationHeaders:
			decodePrefixHeaders(in, m, r.Header)
		}
		if err != nil {
			return nil, &BindingError{Location: m.Location, Name: name, Err: err}
		}
		if m.HostLabel {
			if hostLabels == nil {
				hostLabels = HostLabels(op, r.Host)
			}
			if v, ok := hostLabels[m.Name]; ok {
				in[m.Name] = v
			}
		}
	}
	return in, nil
}

// BindingError reports a header, query parameter or label whose text is not
// a value of its member's type.
type BindingError struct {
	Location, Name string
	Err            error
}

func (e *BindingError) Error() string {
	return fmt.Sprintf("%s %q: %v", e.Location, e.Name, e.Err)
}

func (e *BindingError) Unwrap() error { return e.Err }

func setParsed(in map[string]any, m model.Member, raw, tsFormat string) error {
	v, err := ParseScalar(m.ShapeRef, raw, tsFormat)
	if err == nil {
		in[m.Name] = v
	}
	return err
}

// decodeQuery reads one querystring member: a scalar from its key's first
// value, a list from all of its key's values, and a map from every
// parameter that neither another member nor the template's literals claim.
func decodeQuery(in map[string]any, m model.Member, q url.Values, s *model.Shape, op *model.Operation) error {
	switch m.Shape.Type {
	case "map":
		return decodeQueryMap(in, m, q, boundQueryKeys(s, op))
	case "list":
		vs, ok := q[m.NameOr(m.Name)]
		if !ok {
			return nil
		}
		list, err := parseList(m.Shape.Member, vs, URITimestampFormat)
		in[m.Name] = list
		return err
	}
	vs := q[m.NameOr(m.Name)]
	if len(vs) == 0 || vs[0] == "" && m.Shape.Type != "string" {
		return nil
	}
	return setParsed(in, m, vs[0], URITimestampFormat)
}

func decodeQueryMap(in map[string]any, m model.Member, q url.Values, bound map[string]bool) error {
	out := make(map[string]any)
	for k, vs := range q {
		if bound[k] {
			continue
		}
		var err error
		if m.Shape.Value.Shape.Type == "list" {
			out[k], err = parseList(m.Shape.Value.Shape.Member, vs, URITimestampFormat)
		} else {
			out[k], err = ParseScalar(m.Shape.Value, vs[0], URITimestampFormat)
		}
		if err != nil {
			return err
		}
	}
	if len(out) > 0 {
		in[m.Name] = out
	}
	return nil
}

// boundQueryKeys are the query keys that belong to named members or to the
// template itself, and so stay out of a querystring map.
func boundQueryKeys(s *model.Shape, op *model.Operation) map[string]bool {
	bound := make(map[string]bool)
	for _, m := range s.Members {
		if m.Location == LocationQuery && m.Shape.Type != "map" {
			bound[m.NameOr(m.Name)] = true
		}
	}
	_, rawQuery, _ := strings.Cut(op.HTTP.RequestURI, "?")
	for _, lit := range parseQueryLiterals(rawQuery) {
		bound[lit.key] = true
	}
	return bound
}

func parseList(member *model.ShapeRef, items []string, tsFormat string) ([]any, error) {
	list := make([]any, 0, len(items))
	for _, it := range items {
		v, err := ParseScalar(member, it, tsFormat)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, nil
}

// decodeHeader reads one header member. Repeated header lines count as one
// comma-separated value, as HTTP defines.
func decodeHeader(in map[string]any, m model.Member, h http.Header) error {
	vs := h.Values(m.NameOr(m.Name))
	if len(vs) == 0 {
		return nil
	}
	if m.Shape.Type == "list" {
		member := m.Shape.Member
		httpDates := member.Shape.Type == "timestamp" && member.TimestampFormatOf(HeaderTimestampFormat) == HeaderTimestampFormat
		list, err := parseList(member, splitHeaderList(strings.Join(vs, ", "), httpDates), HeaderTimestampFormat)
		in[m.Name] = list
		return err
	}
	raw := vs[0]
	if m.JSONValue {
		// A jsonvalue header travels as base64 of the JSON text.
		b, err := decodeBase64(raw)
		if err != nil {
			return err
		}
		raw = string(b)
	}
	return setParsed(in, m, raw, HeaderTimestampFormat)
}

// decodePrefixHeaders fills a headers map with every header that starts
// with the member's prefix, keyed by the rest of the name in lower case:
// net/http has already canonicalised the case, and S3 reports user metadata
// keys in lower case.
func decodePrefixHeaders(in map[string]any, m model.Member, h http.Header) {
	prefix := strings.ToLower(m.LocationName)
	out := make(map[string]any)
	for name, vs := range h {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, prefix) || len(vs) == 0 {
			continue
		}
		out[lower[len(prefix):]] = strings.Join(vs, ", ")
	}
	if len(out) > 0 {
		in[m.Name] = out
	}
}

// HostLabels reads the labels of op's endpoint host prefix ("foo-{Name}.")
// from a request's host. It returns nil when the operation has no host
// prefix or the host does not carry it, as when clients call kiri by its
// own address.
func HostLabels(op *model.Operation, host string) map[string]string {
	if op.Endpoint == nil || !strings.Contains(op.Endpoint.HostPrefix, "{") {
		return nil
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	labels := make(map[string]string)
	rest := host
	for tmpl := op.Endpoint.HostPrefix; tmpl != ""; {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			if !strings.HasPrefix(rest, tmpl) {
				return nil
			}
			break
		}
		if !strings.HasPrefix(rest, tmpl[:open]) {
			return nil
		}
		rest = rest[open:]
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			return nil
		}
		name := tmpl[open+1 : open+end]
		tmpl = tmpl[open+end+1:]
		// A host label is one DNS label: it runs to the next literal
		// character of the template, or to the next dot.
		stop := byte('.')
		if tmpl != "" {
			stop = tmpl[0]
		}
		n := strings.IndexByte(rest, stop)
		if n <= 0 {
			return nil
		}
		labels[name], rest = rest[:n], rest[n:]
	}
	return labels
}

// EncodeHeaders writes the members of the structure value v that are bound
// to headers into h, and returns the value of a statusCode member (0 when
// there is none). Header maps never set the framing headers
// (Content-Length, Transfer-Encoding): the server owns those.
func EncodeHeaders(h http.Header, s *model.Shape, v map[string]any) (status int, err error) {
	if s == nil {
		return 0, nil
	}
	for _, m := range s.Members {
		val, ok := v[m.Name]
		if !ok || val == nil {
			continue
		}
		switch m.Location {
		case LocationHeader:
			err = encodeHeader(h, m, val)
		case LocationHeaders:
			err = encodePrefixHeaders(h, m, val)
		case LocationStatusCode:
			n, ok := protocol.Int64(val)
			if !ok || n < 100 || n > 999 {
				err = fmt.Errorf("invalid status code %v", val)
			}
			status = int(n)
		}
		if err != nil {
			return 0, fmt.Errorf("member %s: %w", m.Name, err)
		}
	}
	return status, nil
}

func encodeHeader(h http.Header, m model.Member, val any) error {
	name := m.NameOr(m.Name)
	if m.Shape.Type == "list" {
		list, ok := val.([]any)
		if !ok {
			return fmt.Errorf("want a list, have %T", val)
		}
		member := m.Shape.Member
		items := make([]string, 0, len(list))
		for _, it := range list {
			s, err := FormatScalar(member, it, HeaderTimestampFormat)
			if err != nil {
				return err
			}
			items = append(items, s)
		}
		httpDates := member.Shape.Type == "timestamp" && member.TimestampFormatOf(HeaderTimestampFormat) == HeaderTimestampFormat
		h.Set(name, joinHeaderList(items, httpDates))
		return nil
	}
	s, err := FormatScalar(m.ShapeRef, val, HeaderTimestampFormat)
	if err != nil {
		return err
	}
	if m.JSONValue {
		s = base64.StdEncoding.EncodeToString([]byte(s))
	}
	h.Set(name, s)
	return nil
}

func encodePrefixHeaders(h http.Header, m model.Member, val any) error {
	kv, ok := val.(map[string]any)
	if !ok {
		return fmt.Errorf("want a map, have %T", val)
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := m.LocationName + k
		if isFramingHeader(name) || kv[k] == nil {
			continue
		}
		s, err := FormatScalar(m.Shape.Value, kv[k], HeaderTimestampFormat)
		if err != nil {
			return err
		}
		h.Set(name, s)
	}
	return nil
}

func isFramingHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Content-Length", "Transfer-Encoding", "Connection", "Trailer":
		return true
	}
	return false
}
