package auth

import (
	"testing"
	"time"
)

// BenchmarkParseVerifyV4 measures the per-request cost the gateway pays on
// a typical header-signed JSON call (DynamoDB PutItem, signed by
// aws-sdk-go-v2): parsing plus a full canonical-request rebuild, body hash,
// key derivation and HMAC.
func BenchmarkParseVerifyV4(b *testing.B) {
	r, body := sdkCases()[1].sign(b)
	now := testNow.Add(time.Minute)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		sig, err := Parse(r)
		if err != nil {
			b.Fatal(err)
		}
		if err := Verify(r, body, sig, testCreds.SecretAccessKey, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseVerifyS3Get is the S3 shape: path with escaped key, query
// string, X-Amz-Content-Sha256 header.
func BenchmarkParseVerifyS3Get(b *testing.B) {
	r, body := sdkCases()[2].sign(b)
	b.ReportAllocs()
	for b.Loop() {
		sig, _ := Parse(r)
		if err := Verify(r, body, sig, testCreds.SecretAccessKey, testNow); err != nil {
			b.Fatal(err)
		}
	}
}
