package auth

import (
	"fmt"
	"net/http"
	"time"
)

// MaxSkew is how far a header-signed request's time may be from the
// server's clock, in either direction, before AWS rejects it.
const MaxSkew = 15 * time.Minute

// Verify checks sig (from Parse(r)) against secret the way AWS does.
//
// body is the complete request body, or nil when the caller has not read it
// (streaming uploads): then a literal X-Amz-Content-Sha256 is trusted for
// the signature and comparing it with the body is left to the caller. An
// empty non-nil body means "no body". For aws-chunked bodies pass the raw
// (encoded) body or nil; the signature covers only the STREAMING-* marker,
// and chunk signatures are checked by ChunkedReader.
//
// now is injected so tests and replays are deterministic. Errors are *Error
// and match the sentinels (ErrSignatureDoesNotMatch, ErrRequestTimeTooSkewed,
// ErrRequestExpired, ...) with errors.Is.
func Verify(r *http.Request, body []byte, sig *Signature, secret string, now time.Time) error {
	if sig == nil {
		return &Error{Kind: KindMalformed, Code: "MissingAuthenticationToken",
			Status: http.StatusForbidden, Message: "Request is missing Authentication Token"}
	}
	if err := checkTime(sig, now); err != nil {
		return err
	}
	switch {
	case sig.Version == 2:
		return verifyV2(r, sig, secret)
	case sig.Algorithm == AlgorithmV4A:
		return &Error{Kind: KindUnsupported, Code: "NotImplemented", Status: http.StatusNotImplemented,
			Service: sig.Service, Message: "SigV4a (AWS4-ECDSA-P256-SHA256) signatures cannot be verified by kiri."}
	case sig.Version == 4:
		return verifyV4(r, body, sig, secret)
	}
	return &Error{Kind: KindUnsupported, Code: "NotImplemented", Status: http.StatusNotImplemented,
		Service: sig.Service, Message: fmt.Sprintf("Unsupported signature version %d.", sig.Version)}
}

// checkTime rejects requests outside their validity window before any
// HMAC is computed, as AWS reports expiry ahead of signature mismatches.
func checkTime(sig *Signature, now time.Time) error {
	now = now.UTC()
	if sig.Presigned && !sig.Expires.IsZero() {
		return checkPresignWindow(sig, now)
	}
	if sig.Presigned && sig.Version == 4 && sig.Date.After(now.Add(MaxSkew)) {
		return notYetValid(sig)
	}
	if sig.Date.IsZero() {
		return nil
	}
	if d := now.Sub(sig.Date); d > MaxSkew || d < -MaxSkew {
		return skewed(sig, now)
	}
	return nil
}

func checkPresignWindow(sig *Signature, now time.Time) error {
	if now.After(sig.Expires) {
		return accessDenied(KindExpired, sig.Service, "Request has expired")
	}
	if !sig.Date.IsZero() && sig.Date.After(now.Add(MaxSkew)) {
		return notYetValid(sig)
	}
	return nil
}

func notYetValid(sig *Signature) *Error {
	return accessDenied(KindNotYetValid, sig.Service, "Request is not yet valid")
}

// skewed words the clock-skew failure per service family: S3 has its own
// code; the others answer with a "Signature expired" SignatureDoesNotMatch
// (InvalidSignatureException in JSON protocols).
func skewed(sig *Signature, now time.Time) *Error {
	if isS3(sig.Service) {
		return &Error{Kind: KindTimeSkewed, Code: "RequestTimeTooSkewed", Status: http.StatusForbidden,
			Service: sig.Service, Message: "The difference between the request time and the current time is too large."}
	}
	f := func(t time.Time) string { return t.Format(amzDateLayout) }
	msg := fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
		f(sig.Date), f(now.Add(-MaxSkew)), f(now))
	if sig.Date.After(now) {
		msg = fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			f(sig.Date), f(now.Add(MaxSkew)), f(now))
	}
	return &Error{Kind: KindTimeSkewed, Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
		Service: sig.Service, Message: msg}
}
