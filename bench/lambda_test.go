package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kiricloud/kiri/internal/app"
)

// BenchmarkLambdaInvokeAPI is a warm RequestResponse Invoke of a no-op
// Python function as a client sees it: aws-sdk-go-v2 → HTTP → gateway →
// Lambda service → engine → Runtime API → bootstrap, and back.
func BenchmarkLambdaInvokeAPI(b *testing.B) {
	cfg := app.DefaultConfig()
	cfg.Listen, cfg.Ephemeral = "127.0.0.1:0", true
	k, err := app.Start(cfg, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	ctx := context.Background()
	awsCfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(k.Endpoint()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLEKEY000001", "secret", "")}
	iamClient := iam.NewFromConfig(awsCfg)
	role, err := iamClient.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bench"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		b.Fatal(err)
	}
	// With the basic execution policy the function writes its logs, so the
	// benchmark includes them, as a real function's invocations do.
	_, err = iamClient.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("bench"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")})
	if err != nil {
		b.Fatal(err)
	}
	c := lambda.NewFromConfig(awsCfg)
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("noop"), Runtime: lambdatypes.Runtime("python3.11"),
		Role: role.Role.Arn, Handler: aws.String("app.handler"),
		Code: &lambdatypes.FunctionCode{ZipFile: oneFileZip(b, "app.py", "def handler(event, context):\n    return None\n")}})
	if err != nil {
		b.Fatal(err)
	}
	invoke := func() {
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("noop"), Payload: []byte(`{}`)})
		if err != nil || out.FunctionError != nil {
			b.Fatalf("invoke: %v", err)
		}
	}
	invoke() // cold start outside the timer
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		invoke()
	}
}

func oneFileZip(b *testing.B, name, content string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(name)
	_, _ = w.Write([]byte(content))
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
