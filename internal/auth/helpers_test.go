package auth

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

var (
	// testNow is the signing time of every deterministic test.
	testNow   = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	testCreds = aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
)

const wrongSecret = "not-the-secret"

// toServer puts a client-side request on the wire and reads it back the way
// net/http's server does (Host moved to r.Host, RequestURI set, Content-Length
// and Transfer-Encoding interpreted), so the tests exercise exactly what the
// gateway will see.
func toServer(t testing.TB, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatalf("writing request: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatalf("reading request back: %v", err)
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	sr.Body = io.NopCloser(bytes.NewReader(body))
	return sr, body
}

// mustParse parses and fails the test on error or anonymity.
func mustParse(t testing.TB, r *http.Request) *Signature {
	t.Helper()
	sig, err := Parse(r)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if sig == nil {
		t.Fatalf("Parse: request seen as anonymous")
	}
	return sig
}

// expectKind asserts err is an *Error of the given kind.
func expectKind(t testing.TB, err error, want *Error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want %s", want.Code)
	}
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is %T, not *Error", err, err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("got %v (kind %d), want kind %d", err, ae.Kind, want.Kind)
	}
}

// checkSecrets verifies that the right secret passes and a wrong one fails.
func checkSecrets(t testing.TB, r *http.Request, body []byte, now time.Time) *Signature {
	t.Helper()
	sig := mustParse(t, r)
	if err := Verify(r, body, sig, testCreds.SecretAccessKey, now); err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			t.Fatalf("Verify with the right secret: %v\ncanonical request:\n%s\nstring to sign:\n%s",
				err, ae.CanonicalRequest, ae.StringToSign)
		}
		t.Fatalf("Verify with the right secret: %v", err)
	}
	expectKind(t, Verify(r, body, sig, wrongSecret, now), ErrSignatureDoesNotMatch)
	return sig
}
