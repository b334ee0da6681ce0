package auth

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Signing algorithms as they appear in Authorization headers and
// X-Amz-Algorithm.
const (
	AlgorithmV4  = "AWS4-HMAC-SHA256"
	AlgorithmV4A = "AWS4-ECDSA-P256-SHA256"
	// AlgorithmV2 is S3's legacy HMAC-SHA1 scheme ("AWS AKID:sig" or
	// AWSAccessKeyId/Signature/Expires query parameters).
	AlgorithmV2 = "AWS"
)

// Values X-Amz-Content-Sha256 may carry instead of a hex SHA-256.
const (
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingPayload                = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

const (
	amzDateLayout   = "20060102T150405Z"
	scopeDateLayout = "20060102"
	scopeTerminator = "aws4_request"
	// maxPresignExpiry is SigV4's hard limit on X-Amz-Expires (7 days).
	maxPresignExpiry = 604800
)

// Signature is what a request says about who signed it and how. It is the
// output of Parse and the input of Verify; build it with Parse, because
// Verify relies on unexported details Parse records.
type Signature struct {
	Version   int    // 2 or 4
	Algorithm string // AlgorithmV4, AlgorithmV4A or AlgorithmV2
	AccessKey string
	// SecurityToken is X-Amz-Security-Token (header or query), set for
	// temporary credentials.
	SecurityToken string
	// Date is the signing time: X-Amz-Date, else Date. Zero for SigV2
	// presigned URLs, which carry only an expiry.
	Date time.Time
	// Region and Service are the credential scope (SigV4). SigV2 has no
	// scope: Region is "" and Service is "s3", the only service whose SigV2
	// forms are recognised. For SigV4a, Region is X-Amz-Region-Set.
	Region  string
	Service string
	// SignedHeaders are the lowercase header names the client signed (SigV4).
	SignedHeaders []string
	// Signature is hex for SigV4, base64 for SigV2.
	Signature string
	Presigned bool
	// Expires is when a presigned URL stops working; zero when not presigned
	// or when a non-S3 presigned URL omits X-Amz-Expires.
	Expires time.Time
	// PayloadHash is X-Amz-Content-Sha256 as sent ("" when absent).
	PayloadHash string

	scopeDate string // YYYYMMDD from the credential (SigV4)
	v2Date    string // SigV2: Date header or Expires parameter, verbatim
}

// CredentialScope returns "YYYYMMDD/region/service/aws4_request" (SigV4),
// the scope that also prefixes every chunk signature.
func (s *Signature) CredentialScope() string {
	return s.scopeDate + "/" + s.Region + "/" + s.Service + "/" + scopeTerminator
}

// Parse finds the credentials a request was signed with. It returns (nil,
// nil) for anonymous requests, including Authorization schemes that are not
// AWS's (API Gateway routes may carry bearer tokens for user authorizers).
// Errors are *Error values with the code and message AWS would answer.
func Parse(r *http.Request) (*Signature, error) {
	params := splitQuery(r.URL.RawQuery)
	authz := strings.TrimSpace(r.Header.Get("Authorization"))
	v4Query := hasParam(params, "X-Amz-Algorithm") || hasParam(params, "X-Amz-Credential") ||
		hasParam(params, "X-Amz-Signature")
	v2Query := hasParam(params, "AWSAccessKeyId")
	awsHeader := strings.HasPrefix(authz, "AWS4-") || strings.HasPrefix(authz, "AWS ")
	switch {
	case awsHeader && (v4Query || v2Query):
		return nil, &Error{Kind: KindMalformed, Code: "InvalidArgument", Status: http.StatusBadRequest,
			Message: "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, " +
				"Signature query string parameter or the Authorization header should be specified"}
	case strings.HasPrefix(authz, "AWS4-"):
		return parseV4Header(r, authz)
	case strings.HasPrefix(authz, "AWS "):
		return parseV2Header(r, authz)
	case v4Query:
		return parseV4Query(params)
	case v2Query:
		return parseV2Query(r, params)
	}
	return nil, nil
}

// credential is the parsed X-Amz-Credential / Credential= value.
type credential struct {
	accessKey, date, region, service string
}

// parseCredential splits "AKID/date/region/service/aws4_request" (or, for
// SigV4a, "AKID/date/service/aws4_request"). The message is AWS's wording.
func parseCredential(value, algorithm string) (credential, string) {
	parts := strings.Split(value, "/")
	want := 5
	if algorithm == AlgorithmV4A {
		want = 4
	}
	if len(parts) != want {
		return credential{}, fmt.Sprintf("Credential must have exactly %d slash-delimited elements, "+
			"e.g. keyid/date/region/service/term, got '%s'", want, value)
	}
	c := credential{accessKey: parts[0], date: parts[1], service: parts[want-2]}
	if want == 5 {
		c.region = parts[2]
	}
	if term := parts[want-1]; term != scopeTerminator {
		return c, fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", term)
	}
	if _, err := time.Parse(scopeDateLayout, c.date); err != nil {
		return c, fmt.Sprintf("Credential date '%s' is not in the format yyyyMMdd.", c.date)
	}
	if c.accessKey == "" {
		return c, "Credential has an empty access key."
	}
	return c, ""
}

// parseAuthFields splits "Credential=a, SignedHeaders=b, Signature=c" into a
// map; clients differ on whether a space follows the commas.
func parseAuthFields(s string) map[string]string {
	fields := make(map[string]string, 3)
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return fields
}

func parseV4Header(r *http.Request, authz string) (*Signature, error) {
	algorithm, rest, _ := strings.Cut(authz, " ")
	if algorithm != AlgorithmV4 && algorithm != AlgorithmV4A {
		return nil, headerMalformed("", fmt.Sprintf("Unsupported AWS 'algorithm': '%s'.", algorithm))
	}
	fields := parseAuthFields(rest)
	if msg := missingAuthFields(fields, authz); msg != "" {
		return nil, headerMalformed("", msg)
	}
	cred, msg := parseCredential(fields["Credential"], algorithm)
	if msg != "" {
		if isS3(cred.service) {
			msg = "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
		}
		return nil, headerMalformed(cred.service, msg)
	}
	date, err := headerDateV4(r, cred, authz)
	if err != nil {
		return nil, err
	}
	sig := &Signature{
		Version: 4, Algorithm: algorithm, AccessKey: cred.accessKey,
		SecurityToken: r.Header.Get("X-Amz-Security-Token"),
		Date:          date, Region: cred.region, Service: cred.service,
		SignedHeaders: splitSignedHeaders(fields["SignedHeaders"]),
		Signature:     fields["Signature"],
		PayloadHash:   r.Header.Get("X-Amz-Content-Sha256"),
		scopeDate:     cred.date,
	}
	if algorithm == AlgorithmV4A {
		sig.Region = r.Header.Get("X-Amz-Region-Set")
	}
	return sig, nil
}

// missingAuthFields lists every absent component at once, as AWS does.
func missingAuthFields(fields map[string]string, authz string) string {
	var msg strings.Builder
	for _, name := range []string{"Credential", "Signature", "SignedHeaders"} {
		if fields[name] == "" {
			fmt.Fprintf(&msg, "Authorization header requires '%s' parameter. ", name)
		}
	}
	if msg.Len() == 0 {
		return ""
	}
	return msg.String() + "Authorization=" + authz
}

// headerDateV4 reads X-Amz-Date (or Date) and checks it against the
// credential date, because the signing key is derived from the latter.
func headerDateV4(r *http.Request, cred credential, authz string) (time.Time, error) {
	raw := r.Header.Get("X-Amz-Date")
	var date time.Time
	var err error
	switch {
	case raw != "":
		date, err = time.Parse(amzDateLayout, raw)
		if err != nil {
			return date, headerMalformed(cred.service, fmt.Sprintf("Date must be in ISO-8601 'basic format'. "+
				"Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", raw))
		}
	case r.Header.Get("Date") != "":
		raw = r.Header.Get("Date")
		date, err = parseHTTPDate(raw)
		if err != nil {
			return date, headerMalformed(cred.service, fmt.Sprintf("Date header '%s' is not a valid HTTP date.", raw))
		}
	default:
		return date, headerMalformed(cred.service, "Authorization header requires existence of either "+
			"a 'X-Amz-Date' or a 'Date' header. Authorization="+authz)
	}
	if day := date.UTC().Format(scopeDateLayout); day != cred.date {
		return date, scopeDateMismatch(cred, day, raw)
	}
	return date.UTC(), nil
}

func scopeDateMismatch(cred credential, day, raw string) *Error {
	if isS3(cred.service) {
		return headerMalformed(cred.service, "Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	return &Error{Kind: KindMalformed, Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
		Service: cred.service,
		Message: fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version "+
			"of date from HTTP: '%s' != '%s', from '%s'.", cred.date, day, raw)}
}

func splitSignedHeaders(s string) []string {
	names := strings.Split(s, ";")
	for i, n := range names {
		names[i] = strings.ToLower(strings.TrimSpace(n))
	}
	return names
}

const presignRequires = "Query-string authentication version 4 requires the X-Amz-Algorithm, " +
	"X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."

func parseV4Query(params []param) (*Signature, error) {
	get := func(name string) string { return paramValue(params, name) }
	cred, err := presignCredential(get)
	if err != nil {
		return nil, err
	}
	date, err := time.Parse(amzDateLayout, get("X-Amz-Date"))
	if err != nil {
		return nil, queryMalformed(cred.service, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if date.Format(scopeDateLayout) != cred.date {
		return nil, queryMalformed(cred.service, "Error parsing the X-Amz-Credential parameter; "+
			"the date in the credential does not match X-Amz-Date.")
	}
	expires, err := presignExpiry(get("X-Amz-Expires"), cred.service, date)
	if err != nil {
		return nil, err
	}
	sig := &Signature{
		Version: 4, Algorithm: get("X-Amz-Algorithm"), AccessKey: cred.accessKey,
		SecurityToken: get("X-Amz-Security-Token"),
		Date:          date, Region: cred.region, Service: cred.service,
		SignedHeaders: splitSignedHeaders(get("X-Amz-SignedHeaders")),
		Signature:     get("X-Amz-Signature"),
		Presigned:     true, Expires: expires,
		PayloadHash: get("X-Amz-Content-Sha256"),
		scopeDate:   cred.date,
	}
	if sig.Algorithm == AlgorithmV4A {
		sig.Region = get("X-Amz-Region-Set")
	}
	return sig, nil
}

// presignCredential checks the algorithm and that every mandatory
// parameter is present, then parses X-Amz-Credential.
func presignCredential(get func(string) string) (credential, error) {
	algorithm := get("X-Amz-Algorithm")
	if algorithm != "" && algorithm != AlgorithmV4 && algorithm != AlgorithmV4A {
		return credential{}, queryMalformed("", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\" and \"AWS4-ECDSA-P256-SHA256\"")
	}
	cred, msg := parseCredential(get("X-Amz-Credential"), algorithm)
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders"} {
		if get(name) == "" {
			return cred, queryMalformed(cred.service, presignRequires)
		}
	}
	if msg != "" {
		return cred, queryMalformed(cred.service, "Error parsing the X-Amz-Credential parameter; "+
			"the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	return cred, nil
}

// presignExpiry turns X-Amz-Expires into an absolute time. S3 requires it;
// other services' presigned URLs (STS tokens for EKS, RDS IAM tokens) may
// omit it, in which case the usual 15-minute window applies instead.
func presignExpiry(raw, service string, date time.Time) (time.Time, error) {
	if raw == "" {
		if isS3(service) {
			return time.Time{}, queryMalformed(service, presignRequires)
		}
		return time.Time{}, nil
	}
	seconds, err := strconv.ParseInt(raw, 10, 64)
	switch {
	case err != nil:
		return time.Time{}, queryMalformed(service, "X-Amz-Expires should be a number")
	case seconds < 0:
		return time.Time{}, queryMalformed(service, "X-Amz-Expires must be non-negative")
	case seconds > maxPresignExpiry:
		return time.Time{}, queryMalformed(service, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	return date.Add(time.Duration(seconds) * time.Second), nil
}

func parseV2Header(r *http.Request, authz string) (*Signature, error) {
	cred := strings.TrimSpace(strings.TrimPrefix(authz, "AWS "))
	i := strings.LastIndexByte(cred, ':')
	if i <= 0 || i == len(cred)-1 {
		return nil, &Error{Kind: KindMalformed, Code: "InvalidArgument", Status: http.StatusBadRequest,
			Service: "s3", Message: "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"}
	}
	raw := r.Header.Get("X-Amz-Date")
	if raw == "" {
		raw = r.Header.Get("Date")
	}
	date, err := parseHTTPDate(raw)
	if err != nil {
		return nil, accessDenied(KindMalformed, "s3", "AWS authentication requires a valid Date or x-amz-date header")
	}
	return &Signature{
		Version: 2, Algorithm: AlgorithmV2, AccessKey: cred[:i], Signature: cred[i+1:],
		SecurityToken: r.Header.Get("X-Amz-Security-Token"),
		Date:          date.UTC(), Service: "s3",
		PayloadHash: r.Header.Get("X-Amz-Content-Sha256"),
		v2Date:      r.Header.Get("Date"),
	}, nil
}

func parseV2Query(r *http.Request, params []param) (*Signature, error) {
	akid, signature, raw := paramValue(params, "AWSAccessKeyId"), paramValue(params, "Signature"),
		paramValue(params, "Expires")
	if akid == "" || signature == "" || raw == "" {
		return nil, accessDenied(KindMalformed, "s3",
			"Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
	}
	seconds, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, accessDenied(KindMalformed, "s3", "Invalid date (should be seconds since epoch): "+raw)
	}
	token := paramValueFold(params, "x-amz-security-token")
	if token == "" {
		token = r.Header.Get("X-Amz-Security-Token")
	}
	return &Signature{
		Version: 2, Algorithm: AlgorithmV2, AccessKey: akid,
		// A '+' left unescaped by a careless client decodes to a space;
		// base64 never contains spaces, so put it back.
		Signature:     strings.ReplaceAll(signature, " ", "+"),
		SecurityToken: token, Service: "s3", Presigned: true,
		Expires: time.Unix(seconds, 0).UTC(),
		v2Date:  raw,
	}, nil
}

// dateLayouts are the date forms clients put in Date / x-amz-date: the
// HTTP ones (RFC 1123 with "GMT" or a numeric zone, as botocore and the S3
// examples write it, RFC 850, asctime) and ISO 8601 basic.
var dateLayouts = []string{http.TimeFormat, time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC, amzDateLayout}

func parseHTTPDate(s string) (time.Time, error) {
	var err error
	for _, layout := range dateLayouts {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}
