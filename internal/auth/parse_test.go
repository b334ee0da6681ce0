package auth

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func headerRequest(authz string, headers ...string) *http.Request {
	r, _ := http.NewRequest("GET", "http://127.0.0.1:4566/", nil)
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	return r
}

func TestParseAnonymous(t *testing.T) {
	for _, r := range []*http.Request{
		headerRequest(""),
		headerRequest("Bearer eyJhbGciOi.api-gateway-authorizer"),
		headerRequest("Basic dXNlcjpwYXNz"),
	} {
		if sig, err := Parse(r); sig != nil || err != nil {
			t.Errorf("%q: got %+v, %v", r.Header.Get("Authorization"), sig, err)
		}
	}
	// API Gateway routes may use query names of their own.
	r, _ := http.NewRequest("GET", "http://x/prod/items?Signature=mine&Expires=3", nil)
	if sig, err := Parse(r); sig != nil || err != nil {
		t.Errorf("user query parameters: got %+v, %v", sig, err)
	}
}

func TestParseV4HeaderFields(t *testing.T) {
	r := headerRequest("AWS4-HMAC-SHA256 Credential=AKID/20261122/eu-central-1/execute-api/aws4_request,"+
		"SignedHeaders=host;x-amz-date;x-amz-security-token,Signature=abcdef",
		"X-Amz-Date", "20261122T101500Z", "X-Amz-Security-Token", "tok", "X-Amz-Content-Sha256", UnsignedPayload)
	sig := mustParse(t, r)
	want := Signature{Version: 4, Algorithm: AlgorithmV4, AccessKey: "AKID", SecurityToken: "tok",
		Date: time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC), Region: "eu-central-1", Service: "execute-api",
		Signature: "abcdef", PayloadHash: UnsignedPayload}
	if sig.Version != want.Version || sig.Algorithm != want.Algorithm || sig.AccessKey != want.AccessKey ||
		sig.SecurityToken != want.SecurityToken || !sig.Date.Equal(want.Date) || sig.Region != want.Region ||
		sig.Service != want.Service || sig.Signature != want.Signature || sig.PayloadHash != want.PayloadHash ||
		strings.Join(sig.SignedHeaders, ";") != "host;x-amz-date;x-amz-security-token" || sig.Presigned {
		t.Fatalf("got %+v", sig)
	}
	if sig.CredentialScope() != "20261122/eu-central-1/execute-api/aws4_request" {
		t.Fatalf("scope %q", sig.CredentialScope())
	}
}

func TestParseV4HeaderDateHeader(t *testing.T) {
	r := headerRequest("AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/sts/aws4_request, SignedHeaders=date;host, Signature=ab",
		"Date", "Sun, 22 Nov 2026 12:00:00 GMT")
	if sig := mustParse(t, r); !sig.Date.Equal(testNow) {
		t.Fatalf("date %v", sig.Date)
	}
}

