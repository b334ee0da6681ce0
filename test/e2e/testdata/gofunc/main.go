// A Go Lambda function built with aws-lambda-go, run by kiri as a
// provided.al2023 bootstrap.
package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Name string `json:"name"`
}

func handle(ctx context.Context, e event) (map[string]string, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	fmt.Println("hello from go,", e.Name)
	return map[string]string{"greeting": "hello " + e.Name, "requestId": lc.AwsRequestID}, nil
}

func main() { lambda.Start(handle) }
