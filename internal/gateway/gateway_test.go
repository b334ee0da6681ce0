package gateway

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/kiricloud/kiri/internal/api/dynamodb"
	"github.com/kiricloud/kiri/internal/api/dynamodbstreams"
	"github.com/kiricloud/kiri/internal/api/iam"
	"github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/awsjson"
	"github.com/kiricloud/kiri/internal/protocol/query"
	"github.com/kiricloud/kiri/internal/request"
)

// recorder notes which service and operation a stub handler ran for.
type recorder struct{ service, operation, account, region string }

func stub(rec *recorder, out map[string]any) protocol.Handler {
	return func(ctx context.Context, in map[string]any) (map[string]any, error) {
		info := request.From(ctx)
		*rec = recorder{info.Service, info.Operation, info.Account, info.Region}
		return out, nil
	}
}

func svc(name, signing, target, proto, version, prefix string, m func() *model.API, h map[string]protocol.Handler) *Service {
	return &Service{Name: name, SigningName: signing, TargetPrefix: target, Protocol: proto, APIVersion: version,
		EndpointPrefix: prefix, Model: m, Handlers: h}
}

func testGateway(rec *recorder) *Gateway {
	return New(Config{
		DefaultAccount: "000000000000", DefaultRegion: "us-east-1",
		Codecs: map[string]protocol.Codec{"json": awsjson.Codec{}, "query": query.Codec{}},
		Services: []*Service{
			svc("iam", "iam", "", "query", iam.APIVersion, "iam", iam.Model, map[string]protocol.Handler{"ListRoles": stub(rec, map[string]any{})}),
			svc("sns", "sns", "", "query", sns.APIVersion, "sns", sns.Model, nil),
			svc("dynamodb", "dynamodb", dynamodb.TargetPrefix, "json", dynamodb.APIVersion, "dynamodb", dynamodb.Model, nil),
			svc("dynamodbstreams", "dynamodb", dynamodbstreams.TargetPrefix, "json", dynamodbstreams.APIVersion, "streams.dynamodb", dynamodbstreams.Model, nil),
			{Name: "sqs", SigningName: "sqs", TargetPrefix: sqs.TargetPrefix, Protocol: "json", APIVersion: sqs.APIVersion, EndpointPrefix: "sqs",
				Model: sqs.Model, QueryModel: sqs.QueryModel},
		},
	})
}

func sign(t *testing.T, r *http.Request, service, region, body string) {
	t.Helper()
	h := sha256.Sum256([]byte(body))
	sum := hex.EncodeToString(h[:])
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "x"}, r, sum, service, region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
}

func form(t *testing.T, service, region, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sign(t, r, service, region, body)
	return r
}

// Form posts go to the service of the credential scope, never by Action.
func TestRoutesFormPostsBySigningScope(t *testing.T) {
	var rec recorder
	g := testGateway(&rec)
	w := httptest.NewRecorder()
	g.ServeHTTP(w, form(t, "iam", "us-east-1", "Action=ListRoles&Version=2010-05-08"))
	if w.Code != 200 || rec.service != "iam" || rec.operation != "ListRoles" {
		t.Fatalf("iam: %d %+v %s", w.Code, rec, w.Body)
	}
	if rec.account != "111122223333" || rec.region != "us-east-1" {
		t.Fatalf("12-digit key should select the account: %+v", rec)
	}
	// SNS has no ListRoles: routed to SNS, it is an unknown action there.
	w = httptest.NewRecorder()
	g.ServeHTTP(w, form(t, "sns", "ap-northeast-1", "Action=ListRoles&Version=2010-03-31"))
	if w.Code != 400 || !strings.Contains(w.Body.String(), "InvalidAction") {
		t.Fatalf("sns: %d %s", w.Code, w.Body)
	}
}

func TestUnimplementedOperationAnswers501(t *testing.T) {
	var rec recorder
	g := testGateway(&rec)
	w := httptest.NewRecorder()
	g.ServeHTTP(w, form(t, "sns", "us-east-1", "Action=Publish&Version=2010-03-31&TopicArn=a&Message=b"))
	if w.Code != http.StatusNotImplemented || !strings.Contains(w.Body.String(), "SNS.Publish") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// DynamoDB and DynamoDB Streams share the signing name; the target header
// tells them apart.
func TestRoutesJSONByTarget(t *testing.T) {
	var rec recorder
	g := testGateway(&rec)
	for target, want := range map[string]string{
		"DynamoDB_20120810.ListTables":         "DynamoDB.ListTables",
		"DynamoDBStreams_20120810.ListStreams": "DynamoDB Streams.ListStreams",
	} {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader("{}"))
		r.Header.Set("X-Amz-Target", target)
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
		sign(t, r, "dynamodb", "us-east-1", "{}")
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != 501 || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s", target, w.Code, w.Body)
		}
	}
}

