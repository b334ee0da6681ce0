package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// seen is what the recording server learnt from one request.
type seen struct {
	method, uri string
	sig         *Signature
	parseErr    error
	verifyErr   error // with the right secret
	wrongErr    error // with a wrong secret
	payload     []byte
	trailer     http.Header
}

// recorder is a stand-in for the gateway: it parses, verifies (with the
// right and a wrong secret) and decodes every request, then answers 200 so
// the clients move on. The clients' own response-parsing errors are
// irrelevant here.
type recorder struct {
	secret string
	mu     sync.Mutex
	seen   []seen
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	s := seen{method: r.Method, uri: r.RequestURI, payload: raw}
	s.sig, s.parseErr = Parse(r)
	if s.sig != nil {
		now := time.Now()
		s.verifyErr = Verify(r, raw, s.sig, rec.secret, now)
		s.wrongErr = Verify(r, raw, s.sig, wrongSecret, now)
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	if cr, ok, err := ChunkedBody(r, s.sig, rec.secret); ok {
		s.payload, err = io.ReadAll(cr)
		s.trailer = cr.Trailer()
		if err != nil && s.verifyErr == nil {
			s.verifyErr = err
		}
	}
	rec.mu.Lock()
	rec.seen = append(rec.seen, s)
	rec.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	io.WriteString(w, "{}")
}

// check asserts every recorded request was signed, verified with the right
// secret and rejected with a wrong one.
func (rec *recorder) check(t *testing.T) []seen {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.seen) == 0 {
		t.Fatal("no request reached the server")
	}
	for _, s := range rec.seen {
		switch {
		case s.parseErr != nil || s.sig == nil:
			t.Errorf("%s %s: parse: %v (anonymous=%v)", s.method, s.uri, s.parseErr, s.sig == nil)
		case s.verifyErr != nil:
			var ae *Error
			errors.As(s.verifyErr, &ae)
			t.Errorf("%s %s: verify: %v\n%+v", s.method, s.uri, s.verifyErr, ae)
		case !errors.Is(s.wrongErr, ErrSignatureDoesNotMatch):
			t.Errorf("%s %s: wrong secret gave %v", s.method, s.uri, s.wrongErr)
		}
	}
	return append([]seen(nil), rec.seen...)
}

// newRecorder starts the recording server over TLS: the SDK only streams
// unseekable bodies (aws-chunked with trailing checksums) over HTTPS.
func newRecorder(t *testing.T) (*recorder, *httptest.Server) {
	rec := &recorder{secret: testCreds.SecretAccessKey}
	srv := httptest.NewTLSServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv
}

func sdkConfig(srv *httptest.Server, token string) aws.Config {
	return aws.Config{
		HTTPClient:   srv.Client(),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(testCreds.AccessKeyID, testCreds.SecretAccessKey, token),
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// TestSDKClientsEndToEnd drives the real aws-sdk-go-v2 service clients at a
// local server: their middleware (S3 key escaping, checksums, aws-chunked
// trailers, JSON targets, query forms) is what kiri must accept.
func TestSDKClientsEndToEnd(t *testing.T) {
	rec, srv := newRecorder(t)
	cfg := sdkConfig(srv, "session-token/with+chars=")
	key := "dir/a b/ünï ~x~/c+d!'(*).txt"

	driveSDKClients(t, cfg, srv, key)

	all := rec.check(t)
	services := map[string]int{}
	var streamed *seen
	for i, s := range all {
		services[s.sig.Service]++
		if s.sig.SecurityToken != "session-token/with+chars=" {
			t.Errorf("%s: token %q", s.uri, s.sig.SecurityToken)
		}
		if strings.Contains(s.uri, "stream.bin") {
			streamed = &all[i]
		}
	}
	for svc, n := range map[string]int{"s3": 6, "iam": 1, "dynamodb": 1, "sts": 1, "sqs": 1} {
		if services[svc] != n {
			t.Errorf("%s: %d requests, want %d (all: %v)", svc, services[svc], n, services)
		}
	}
	if streamed == nil || string(streamed.payload) != "hello stream" {
		t.Fatalf("streamed upload decoded as %+v", streamed)
	}
	if streamed.sig.PayloadHash != StreamingUnsignedPayloadTrailer {
		t.Errorf("streamed upload used %s", streamed.sig.PayloadHash)
	}
	crc := crc32.ChecksumIEEE([]byte("hello stream"))
	want := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	if got := streamed.trailer.Get("X-Amz-Checksum-Crc32"); got != want {
		t.Errorf("crc32 trailer %q, want %q", got, want)
	}
}

// driveSDKClients makes one or more calls with each client; the responses
// are not real, so only request-side failures matter.
func driveSDKClients(t *testing.T, cfg aws.Config, srv *httptest.Server, key string) {
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key),
		Body: strings.NewReader("hello seekable"), Metadata: map[string]string{"note": "a  b"}})
	// An unseekable body makes the SDK stream with aws-chunked and a
	// trailing checksum.
	_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("stream.bin"),
		Body: io.MultiReader(strings.NewReader("hello "), strings.NewReader("stream")), ContentLength: aws.Int64(12),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatalf("streaming PutObject: %v", err)
	}
	s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Range: aws.String("bytes=0-3")})
	s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bucket"), Prefix: aws.String("dir/a b/"),
		Delimiter: aws.String("/"), StartAfter: aws.String("")})
	s3c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bucket"),
		Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String(key)}}}})

	iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/division_abc/")})
	dynamodb.NewFromConfig(cfg).PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"),
		Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "ü 1"}}})
	sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	sqs.NewFromConfig(cfg).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(srv.URL + "/000000000000/q"),
		MessageBody: aws.String("hi")})

	presigned, err := s3.NewPresignClient(s3c).PresignGetObject(ctx,
		&s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)},
		s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Get(presigned.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
