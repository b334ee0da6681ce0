package auth

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net"
	"net/http"
	"sort"
	"strings"
)

// s3SubResources are the query parameters that belong in SigV2's
// CanonicalizedResource: the list in the S3 "Signing and authenticating
// REST requests" guide, plus the later additions botocore's HmacV1 signer
// includes (botocore is the remaining SigV2 client).
var s3SubResources = map[string]bool{
	"accelerate": true, "acl": true, "analytics": true, "cors": true, "defaultObjectAcl": true,
	"delete": true, "inventory": true, "lifecycle": true, "location": true, "logging": true,
	"metrics": true, "notification": true, "object-lock": true, "partNumber": true, "policy": true,
	"replication": true, "requestPayment": true, "restore": true, "select": true, "select-type": true,
	"storageClass": true, "tagging": true, "torrent": true, "uploadId": true, "uploads": true,
	"versionId": true, "versioning": true, "versions": true, "website": true,
	"response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "response-content-language": true,
	"response-content-type": true, "response-expires": true,
}

// verifyV2 recomputes an S3 SigV2 signature, base64(HMAC-SHA1(secret,
// StringToSign)). The bucket's place in the canonical resource depends on
// the addressing style, which this package cannot know, so each plausible
// form is tried.
func verifyV2(r *http.Request, sig *Signature, secret string) error {
	want, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil {
		want = nil
	}
	candidates := v2StringsToSign(r, sig)
	for _, sts := range candidates {
		h := hmac.New(sha1.New, []byte(secret))
		h.Write([]byte(sts))
		if want != nil && hmac.Equal(h.Sum(nil), want) {
			return nil
		}
	}
	return mismatch("s3", "", candidates[0])
}

// v2StringsToSign builds
//
//	VERB \n Content-MD5 \n Content-Type \n Date|Expires \n
//	CanonicalizedAmzHeaders CanonicalizedResource
//
// for each candidate date line and canonical resource.
func v2StringsToSign(r *http.Request, sig *Signature) []string {
	params := splitQuery(r.URL.RawQuery)
	head := r.Method + "\n" + v2Field(r, params, sig, "Content-Md5") + "\n" +
		v2Field(r, params, sig, "Content-Type") + "\n"
	amz := canonicalAmzHeaders(r, params, sig.Presigned)
	var out []string
	for _, date := range v2DateLines(r, sig) {
		for _, res := range canonicalResources(r, params) {
			out = append(out, head+date+"\n"+amz+res)
		}
	}
	return out
}

// v2Field reads Content-MD5 / Content-Type, which botocore moves into the
// query string of presigned URLs.
func v2Field(r *http.Request, params []param, sig *Signature, name string) string {
	if v := r.Header.Get(name); v != "" {
		return strings.TrimSpace(v)
	}
	if sig.Presigned {
		return paramValueFold(params, name)
	}
	return ""
}

// v2DateLines: presigned URLs put Expires in the Date line. With an
// x-amz-date header the documented Date line is empty, but botocore keeps
// the Date header there, so that is tried second.
func v2DateLines(r *http.Request, sig *Signature) []string {
	if sig.Presigned || r.Header.Get("X-Amz-Date") == "" {
		return []string{sig.v2Date}
	}
	if sig.v2Date == "" {
		return []string{""}
	}
	return []string{"", sig.v2Date}
}

// canonicalAmzHeaders renders the sorted "x-amz-name:v1,v2\n" lines. For
// presigned URLs the x-amz-* query parameters count too: botocore hoists
// x-amz-security-token from the headers into the URL after signing it.
func canonicalAmzHeaders(r *http.Request, params []param, presigned bool) string {
	values := map[string][]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") {
			for _, v := range vs {
				values[lk] = append(values[lk], strings.TrimSpace(v))
			}
		}
	}
	if presigned {
		for _, p := range params {
			if lk := strings.ToLower(p.key); strings.HasPrefix(lk, "x-amz-") {
				values[lk] = append(values[lk], strings.TrimSpace(p.value))
			}
		}
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(k + ":" + strings.Join(values[k], ",") + "\n")
	}
	return b.String()
}

// canonicalResources returns the CanonicalizedResource for path-style
// addressing, then for virtual-hosted style (first host label is the
// bucket), then for CNAME style (the whole host is the bucket). A path-style
// request for the bucket itself ("/bucket") is signed as "/bucket/", the
// bucket's resource, by botocore and S3.
func canonicalResources(r *http.Request, params []param) []string {
	path := rawPath(r)
	sub := subResources(params)
	out := []string{path + sub}
	if strings.Count(path, "/") == 1 && len(path) > 1 {
		out = append(out, path+"/"+sub)
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "" || net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return out
	}
	label, _, _ := strings.Cut(host, ".")
	return append(out, "/"+label+path+sub, "/"+host+path+sub)
}

// subResources renders "?acl&versionId=v" with decoded values, sorted by
// name, keeping "name=" when the client wrote an empty value.
func subResources(params []param) string {
	var picked []param
	for _, p := range params {
		if s3SubResources[p.key] {
			picked = append(picked, p)
		}
	}
	if len(picked) == 0 {
		return ""
	}
	sort.SliceStable(picked, func(i, j int) bool { return picked[i].key < picked[j].key })
	var b strings.Builder
	for i, p := range picked {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		if p.hasEq {
			b.WriteString("=" + p.value)
		}
	}
	return b.String()
}