// SQS answers new clients in JSON and old ones in query/XML (here with
// the 501 of an operation not implemented yet, in each protocol's envelope).
func TestSQSSpeaksBothProtocols(t *testing.T) {
	var rec recorder
	g := testGateway(&rec)
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader("{}"))
	r.Header.Set("X-Amz-Target", "AmazonSQS.ListQueues")
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	sign(t, r, "sqs", "us-east-1", "{}")
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	if w.Code != 501 || !strings.Contains(w.Body.String(), `"__type"`) || !strings.Contains(w.Body.String(), "SQS.ListQueues") {
		t.Fatalf("json: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	g.ServeHTTP(w, form(t, "sqs", "us-east-1", "Action=ListQueues&Version=2012-11-05"))
	if w.Code != 501 || !strings.Contains(w.Body.String(), "<ErrorResponse") || !strings.Contains(w.Body.String(), "SQS.ListQueues") {
		t.Fatalf("query: %d %s", w.Code, w.Body)
	}
}

func TestCORSPreflight(t *testing.T) {
	g := testGateway(&recorder{})
	r := httptest.NewRequest(http.MethodOptions, "http://127.0.0.1:4566/bucket/key", nil)
	r.Header.Set("Origin", "http://localhost:8000")
	r.Header.Set("Access-Control-Request-Method", "PUT")
	r.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-date")
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	h := w.Header()
	if w.Code != 200 || h.Get("Access-Control-Allow-Origin") != "http://localhost:8000" ||
		h.Get("Access-Control-Allow-Headers") != "content-type,x-amz-date" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "PUT") {
		t.Fatalf("%d %v", w.Code, h)
	}
}

// A handler that panics gets an InternalFailure, and the gateway lives on.
func TestHandlerPanicBecomesInternalError(t *testing.T) {
	g := testGateway(&recorder{})
	g.services.byName["iam"].Handlers["ListRoles"] = func(context.Context, map[string]any) (map[string]any, error) {
		panic("boom")
	}
	w := httptest.NewRecorder()
	g.ServeHTTP(w, form(t, "iam", "us-east-1", "Action=ListRoles&Version=2010-05-08"))
	if w.Code != 500 || !strings.Contains(w.Body.String(), "InternalFailure") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// A client that sends "Expect: 100-continue" gets the interim answer before
// it sends the body (the AWS CLI and SDKs do this for uploads).
func TestExpectContinue(t *testing.T) {
	var rec recorder
	srv := httptest.NewServer(testGateway(&rec))
	defer srv.Close()
	body := "Action=ListRoles&Version=2010-05-08"
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261122/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00\r\n"+
		"X-Amz-Date: 20261122T000000Z\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", srv.Listener.Addr(), len(body))
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("want 100 Continue first, got %q %v", line, err)
	}
	_, _ = br.ReadString('\n') // blank line after the interim response
	fmt.Fprint(conn, body)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || rec.operation != "ListRoles" {
		t.Fatalf("%d %+v", resp.StatusCode, rec)
	}
}

// An aws-chunked body (as SDKs send with STREAMING-UNSIGNED-PAYLOAD-TRAILER)
// reaches the codec decoded.
func TestAWSChunkedBodyIsDecoded(t *testing.T) {
	var rec recorder
	g := testGateway(&rec)
	payload := "Action=ListRoles&Version=2010-05-08"
	chunked := fmt.Sprintf("%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", len(payload), payload)
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(chunked))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	r.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(payload)))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261122/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00")
	r.Header.Set("X-Amz-Date", "20261122T000000Z")
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	if w.Code != 200 || rec.operation != "ListRoles" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestVirtualHostBucket(t *testing.T) {
	for host, want := range map[string]string{
		"mybucket.s3.amazonaws.com":                   "mybucket",
		"my.dotted.bucket.s3.us-east-1.amazonaws.com": "my.dotted.bucket",
		"site.s3-website-us-east-1.amazonaws.com":     "site",
		"mybucket.localhost:4566":                     "mybucket",
		"s3.amazonaws.com":                            "",
		"127.0.0.1:4566":                              "",
		"sts.us-east-1.amazonaws.com":                 "",
	} {
		if got := virtualHostBucket(host); got != want {
			t.Errorf("%s: got %q, want %q", host, got, want)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "http://mybucket.localhost:4566/a%20b/c.txt", nil)
	toPathStyle(r)
	if r.URL.Path != "/mybucket/a b/c.txt" {
		t.Fatalf("path %q", r.URL.Path)
	}
}

// Old query clients and curl post queue-scoped SQS actions to the queue URL
// unsigned and without Version: the Action on a /<account>/<queue> path
// routes them to SQS, and the path reaches the service in request.Info.
// Without an Action such a path stays S3's (a bucket and key).
func TestRoutesUnsignedQueuePathToSQS(t *testing.T) {
	var path string
	g := New(Config{
		DefaultAccount: "000000000000", DefaultRegion: "us-east-1",
		Codecs: map[string]protocol.Codec{"json": awsjson.Codec{}, "query": query.Codec{}},
		Services: []*Service{{Name: "sqs", SigningName: "sqs", TargetPrefix: sqs.TargetPrefix, Protocol: "json",
			APIVersion: sqs.APIVersion, EndpointPrefix: "sqs", Model: sqs.Model, QueryModel: sqs.QueryModel,
			Handlers: map[string]protocol.Handler{"SendMessage": func(ctx context.Context, in map[string]any) (map[string]any, error) {
				path = request.From(ctx).Path
				return map[string]any{}, nil
			}}}},
	})
	post := func(target, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566"+target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		return w
	}
	if w := post("/000000000000/my-queue", "Action=SendMessage&MessageBody=hi"); w.Code != 200 || path != "/000000000000/my-queue" ||
		!strings.Contains(w.Body.String(), "<SendMessageResponse") {
		t.Fatalf("queue path: %d %q %s", w.Code, path, w.Body)
	}
	for _, p := range []string{"/000000000000/my-queue/x", "/bucket/my-queue", "/000000000000"} {
		if w := post(p, "Action=SendMessage&MessageBody=hi"); !strings.Contains(w.Body.String(), "UnknownService") {
			t.Errorf("%s: %d %s", p, w.Code, w.Body)
		}
	}
	if w := post("/000000000000/my-queue", "MessageBody=hi"); !strings.Contains(w.Body.String(), "UnknownService") {
		t.Errorf("no Action: %d %s", w.Code, w.Body)
	}
}
