package auth

import (
	"net/http"
	"net/url"
	"strings"
)

// param is one decoded query parameter. hasEq remembers whether the raw form
// had an '=', which SigV2's canonical resource distinguishes ("acl" vs
// "versions=").
type param struct {
	key, value string
	hasEq      bool
}

// splitQuery decodes a raw query string pair by pair. It is used instead of
// url.ParseQuery because that drops pairs containing ';' and loses order and
// the "had an =" bit, all of which signing needs.
func splitQuery(raw string) []param {
	if raw == "" {
		return nil
	}
	params := make([]param, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, hasEq := strings.Cut(pair, "=")
		params = append(params, param{key: queryUnescape(k), value: queryUnescape(v), hasEq: hasEq})
	}
	return params
}

// queryUnescape decodes like a form value ('+' is a space, as the SDKs'
// own URL parsers treat it) and keeps malformed escapes verbatim rather than
// failing, so such requests end in a signature mismatch, not a crash.
func queryUnescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func hasParam(params []param, name string) bool {
	for _, p := range params {
		if p.key == name {
			return true
		}
	}
	return false
}

func paramValue(params []param, name string) string {
	for _, p := range params {
		if p.key == name {
			return p.value
		}
	}
	return ""
}

// paramValueFold finds a parameter case-insensitively: botocore lowercases
// the header names it hoists into SigV2 presigned URLs.
func paramValueFold(params []param, name string) string {
	for _, p := range params {
		if strings.EqualFold(p.key, name) {
			return p.value
		}
	}
	return ""
}

// shouldEscape reports whether SigV4's URI encoding escapes b: everything
// but the RFC 3986 unreserved set, and '/' unless it separates path segments.
func shouldEscape(b byte, keepSlash bool) bool {
	switch {
	case 'A' <= b && b <= 'Z', 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		return false
	case b == '-' || b == '_' || b == '.' || b == '~':
		return false
	case b == '/':
		return !keepSlash
	}
	return true
}

// uriEncode is AWS's UriEncode: unreserved bytes pass, everything else is
// %XX with uppercase hex, a space is %20 (never '+').
func uriEncode(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if shouldEscape(s[i], keepSlash) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if shouldEscape(c, keepSlash) {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// rawPath is the request path exactly as the client sent it, still escaped.
// RequestURI is preferred because url.URL re-escapes paths it considers
// invalid, and the signature covers the bytes on the wire.
func rawPath(r *http.Request) string {
	p := r.RequestURI
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		// Absolute-form target (proxies): drop scheme and authority.
		rest := p[strings.Index(p, "//")+2:]
		p = ""
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			p = rest[i:]
		}
	} else if !strings.HasPrefix(p, "/") {
		p = r.URL.EscapedPath()
	}
	if p == "" {
		return "/"
	}
	return p
}

// normalizePath removes "." and ".." segments and empty segments (double
// slashes), keeping a leading and trailing slash, as AWS does for every
// service but S3 (RFC 3986 section 5.2.4 plus the slash collapsing botocore
// and the service agree on).
func normalizePath(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p
	}
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	norm := "/" + strings.Join(out, "/")
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		norm += "/"
	}
	return norm
}