func TestParseErrors(t *testing.T) {
	const good = "Credential=AKID/20261122/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab"
	date := []string{"X-Amz-Date", "20261122T120000Z"}
	cases := []struct {
		name     string
		r        *http.Request
		code     string
		contains string
	}{
		{"missing signature", headerRequest("AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/iam/aws4_request, SignedHeaders=host", date...),
			"IncompleteSignature", "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256"},
		{"missing everything", headerRequest("AWS4-HMAC-SHA256 ", date...),
			"IncompleteSignature", "requires 'Credential' parameter. Authorization header requires 'Signature'"},
		{"short credential", headerRequest("AWS4-HMAC-SHA256 Credential=AKID/20261122/iam/aws4_request, SignedHeaders=host, Signature=ab", date...),
			"IncompleteSignature", "Credential must have exactly 5 slash-delimited elements"},
		{"bad terminator", headerRequest("AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/iam/aws5_request, SignedHeaders=host, Signature=ab", date...),
			"IncompleteSignature", "valid terminator: 'aws4_request', not 'aws5_request'"},
		{"s3 malformed credential", headerRequest("AWS4-HMAC-SHA256 Credential=AKID/2026/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab", date...),
			"AuthorizationHeaderMalformed", "the Credential is mal-formed"},
		{"no date", headerRequest("AWS4-HMAC-SHA256 " + good),
			"IncompleteSignature", "requires existence of either a 'X-Amz-Date' or a 'Date' header"},
		{"bad amz date", headerRequest("AWS4-HMAC-SHA256 "+good, "X-Amz-Date", "2026-11-22T12:00:00Z"),
			"IncompleteSignature", "ISO-8601 'basic format'"},
		{"scope date mismatch", headerRequest("AWS4-HMAC-SHA256 "+good, "X-Amz-Date", "20261123T000100Z"),
			"SignatureDoesNotMatch", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261122' != '20261123'"},
		{"s3 scope date mismatch", headerRequest("AWS4-HMAC-SHA256 "+strings.Replace(good, "/iam/", "/s3/", 1), "X-Amz-Date", "20261123T000100Z"),
			"AuthorizationHeaderMalformed", "Invalid credential date"},
		{"unknown AWS4 algorithm", headerRequest("AWS4-HMAC-SHA512 "+good, date...),
			"IncompleteSignature", "Unsupported AWS 'algorithm'"},
		{"v2 header without colon", headerRequest("AWS AKIDsignature", "Date", "Sun, 22 Nov 2026 12:00:00 GMT"),
			"InvalidArgument", "Expected AwsAccessKeyId:signature"},
		{"v2 header without date", headerRequest("AWS AKID:c2ln"),
			"AccessDenied", "requires a valid Date or x-amz-date header"},
		{"header and presigned query", queryRequest(t, "X-Amz-Algorithm=AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 "+good),
			"InvalidArgument", "Only one auth mechanism allowed"},
		{"presign missing expires (s3)", queryRequest(t, presignQuery("s3", "")),
			"AuthorizationQueryParametersError", "requires the X-Amz-Algorithm, X-Amz-Credential"},
		{"presign expiry over a week", queryRequest(t, presignQuery("s3", "604801")),
			"AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{"presign expiry not a number", queryRequest(t, presignQuery("s3", "soon")),
			"AuthorizationQueryParametersError", "X-Amz-Expires should be a number"},
		{"presign negative expiry", queryRequest(t, presignQuery("s3", "-1")),
			"AuthorizationQueryParametersError", "X-Amz-Expires must be non-negative"},
		{"presign bad algorithm", queryRequest(t, strings.Replace(presignQuery("s3", "60"), "AWS4-HMAC-SHA256", "AWS4-HMAC-MD5", 1)),
			"AuthorizationQueryParametersError", "X-Amz-Algorithm only supports"},
		{"presign missing signature", queryRequest(t, strings.Replace(presignQuery("s3", "60"), "X-Amz-Signature=ab", "", 1)),
			"AuthorizationQueryParametersError", "X-Amz-Signature"},
		{"v2 query missing expires", queryRequest(t, "AWSAccessKeyId=AKID&Signature=c2ln"),
			"AccessDenied", "requires the Signature, Expires and AWSAccessKeyId parameters"},
		{"v2 query bad expires", queryRequest(t, "AWSAccessKeyId=AKID&Signature=c2ln&Expires=tomorrow"),
			"AccessDenied", "Invalid date (should be seconds since epoch): tomorrow"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig, err := Parse(c.r)
			var ae *Error
			if sig != nil || !errors.As(err, &ae) {
				t.Fatalf("got %+v, %v", sig, err)
			}
			if ae.Code != c.code || !strings.Contains(ae.Message, c.contains) || ae.Status == 0 ||
				!errors.Is(err, ErrMalformed) {
				t.Fatalf("got %s (%d) %q", ae.Code, ae.Status, ae.Message)
			}
		})
	}
}

