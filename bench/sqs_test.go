package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
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
