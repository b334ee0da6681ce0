package auth

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// docChunks frames the AWS streaming examples' payload (66560 bytes of 'a'
// as 64 KiB + 1 KiB + final chunk) with the given chunk signatures.
func docChunks(sigs [3]string, tail string) []byte {
	var b bytes.Buffer
	for i, size := range []int{65536, 1024, 0} {
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", size, sigs[i])
		b.Write(bytes.Repeat([]byte("a"), size))
		b.WriteString("\r\n")
	}
	b.WriteString(tail)
	return b.Bytes()
}

const docStreamingHeaders = "Host: s3.amazonaws.com\nx-amz-date: 20130524T000000Z\n" +
	"x-amz-storage-class: REDUCED_REDUNDANCY\nContent-Encoding: aws-chunked\n" +
	"x-amz-decoded-content-length: 66560\n"

// TestAWSStreamingExample is the "PUT Object in chunks" example from the S3
// API reference: seed signature from the headers, then three chained chunk
// signatures.
func TestAWSStreamingExample(t *testing.T) {
	body := docChunks([3]string{
		"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
		"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
		"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"}, "")
	if len(body) != 66824 {
		t.Fatalf("encoded length %d, the example says 66824", len(body))
	}
	req := "PUT /examplebucket/chunkObject.txt HTTP/1.1\n" + docStreamingHeaders +
		"x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\nContent-Length: 66824\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
		"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;" +
		"x-amz-decoded-content-length;x-amz-storage-class," +
		"Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\n"
	decodeDocExample(t, req, body, "")

	tampered := bytes.Clone(body)
	tampered[66000] = 'b' // inside the second chunk
	r := rawRequest(t, req, tampered)
	cr, _, _ := ChunkedBody(r, mustParse(t, r), s3DocSecret)
	_, err := io.ReadAll(cr)
	expectKind(t, err, ErrSignatureDoesNotMatch)

	r = rawRequest(t, req, body[:len(body)-90])
	cr, _, _ = ChunkedBody(r, nil, "")
	_, err = io.ReadAll(cr)
	expectKind(t, err, ErrChunkMalformed)
}

// TestAWSStreamingTrailerExample is the "trailing headers" example: signed
// chunks, then a CRC32C trailer signed with x-amz-trailer-signature.
func TestAWSStreamingTrailerExample(t *testing.T) {
	tail := "x-amz-checksum-crc32c:sOO8/Q==\r\n" +
		"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n"
	body := docChunks([3]string{
		"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
		"1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
		"2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"}, tail)
	req := "PUT /examplebucket/chunkObject.txt HTTP/1.1\n" + docStreamingHeaders +
		"x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER\nx-amz-trailer: x-amz-checksum-crc32c\n" +
		fmt.Sprintf("Content-Length: %d\n", len(body)) +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
		"SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;" +
		"x-amz-storage-class;x-amz-trailer," +
		"Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e\n"
	cr := decodeDocExample(t, req, body, "sOO8/Q==")

	forged := bytes.Replace(body, []byte("sOO8/Q=="), []byte("sOO8/A=="), 1)
	r := rawRequest(t, req, forged)
	cr, _, _ = ChunkedBody(r, mustParse(t, r), s3DocSecret)
	_, err := io.ReadAll(cr)
	expectKind(t, err, ErrSignatureDoesNotMatch)
}

// decodeDocExample verifies the seed signature with Verify and the chain
// with ChunkedBody, reading through a one-byte reader to exercise every
// buffer boundary.
func decodeDocExample(t *testing.T, req string, body []byte, crc32c string) *ChunkedReader {
	t.Helper()
	r := rawRequest(t, req, body)
	sig := mustParse(t, r)
	if err := Verify(r, nil, sig, s3DocSecret, s3DocTime); err != nil {
		t.Fatalf("seed signature: %v", err)
	}
	r.Body = io.NopCloser(iotest.OneByteReader(r.Body))
	cr, ok, err := ChunkedBody(r, sig, s3DocSecret)
	if !ok || err != nil {
		t.Fatalf("ChunkedBody: ok=%v err=%v", ok, err)
	}
	data, err := io.ReadAll(cr)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	if !bytes.Equal(data, bytes.Repeat([]byte("a"), 66560)) {
		t.Fatalf("decoded %d bytes", len(data))
	}
	if got := cr.Trailer().Get("X-Amz-Checksum-Crc32c"); got != crc32c {
		t.Fatalf("crc32c trailer %q", got)
	}
	if cr.Trailer().Get("X-Amz-Trailer-Signature") != "" {
		t.Fatal("trailer signature leaked into Trailer()")
	}
	return cr
}

// chunkSigner is an independent implementation of the documented chunk
// signing, used to build bodies for requests signed by the SDK.
type chunkSigner struct {
	key       []byte
	date      string
	scope     string
	prev      string
	emptyHash string
}

func (s *chunkSigner) sign(kind, last string) string {
	m := hmac.New(sha256.New, s.key)
	io.WriteString(m, kind+"\n"+s.date+"\n"+s.scope+"\n"+s.prev+"\n"+last)
	s.prev = hex.EncodeToString(m.Sum(nil))
	return s.prev
}

func hexSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestSignedChunkedWithTrailerFromSDKSeed signs the headers with
// aws-sdk-go-v2 (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER) and frames a
// payload with uneven chunks and a CRC32 trailer per the documentation.
func TestSignedChunkedWithTrailerFromSDKSeed(t *testing.T) {
	payload := []byte(strings.Repeat("kiri chunked payload ", 1000))
	req, _ := http.NewRequest("PUT", "http://127.0.0.1:4566/bucket/dir/a%20b.bin", nil)
	for k, v := range map[string]string{
		"Content-Encoding": "aws-chunked", "X-Amz-Trailer": "x-amz-checksum-crc32",
		"X-Amz-Content-Sha256":         StreamingPayloadTrailer,
		"X-Amz-Decoded-Content-Length": fmt.Sprint(len(payload)),
	} {
		req.Header.Set(k, v)
	}
	err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(
		context.Background(), testCreds, req, StreamingPayloadTrailer, "s3", "us-east-1", testNow)
	if err != nil {
		t.Fatal(err)
	}
	body, trailer := signedTrailerBody(mustParse(t, req).Signature, payload)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	r, raw := toServer(t, req)
	sig := checkSecrets(t, r, raw, testNow)
	cr, ok, err := ChunkedBody(r, sig, testCreds.SecretAccessKey)
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	got, err := io.ReadAll(iotest.HalfReader(cr))
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("decoded %d bytes, err %v", len(got), err)
	}
	if cr.Trailer().Get("x-amz-checksum-crc32") != strings.TrimPrefix(trailer, "x-amz-checksum-crc32:") {
		t.Fatalf("trailers %v", cr.Trailer())
	}

	// The same body checked against a wrong secret fails on the first chunk.
	cr = NewChunkedReader(bytes.NewReader(raw)).VerifyChunks(sig, wrongSecret)
	_, err = io.ReadAll(cr)
	expectKind(t, err, ErrSignatureDoesNotMatch)
}

// signedTrailerBody frames payload in uneven signed chunks chained from
// seed, followed by a signed CRC32 trailer, per the S3 documentation.
func signedTrailerBody(seed string, payload []byte) ([]byte, string) {
	cs := &chunkSigner{key: SigningKey(testCreds.SecretAccessKey, "20261122", "us-east-1", "s3"),
		date: "20261122T120000Z", scope: "20261122/us-east-1/s3/aws4_request", prev: seed}
	var body bytes.Buffer
	for rest := payload; ; {
		n := min(len(rest), 8192+17)
		sig := cs.sign("AWS4-HMAC-SHA256-PAYLOAD", emptySHA256+"\n"+hexSum(rest[:n]))
		fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n%s\r\n", n, sig, rest[:n])
		if n == 0 {
			break
		}
		rest = rest[n:]
	}
	crc := crc32.ChecksumIEEE(payload)
	trailer := "x-amz-checksum-crc32:" + base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	tsig := cs.sign("AWS4-HMAC-SHA256-TRAILER", hexSum([]byte(trailer+"\n")))
	body.WriteString(trailer + "\r\nx-amz-trailer-signature:" + tsig + "\r\n\r\n")
	return body.Bytes(), trailer
}

// TestUnsignedTrailerBody decodes the STREAMING-UNSIGNED-PAYLOAD-TRAILER
// framing aws-sdk-go-v2 and botocore emit for flexible checksums.
func TestUnsignedTrailerBody(t *testing.T) {
	body := "b\r\nHello world\r\n5\r\n, bye\r\n0\r\nx-amz-checksum-crc32:i9aeUg==\r\nx-amz-checksum-sha256:ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=\r\n\r\n"
	data, trailer, err := DecodeChunked([]byte(body))
	if err != nil || string(data) != "Hello world, bye" {
		t.Fatalf("decoded %q, %v", data, err)
	}
	if trailer.Get("X-Amz-Checksum-Crc32") != "i9aeUg==" || len(trailer) != 2 {
		t.Fatalf("trailers %v", trailer)
	}

	cr := NewChunkedReader(strings.NewReader(body)).ExpectLength(15)
	if _, err := io.ReadAll(cr); err == nil {
		t.Fatal("a decoded length above x-amz-decoded-content-length was accepted")
	}
	cr = NewChunkedReader(strings.NewReader(body)).ExpectLength(17)
	if _, err := io.ReadAll(cr); err == nil {
		t.Fatal("a decoded length below x-amz-decoded-content-length was accepted")
	}
}

func TestMalformedChunkedBodies(t *testing.T) {
	for name, body := range map[string]string{
		"bad size":          "zz\r\nabc\r\n0\r\n\r\n",
		"short data":        "10\r\nabc",
		"missing CRLF":      "3\r\nabcX0\r\n\r\n",
		"no final chunk":    "3\r\nabc\r\n",
		"bare LF header":    "3\nabc\r\n0\r\n\r\n",
		"bad trailer":       "3\r\nabc\r\n0\r\nnot-a-header\r\n\r\n",
		"huge header line":  strings.Repeat("1", 5000) + "\r\n",
		"empty body":        "",
		"negative size":     "-3\r\nabc\r\n0\r\n\r\n",
		"size beyond int64": "ffffffffffffffffff\r\n",
	} {
		if _, _, err := DecodeChunked([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			expectKind(t, err, ErrChunkMalformed)
		}
	}
	// Tolerated variants: no trailer section at all, LF-only trailer lines.
	for _, body := range []string{"3\r\nabc\r\n0\r\n", "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\n\n"} {
		if data, _, err := DecodeChunked([]byte(body)); err != nil || string(data) != "abc" {
			t.Errorf("%q: %q %v", body, data, err)
		}
	}
}

func TestIsChunked(t *testing.T) {
	r, _ := http.NewRequest("PUT", "http://x/b/k", nil)
	if IsChunked(r) {
		t.Fatal("plain request seen as chunked")
	}
	r.Header.Set("Content-Encoding", "gzip, aws-chunked")
	if !IsChunked(r) {
		t.Fatal("Content-Encoding aws-chunked not recognised")
	}
	r.Header.Del("Content-Encoding")
	r.Header.Set("X-Amz-Content-Sha256", StreamingUnsignedPayloadTrailer)
	if !IsChunked(r) {
		t.Fatal("STREAMING-UNSIGNED-PAYLOAD-TRAILER not recognised")
	}
}