func presignQuery(service, expires string) string {
	q := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261122%2Fus-east-1%2F" + service +
		"%2Faws4_request&X-Amz-Date=20261122T120000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab"
	if expires != "" {
		q += "&X-Amz-Expires=" + expires
	}
	return q
}

func queryRequest(t *testing.T, query string, authz ...string) *http.Request {
	r, err := http.NewRequest("GET", "http://127.0.0.1:4566/b/k?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(authz) > 0 {
		r.Header.Set("Authorization", authz[0])
	}
	return r
}

// TestPresignWithoutExpiresOutsideS3: STS/RDS-style presigned URLs may omit
// X-Amz-Expires; they then get the header 15-minute window.
func TestPresignWithoutExpiresOutsideS3(t *testing.T) {
	sig := mustParse(t, queryRequest(t, presignQuery("rds-db", "")))
	if !sig.Presigned || !sig.Expires.IsZero() {
		t.Fatalf("got %+v", sig)
	}
	expectKind(t, checkTime(sig, testNow.Add(16*time.Minute)), ErrRequestTimeTooSkewed)
	if err := checkTime(sig, testNow.Add(14*time.Minute)); err != nil {
		t.Fatal(err)
	}
}

func TestParseV2QueryRestoresPlus(t *testing.T) {
	// A client that forgot to escape '+' in the base64 signature.
	sig := mustParse(t, queryRequest(t, "AWSAccessKeyId=AKID&Signature=a+b/c=&Expires=1795000000&x-amz-security-token=t%2Bk"))
	if sig.Signature != "a+b/c=" || sig.SecurityToken != "t+k" || sig.Version != 2 || sig.Service != "s3" ||
		!sig.Expires.Equal(time.Unix(1795000000, 0)) {
		t.Fatalf("got %+v", sig)
	}
}

func TestSigV4aIsParsedButNotVerified(t *testing.T) {
	r := headerRequest("AWS4-ECDSA-P256-SHA256 Credential=AKID/20261122/s3/aws4_request, "+
		"SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100ab",
		"X-Amz-Date", "20261122T120000Z", "X-Amz-Region-Set", "us-east-1,us-west-2")
	sig := mustParse(t, r)
	if sig.Algorithm != AlgorithmV4A || sig.Service != "s3" || sig.Region != "us-east-1,us-west-2" || sig.AccessKey != "AKID" {
		t.Fatalf("got %+v", sig)
	}
	expectKind(t, Verify(r, nil, sig, "secret", testNow), ErrUnsupported)
}

func TestVerifyWithoutSignature(t *testing.T) {
	err := Verify(headerRequest(""), nil, nil, "secret", testNow)
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != "MissingAuthenticationToken" {
		t.Fatalf("got %v", err)
	}
}

func TestMismatchErrorCarriesDebugInfo(t *testing.T) {
	r, body := sdkCases()[0].sign(t)
	sig := mustParse(t, r)
	err := Verify(r, body, sig, wrongSecret, testNow)
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || ae.Service != "iam" ||
		!strings.HasPrefix(ae.CanonicalRequest, "POST\n/\n\ncontent-length:") ||
		!strings.HasPrefix(ae.StringToSign, "AWS4-HMAC-SHA256\n20261122T120000Z\n20261122/us-east-1/iam/aws4_request\n") {
		t.Fatalf("got %+v", ae)
	}
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"/": "/", "//": "/", "/a/b/": "/a/b/", "/a/./b": "/a/b", "/a/../b": "/b", "/../a": "/a",
		"/a//b///c/": "/a/b/c/", "/a/b/..": "/a", "/.well-known/x": "/.well-known/x",
	} {
		if got := normalizePath(in); got != want {
			t.Errorf("normalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURIEncode(t *testing.T) {
	if got := uriEncode("a b/c~d-e_f.g+h*ü!", true); got != "a%20b/c~d-e_f.g%2Bh%2A%C3%BC%21" {
		t.Fatal(got)
	}
	if got := uriEncode("a/b", false); got != "a%2Fb" {
		t.Fatal(got)
	}
}
