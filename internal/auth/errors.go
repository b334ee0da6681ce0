package auth

import "net/http"

// Kind classifies an authentication failure independently of the AWS error
// code, because the same failure is reported under different codes by
// different services (S3 says RequestTimeTooSkewed where STS says
// SignatureDoesNotMatch with a "Signature expired" message).
type Kind int

// The kinds of failure Parse and Verify report.
const (
	// KindMalformed: the Authorization header or the signing query
	// parameters are missing pieces or cannot be parsed.
	KindMalformed Kind = iota + 1
	// KindSignatureMismatch: the recomputed signature differs.
	KindSignatureMismatch
	// KindTimeSkewed: header-signed request more than 15 minutes away from now.
	KindTimeSkewed
	// KindExpired: presigned URL used after its expiry.
	KindExpired
	// KindNotYetValid: presigned URL used before its signing time.
	KindNotYetValid
	// KindContentHashMismatch: X-Amz-Content-Sha256 does not match the body.
	KindContentHashMismatch
	// KindUnsupported: a recognised scheme this package cannot verify (SigV4a).
	KindUnsupported
	// KindChunkMalformed: an aws-chunked body is not well formed.
	KindChunkMalformed
)

// Error is an authentication failure carrying the AWS error code, message and
// HTTP status a real endpoint would answer with, so the gateway can render it
// without knowing about signatures. Code is the S3 / query-protocol code; JSON
// protocols spell some differently (SignatureDoesNotMatch is
// InvalidSignatureException there) and the gateway is expected to map those.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Status  int
	// Service is the credential-scope service the error was judged for, ""
	// when the request was too malformed to tell.
	Service string
	// CanonicalRequest and StringToSign are what kiri computed; S3 echoes
	// them in SignatureDoesNotMatch bodies to help users debug signers.
	CanonicalRequest string
	StringToSign     string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is makes errors.Is(err, ErrSignatureDoesNotMatch) and friends match on Kind,
// whatever code and message the concrete error carries.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind
}

// Sentinels for errors.Is.
var (
	ErrMalformed             = &Error{Kind: KindMalformed, Code: "IncompleteSignature"}
	ErrSignatureDoesNotMatch = &Error{Kind: KindSignatureMismatch, Code: "SignatureDoesNotMatch"}
	ErrRequestTimeTooSkewed  = &Error{Kind: KindTimeSkewed, Code: "RequestTimeTooSkewed"}
	ErrRequestExpired        = &Error{Kind: KindExpired, Code: "AccessDenied"}
	ErrRequestNotYetValid    = &Error{Kind: KindNotYetValid, Code: "AccessDenied"}
	ErrContentSHA256Mismatch = &Error{Kind: KindContentHashMismatch, Code: "XAmzContentSHA256Mismatch"}
	ErrUnsupported           = &Error{Kind: KindUnsupported, Code: "NotImplemented"}
	ErrChunkMalformed        = &Error{Kind: KindChunkMalformed, Code: "IncompleteBody"}
)

// isS3 reports whether a credential-scope service follows S3's signing and
// error conventions (no path normalisation, S3 error codes).
func isS3(service string) bool {
	switch service {
	case "s3", "s3-object-lambda", "s3express", "s3-outposts":
		return true
	}
	return false
}

// headerMalformed builds the error for a bad SigV4 Authorization header,
// worded the way S3 or the other services word it.
func headerMalformed(service, msg string) *Error {
	if isS3(service) {
		return &Error{Kind: KindMalformed, Code: "AuthorizationHeaderMalformed",
			Message: "The authorization header is malformed; " + msg,
			Status:  http.StatusBadRequest, Service: service}
	}
	return &Error{Kind: KindMalformed, Code: "IncompleteSignature", Message: msg,
		Status: http.StatusBadRequest, Service: service}
}

// queryMalformed builds the error for bad presigned-URL parameters.
func queryMalformed(service, msg string) *Error {
	return &Error{Kind: KindMalformed, Code: "AuthorizationQueryParametersError",
		Message: msg, Status: http.StatusBadRequest, Service: service}
}

// accessDenied is S3's answer to unusable SigV2 and presigned requests.
func accessDenied(kind Kind, service, msg string) *Error {
	return &Error{Kind: kind, Code: "AccessDenied", Message: msg,
		Status: http.StatusForbidden, Service: service}
}

func mismatch(service, canonical, stringToSign string) *Error {
	msg := "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	if isS3(service) {
		msg = "The request signature we calculated does not match the signature you provided. " +
			"Check your key and signing method."
	}
	return &Error{Kind: KindSignatureMismatch, Code: "SignatureDoesNotMatch", Message: msg,
		Status: http.StatusForbidden, Service: service,
		CanonicalRequest: canonical, StringToSign: stringToSign}
}
