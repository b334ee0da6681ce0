package auth

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Published AWS examples. The SigV4 test suite ("get-vanilla" and friends)
// uses AKIDEXAMPLE and service "service"; the S3 API reference examples use
// AKIAIOSFODNN7EXAMPLE and examplebucket; the SigV2 examples come from the
// S3 "Signing and authenticating REST requests" guide (johnsmith bucket).
const (
	suiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	s3DocSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var (
	suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	s3DocTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
)

// rawRequest parses an HTTP/1.1 request written as text ("\n" line ends),
// exactly as the server would receive it.
func rawRequest(t testing.TB, text string, body []byte) *http.Request {
	t.Helper()
	wire := strings.ReplaceAll(text, "\n", "\r\n") + "\r\n"
	r, err := http.ReadRequest(bufio.NewReader(io.MultiReader(strings.NewReader(wire), bytes.NewReader(body))))
	if err != nil {
		t.Fatalf("parsing request: %v", err)
	}
	return r
}

type vector struct {
	name, request, secret string
	body                  string
	now                   time.Time
	canonical             string // expected canonical request, when published
}

func TestPublishedSigV4Vectors(t *testing.T) {
	auth := func(signed, sig string) string {
		return "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
			"SignedHeaders=" + signed + ", Signature=" + sig
	}
	s3auth := func(signed, sig string) string {
		return "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
			"SignedHeaders=" + signed + ",Signature=" + sig
	}
	vectors := []vector{
		{name: "get-vanilla", secret: suiteSecret, now: suiteTime, request: "GET / HTTP/1.1\n" +
			"Host: example.amazonaws.com\nX-Amz-Date: 20150830T123600Z\n" +
			auth("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31") + "\n",
			canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptySHA256},
		{name: "get-vanilla-query-order-key-case", secret: suiteSecret, now: suiteTime,
			request: "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost: example.amazonaws.com\nX-Amz-Date: 20150830T123600Z\n" +
				auth("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500") + "\n"},
		{name: "get-unreserved", secret: suiteSecret, now: suiteTime,
			request: "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\n" +
				"Host: example.amazonaws.com\nX-Amz-Date: 20150830T123600Z\n" +
				auth("host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f") + "\n"},
		{name: "get-utf8", secret: suiteSecret, now: suiteTime,
			request: "GET /\u1234 HTTP/1.1\nHost: example.amazonaws.com\nX-Amz-Date: 20150830T123600Z\n" +
				auth("host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85") + "\n",
			canonical: "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptySHA256},
		{name: "post-vanilla", secret: suiteSecret, now: suiteTime,
			request: "POST / HTTP/1.1\nHost: example.amazonaws.com\nX-Amz-Date: 20150830T123600Z\n" +
				auth("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b") + "\n"},
		{name: "s3 GET object with range", secret: s3DocSecret, now: s3DocTime,
			request: "GET /test.txt HTTP/1.1\nHost: examplebucket.s3.amazonaws.com\nRange: bytes=0-9\n" +
				"x-amz-content-sha256: " + emptySHA256 + "\nx-amz-date: 20130524T000000Z\n" +
				s3auth("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41") + "\n",
			canonical: "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
				"x-amz-content-sha256:" + emptySHA256 + "\nx-amz-date:20130524T000000Z\n\n" +
				"host;range;x-amz-content-sha256;x-amz-date\n" + emptySHA256},
		{name: "s3 PUT object with escaped key", secret: s3DocSecret, now: s3DocTime, body: "Welcome to Amazon S3.",
			request: "PUT /test%24file.text HTTP/1.1\nHost: examplebucket.s3.amazonaws.com\n" +
				"Date: Fri, 24 May 2013 00:00:00 GMT\nx-amz-date: 20130524T000000Z\nx-amz-storage-class: REDUCED_REDUNDANCY\n" +
				"x-amz-content-sha256: 44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\nContent-Length: 21\n" +
				s3auth("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
					"98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd") + "\n"},
		{name: "s3 GET bucket lifecycle", secret: s3DocSecret, now: s3DocTime,
			request: "GET /?lifecycle HTTP/1.1\nHost: examplebucket.s3.amazonaws.com\n" +
				"x-amz-content-sha256: " + emptySHA256 + "\nx-amz-date: 20130524T000000Z\n" +
				s3auth("host;x-amz-content-sha256;x-amz-date", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543") + "\n"},
		{name: "s3 list objects", secret: s3DocSecret, now: s3DocTime,
			request: "GET /?max-keys=2&prefix=J HTTP/1.1\nHost: examplebucket.s3.amazonaws.com\n" +
				"x-amz-content-sha256: " + emptySHA256 + "\nx-amz-date: 20130524T000000Z\n" +
				s3auth("host;x-amz-content-sha256;x-amz-date", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7") + "\n"},
		{name: "s3 presigned GET", secret: s3DocSecret, now: s3DocTime.Add(23 * time.Hour),
			request: "GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
				"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
				"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1\n" +
				"Host: examplebucket.s3.amazonaws.com\n"},
	}
	runVectors(t, vectors)
}

func runVectors(t *testing.T, vectors []vector) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			r := rawRequest(t, v.request, []byte(v.body))
			sig := mustParse(t, r)
			body := []byte(v.body)
			if err := Verify(r, body, sig, v.secret, v.now); err != nil {
				e, _ := err.(*Error)
				t.Fatalf("Verify: %v\n%+v", err, e)
			}
			err := Verify(r, body, sig, wrongSecret, v.now)
			expectKind(t, err, ErrSignatureDoesNotMatch)
			if v.canonical != "" && err.(*Error).CanonicalRequest != v.canonical {
				t.Fatalf("canonical request\n got %q\nwant %q", err.(*Error).CanonicalRequest, v.canonical)
			}
		})
	}
}

func TestPublishedSigV2Vectors(t *testing.T) {
	auth := func(sig string) string { return "Authorization: AWS AKIAIOSFODNN7EXAMPLE:" + sig + "\n" }
	at := func(s string) time.Time {
		d, err := http.ParseTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	vectors := []vector{
		{name: "object GET, virtual-hosted", secret: s3DocSecret, now: at("Tue, 27 Mar 2007 19:40:00 GMT"),
			request: "GET /photos/puppy.jpg HTTP/1.1\nHost: johnsmith.s3.amazonaws.com\n" +
				"Date: Tue, 27 Mar 2007 19:36:42 +0000\n" + auth("bWq2s1WEIj+Ydj0vQ697zp+IXMU=")},
		{name: "object PUT with content type", secret: s3DocSecret, now: at("Tue, 27 Mar 2007 21:15:45 GMT"),
			request: "PUT /photos/puppy.jpg HTTP/1.1\nContent-Type: image/jpeg\nHost: johnsmith.s3.amazonaws.com\n" +
				"Date: Tue, 27 Mar 2007 21:15:45 +0000\n" + auth("MyyxeRY7whkBe+bq8fHCL/2kKUg=")},
		{name: "list with non-subresource query", secret: s3DocSecret, now: at("Tue, 27 Mar 2007 19:42:41 GMT"),
			request: "GET /?prefix=photos&max-keys=50&marker=puppy HTTP/1.1\nUser-Agent: Mozilla/5.0\n" +
				"Host: johnsmith.s3.amazonaws.com\nDate: Tue, 27 Mar 2007 19:42:41 +0000\n" + auth("htDYFYduRNen8P9ZfE/s9SuKy0U=")},
		{name: "acl sub-resource", secret: s3DocSecret, now: at("Tue, 27 Mar 2007 19:44:46 GMT"),
			request: "GET /?acl HTTP/1.1\nHost: johnsmith.s3.amazonaws.com\nDate: Tue, 27 Mar 2007 19:44:46 +0000\n" +
				auth("c2WLPFtWHVgbEmeEG93a4cG37dM=")},
		{name: "CNAME bucket with x-amz headers and MD5", secret: s3DocSecret, now: at("Tue, 27 Mar 2007 21:06:08 GMT"),
			request: "PUT /db-backup.dat.gz HTTP/1.1\nUser-Agent: curl/7.15.5\nHost: static.johnsmith.net:8080\n" +
				"Date: Tue, 27 Mar 2007 21:06:08 +0000\nx-amz-acl: public-read\ncontent-type: application/x-download\n" +
				"Content-MD5: 4gJE4saaMU4BqNR0kLY+lw==\nX-Amz-Meta-ReviewedBy: joe@johnsmith.net\n" +
				"X-Amz-Meta-ReviewedBy: jane@johnsmith.net\nX-Amz-Meta-FileChecksum: 0x02661779\n" +
				"X-Amz-Meta-ChecksumAlgorithm: crc32\nContent-Disposition: attachment; filename=database.dat\n" +
				"Content-Encoding: gzip\n" + auth("ilyl83RwaSoYIEdixDQcA4OnAnc=")},
		{name: "list all my buckets", secret: s3DocSecret, now: at("Wed, 28 Mar 2007 01:29:59 GMT"),
			request: "GET / HTTP/1.1\nHost: s3.amazonaws.com\nDate: Wed, 28 Mar 2007 01:29:59 +0000\n" +
				auth("qGdzdERIC03wnaRNKh6OqZehG9s=")},
		{name: "unicode key signed un-decoded", secret: s3DocSecret, now: at("Wed, 28 Mar 2007 01:49:49 GMT"),
			request: "GET /dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re HTTP/1.1\nHost: s3.amazonaws.com\n" +
				"Date: Wed, 28 Mar 2007 01:49:49 +0000\n" + auth("DNEZGsoieTZ92F3bUfSPQcbGmlM=")},
		{name: "query string authentication", secret: s3DocSecret, now: time.Unix(1175139620-60, 0),
			request: "GET /photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620" +
				"&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D HTTP/1.1\nHost: johnsmith.s3.amazonaws.com\n"},
	}
	runVectors(t, vectors)

	r := rawRequest(t, vectors[len(vectors)-1].request, nil)
	sig := mustParse(t, r)
	expectKind(t, Verify(r, nil, sig, s3DocSecret, time.Unix(1175139621, 0)), ErrRequestExpired)
	if e := Verify(r, nil, sig, s3DocSecret, time.Unix(1175139621, 0)).(*Error); e.Message != "Request has expired" {
		t.Fatalf("message %q", e.Message)
	}
}
