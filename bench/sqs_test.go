package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/kiricloud/kiri/internal/app"
)

// BenchmarkSQSRoundTrip sends, receives and deletes one message per
// iteration with the same aws-sdk-go-v2 client code against kiri (in
// memory and durable) and moto_server, run side by side:
//
//	go test ./bench -run xxx -bench SQSRoundTrip -benchtime 3s
func BenchmarkSQSRoundTrip(b *testing.B) {
	b.Run("kiri-ephemeral", func(b *testing.B) { roundTrips(b, startKiriBench(b, "")) })
	b.Run("kiri-durable", func(b *testing.B) { roundTrips(b, startKiriBench(b, b.TempDir())) })
	b.Run("moto_server", func(b *testing.B) { roundTrips(b, startMoto(b)) })
}

func startKiriBench(b *testing.B, dataDir string) string {
	cfg := app.DefaultConfig()
	cfg.Listen, cfg.Ephemeral, cfg.DataDir = "127.0.0.1:0", dataDir == "", dataDir
	k, err := app.Start(cfg, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { k.Close() })
	return k.Endpoint()
}

// startMoto runs the preinstalled moto_server on a free port.
func startMoto(b *testing.B) string {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		b.Skip("moto_server is not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(endpoint + "/moto-api/"); err == nil {
			resp.Body.Close()
			return endpoint
		}
	}
	b.Fatal("moto_server did not start")
	return ""
}

func roundTrips(b *testing.B, endpoint string) {
	ctx := context.Background()
	c := sqs.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLEKEY000001", "secret", "")})
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("hello")}); err != nil {
			b.Fatal(err)
		}
		got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 1})
		if err != nil || len(got.Messages) != 1 {
			b.Fatalf("receive: %v %v", got, err)
		}
		if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSQSRoundTripRawHTTP is the same round trip with a minimal client
// — hand-built JSON-protocol requests over one keep-alive connection — so
// that the figures compare the servers rather than the SDK's middleware.
func BenchmarkSQSRoundTripRawHTTP(b *testing.B) {
	b.Run("kiri-ephemeral", func(b *testing.B) { rawRoundTrips(b, startKiriBench(b, "")) })
	b.Run("kiri-durable", func(b *testing.B) { rawRoundTrips(b, startKiriBench(b, b.TempDir())) })
	b.Run("moto_server", func(b *testing.B) { rawRoundTrips(b, startMoto(b)) })
}

func rawRoundTrips(b *testing.B, endpoint string) {
	q := newRawQueue(b, endpoint, "raw")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q.roundTrip(b)
	}
}

// BenchmarkSQSThroughputRawHTTP is the raw round trip from 8 clients at
// once, each on its own connection and queue: throughput rather than
// latency, where kiri's concurrent request handling and group commit count.
func BenchmarkSQSThroughputRawHTTP(b *testing.B) {
	b.Run("kiri-ephemeral", func(b *testing.B) { parallelRoundTrips(b, startKiriBench(b, "")) })
	b.Run("kiri-durable", func(b *testing.B) { parallelRoundTrips(b, startKiriBench(b, b.TempDir())) })
	b.Run("moto_server", func(b *testing.B) { parallelRoundTrips(b, startMoto(b)) })
}

func parallelRoundTrips(b *testing.B, endpoint string) {
	const clients = 8
	queues := make(chan *rawQueue, clients)
	for i := range clients {
		queues <- newRawQueue(b, endpoint, fmt.Sprintf("par-%d", i))
	}
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		q := <-queues
		for pb.Next() {
			q.roundTrip(b)
		}
	})
}

// rawQueue is a queue driven by hand-built JSON-protocol requests over its
// own keep-alive connection.
type rawQueue struct {
	endpoint string
	client   *http.Client
	quoted   string // the queue URL as a JSON string
}

func newRawQueue(b *testing.B, endpoint, name string) *rawQueue {
	q := &rawQueue{endpoint: endpoint, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}}
	url := q.call(b, "CreateQueue", `{"QueueName":"`+name+`"}`)["QueueUrl"].(string)
	quoted, _ := json.Marshal(url)
	q.quoted = string(quoted)
	return q
}

// roundTrip sends, receives and deletes one message.
func (q *rawQueue) roundTrip(b *testing.B) {
	q.call(b, "SendMessage", `{"QueueUrl":`+q.quoted+`,"MessageBody":"hello"}`)
	got := q.call(b, "ReceiveMessage", `{"QueueUrl":`+q.quoted+`,"MaxNumberOfMessages":1}`)
	msgs, _ := got["Messages"].([]any)
	if len(msgs) != 1 {
		b.Fatalf("receive: %v", got)
	}
	handle, _ := json.Marshal(msgs[0].(map[string]any)["ReceiptHandle"])
	q.call(b, "DeleteMessage", `{"QueueUrl":`+q.quoted+`,"ReceiptHandle":`+string(handle)+`}`)
}

func (q *rawQueue) call(b *testing.B, op, body string) map[string]any {
	req, _ := http.NewRequest(http.MethodPost, q.endpoint+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AmazonSQS."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEKEY000001/20261122/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=0")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	resp, err := q.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d %v %v", op, resp.StatusCode, out, err)
	}
	return out
}
