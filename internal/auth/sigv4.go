package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// emptySHA256 is hex(SHA-256("")), the payload hash of a bodiless request.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// SigningKey derives the SigV4 signing key for a credential scope
// (kDate → kRegion → kService → kSigning). Exported for S3 browser-POST
// policies and chunk signing, which sign with the same key.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTerminator)
}

// verifyV4 recomputes a SigV4 signature. Where clients legitimately differ
// (path normalisation, S3 path re-encoding, presigned payload hash) it tries
// the AWS form first and the few known alternatives after, so a real
// client's request is never rejected for a canonicalisation detail the
// service itself tolerates.
func verifyV4(r *http.Request, body []byte, sig *Signature, secret string) error {
	payloads, err := payloadHashes(body, sig)
	if err != nil {
		return err
	}
	query := canonicalQuery(r.URL.RawQuery, sig.Presigned)
	headers := canonicalHeaders(r, sig.SignedHeaders)
	signed := strings.Join(sig.SignedHeaders, ";")
	key := SigningKey(secret, sig.scopeDate, sig.Region, sig.Service)
	scope := sig.CredentialScope()
	amzDate := sig.Date.Format(amzDateLayout)
	want, err := hex.DecodeString(sig.Signature)
	if err != nil {
		want = nil // still compute the canonical request for the error body
	}
	var firstCR, firstSTS string
	for _, uri := range canonicalURIs(r, sig.Service) {
		for _, payload := range payloads {
			cr := r.Method + "\n" + uri + "\n" + query + "\n" + headers + "\n" + signed + "\n" + payload
			sts := AlgorithmV4 + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex([]byte(cr))
			if want != nil && hmac.Equal(hmacSHA256(key, sts), want) {
				return nil
			}
			if firstCR == "" {
				firstCR, firstSTS = cr, sts
			}
		}
	}
	return mismatch(sig.Service, firstCR, firstSTS)
}

// payloadHashes returns the candidate last lines of the canonical request.
// A literal X-Amz-Content-Sha256 is checked against the body (when the
// caller has it) because the signature only covers the claimed hash.
func payloadHashes(body []byte, sig *Signature) ([]string, error) {
	claimed := sig.PayloadHash
	if claimed != "" {
		if isHexSHA256(claimed) && body != nil && !strings.EqualFold(claimed, sha256Hex(body)) {
			return nil, &Error{Kind: KindContentHashMismatch, Code: "XAmzContentSHA256Mismatch",
				Status: http.StatusBadRequest, Service: sig.Service,
				Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
		}
		return []string{claimed}, nil
	}
	actual := sha256Hex(body)
	if !sig.Presigned {
		return []string{actual}, nil
	}
	// S3 presigned URLs sign UNSIGNED-PAYLOAD; other services' presigned
	// URLs (STS for EKS tokens, RDS IAM auth) sign the empty body's hash.
	if isS3(sig.Service) {
		return []string{UnsignedPayload, actual}, nil
	}
	return []string{actual, UnsignedPayload}, nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// canonicalURIs returns the canonical path the service computes first and
// a client-side variant if it differs. S3 signs the path as sent (no
// normalisation, no second encoding); the alternative is AWS's own
// re-encoding for clients that leave characters like '!' unescaped. Other
// services encode the already-escaped path again after normalising it; the
// alternative skips normalisation, as aws-sdk-go-v2 does.
func canonicalURIs(r *http.Request, service string) []string {
	raw := rawPath(r)
	var primary, alt string
	if isS3(service) {
		primary = raw
		if dec, err := pathUnescape(raw); err == nil {
			alt = uriEncode(dec, true)
		}
	} else {
		primary = uriEncode(normalizePath(raw), true)
		alt = uriEncode(raw, true)
	}
	if alt == "" || alt == primary {
		return []string{primary}
	}
	return []string{primary, alt}
}

// pathUnescape decodes %XX only ('+' is literal in paths).
func pathUnescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", strconv.ErrSyntax
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", err
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// canonicalQuery encodes each name and value with UriEncode and sorts the
// encoded pairs by name, then value ("the sorting occurs after encoding").
// Presigned URLs exclude their own X-Amz-Signature.
func canonicalQuery(raw string, presigned bool) string {
	params := splitQuery(raw)
	if len(params) == 0 {
		return ""
	}
	pairs := make([][2]string, 0, len(params))
	for _, p := range params {
		if presigned && p.key == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, [2]string{uriEncode(p.key, false), uriEncode(p.value, false)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p[0])
		b.WriteByte('=')
		b.WriteString(p[1])
	}
	return b.String()
}

// canonicalHeaders renders "name:value\n" for each signed header, in the
// order the client listed them (clients sort; AWS uses the list as given).
func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, name := range names {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(r, name))
		b.WriteByte('\n')
	}
	return b.String()
}

// headerValue returns a signed header's canonical value: all its values,
// each trimmed with inner runs of spaces collapsed, joined by commas. Go's
// server moves Host and Transfer-Encoding out of r.Header, so those are
// reconstructed from the request fields.
func headerValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		host := r.Host
		if host == "" {
			host = r.URL.Host
		}
		return trimAll(host)
	case "transfer-encoding":
		if len(r.TransferEncoding) > 0 {
			return strings.Join(r.TransferEncoding, ",")
		}
	case "content-length":
		if _, ok := r.Header["Content-Length"]; !ok && r.ContentLength > 0 {
			return strconv.FormatInt(r.ContentLength, 10)
		}
	}
	values = r.Header.Values(name)
	if len(values) == 0 {
		values = valuesFold(r.Header, name)
	}
	if len(values) == 1 {
		return trimAll(values[0])
	}
	trimmed := make([]string, len(values))
	for i, v := range values {
		trimmed[i] = trimAll(v)
	}
	return strings.Join(trimmed, ",")
}

// valuesFold finds headers stored under a non-canonical key (Go keeps keys
// with characters outside the token set as sent).
func valuesFold(h http.Header, name string) []string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// trimAll is SigV4's Trimall: trim the ends and collapse runs of spaces.
func trimAll(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
