// Package bench measures kiri's hot paths. Run with
//
//	go test ./bench -run xxx -bench . -benchmem
//
// and see docs/benchmarks.md for recorded figures.
package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/kiricloud/kiri/internal/gateway"
	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/awsjson"
	"github.com/kiricloud/kiri/internal/protocol/prototest"
	"github.com/kiricloud/kiri/internal/protocol/query"
	"github.com/kiricloud/kiri/internal/protocol/restjson"
	"github.com/kiricloud/kiri/internal/protocol/restxml"
)

// fullModel is a service's complete AWS model, so that the benchmark does
// not depend on which operations kiri implements.
func fullModel(b *testing.B, service string) func() *model.API {
	api := prototest.LoadAPI(b, service)
	return func() *model.API { return api }
}

type protoCase struct {
	name, service, signing, target, proto, version string
	op                                             string
	output                                         map[string]any
	body                                           string
}

var when = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

var cases = []protoCase{
	{name: "json/DynamoDB.GetItem", service: "dynamodb", signing: "dynamodb", target: "DynamoDB_20120810", proto: "json", version: "2012-08-10",
		op:     "GetItem",
		output: map[string]any{"Item": map[string]any{"id": map[string]any{"S": "user-1"}, "seq": map[string]any{"N": "42"}}},
		body:   `{"TableName":"user","Key":{"id":{"S":"user-1"}},"ConsistentRead":true}`},
	{name: "rest-json/Lambda.GetFunctionConfiguration", service: "lambda", signing: "lambda", proto: "rest-json", version: "2015-03-31",
		op: "GetFunctionConfiguration",
		output: map[string]any{"FunctionName": "HelloLambda", "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:HelloLambda",
			"Runtime": "python3.11", "Handler": "lambda_function.handler", "MemorySize": int64(128), "Timeout": int64(3), "State": "Active"}},
	{name: "rest-xml/S3.HeadObject", service: "s3", signing: "s3", proto: "rest-xml", version: "2006-03-01",
		op:     "HeadObject",
		output: map[string]any{"ContentLength": int64(5), "ETag": `"5d41402abc4b2a76b9719d911017c592"`, "ContentType": "text/plain", "LastModified": when}},
	{name: "query/IAM.GetRole", service: "iam", signing: "iam", proto: "query", version: "2010-05-08",
		op: "GetRole",
		output: map[string]any{"Role": map[string]any{"Path": "/", "RoleName": "role-lambdaexec", "RoleId": "AROAEXAMPLE000000001",
			"Arn": "arn:aws:iam::000000000000:role/role-lambdaexec", "CreateDate": when,
			"AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D"}},
		body: "Action=GetRole&Version=2010-05-08&RoleName=role-lambdaexec"},
	{name: "ec2/EC2.DescribeInstanceStatus", service: "ec2", signing: "ec2", proto: "ec2", version: "2016-11-15",
		op: "DescribeInstanceStatus",
		output: map[string]any{"InstanceStatuses": []any{map[string]any{"InstanceId": "i-00143e861c65de56b", "AvailabilityZone": "us-east-1a",
			"InstanceState": map[string]any{"Code": int64(16), "Name": "running"}}}},
		body: "Action=DescribeInstanceStatus&Version=2016-11-15&InstanceId.1=i-00143e861c65de56b"},
}

// request builds the signed request a client would send for the case.
func (c protoCase) newRequest(b *testing.B) *http.Request {
	var r *http.Request
	switch c.proto {
	case "json":
		r = httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(c.body))
		r.Header.Set("X-Amz-Target", c.target+"."+c.op)
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	case "rest-json":
		r = httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566/2015-03-31/functions/HelloLambda/configuration", nil)
	case "rest-xml":
		r = httptest.NewRequest(http.MethodHead, "http://127.0.0.1:4566/bucket/hello.txt", nil)
	default:
		r = httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	sum := sha256.Sum256([]byte(c.body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIAEXAMPLEKEY000001", SecretAccessKey: "secret"},
		r, hex.EncodeToString(sum[:]), c.signing, "us-east-1", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func (c protoCase) gateway(b *testing.B) *gateway.Gateway {
	out := c.output
	return gateway.New(gateway.Config{
		DefaultAccount: "000000000000", DefaultRegion: "us-east-1",
		Codecs: map[string]protocol.Codec{"json": awsjson.Codec{}, "rest-json": restjson.Codec{}, "rest-xml": restxml.Codec{},
			"query": query.Codec{}, "ec2": query.Codec{EC2: true}},
		Services: []*gateway.Service{{
			Name: c.service, SigningName: c.signing, TargetPrefix: c.target, Protocol: c.proto, APIVersion: c.version,
			Model: fullModel(b, c.service),
			Handlers: map[string]protocol.Handler{c.op: func(context.Context, map[string]any) (map[string]any, error) {
				return out, nil
			}},
		}},
	})
}

// replay serves the same request repeatedly, rewinding its body.
func replay(b *testing.B, h http.Handler, r *http.Request, body string) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Body = io.NopCloser(strings.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkGateway runs one operation per protocol through the gateway and
// its codec: routing, signature parsing, decoding, validation, a canned
// handler, encoding.
func BenchmarkGateway(b *testing.B) {
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			g := c.gateway(b)
			replay(b, g, c.newRequest(b), c.body)
		})
	}
}

// BenchmarkBareHTTP is the floor: a net/http handler that reads the body
// and writes a fixed JSON answer.
func BenchmarkBareHTTP(b *testing.B) {
	answer := []byte(`{"Item":{"id":{"S":"user-1"},"seq":{"N":"42"}}}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write(answer)
	})
	c := cases[0]
	replay(b, h, c.newRequest(b), c.body)
}

// BenchmarkLoopback compares, over real loopback TCP with a keep-alive
// client, the gateway (DynamoDB GetItem) with the bare handler: the ratio a
// client sees.
func BenchmarkLoopback(b *testing.B) {
	c := cases[0]
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		_, _ = w.Write([]byte(`{"Item":{"id":{"S":"user-1"},"seq":{"N":"42"}}}`))
	})
	for _, h := range []struct {
		name    string
		handler http.Handler
	}{{"gateway/json/DynamoDB.GetItem", c.gateway(b)}, {"bare-net-http", bare}} {
		b.Run(h.name, func(b *testing.B) {
			srv := httptest.NewServer(h.handler)
			defer srv.Close()
			template := c.newRequest(b)
			client := srv.Client()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(c.body))
				req.Header = template.Header.Clone()
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
