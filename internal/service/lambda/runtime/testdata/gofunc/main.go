// Command gofunc is a Go Lambda function built with aws-lambda-go, run
// unmodified by the engine tests as a provided.al2023 bootstrap.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Name string `json:"name"`
	Fail bool   `json:"fail"`
}

func handle(ctx context.Context, ev event) (map[string]string, error) {
	if ev.Fail {
		return nil, errors.New("asked to fail")
	}
	lc, _ := lambdacontext.FromContext(ctx)
	fmt.Println("hello from go", ev.Name)
	return map[string]string{
		"greeting":  "hello " + ev.Name,
		"requestId": lc.AwsRequestID,
		"function":  lambdacontext.FunctionName,
		"endpoint":  os.Getenv("AWS_ENDPOINT_URL"),
	}, nil
}

func main() { lambda.Start(handle) }
