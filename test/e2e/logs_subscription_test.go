package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

const (
	noisySource = `def handler(event, context):
    print("INFO starting")
    print("ERROR something")
    return "ok"
`
	// The receiver decodes the event as AWS's CloudWatch Logs examples do.
	receiverSource = `import base64, gzip, json

def handler(event, context):
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    print("RECEIVED " + json.dumps(data))
`
)

// TestLogsSubscriptionToLambda subscribes one Python function to another's
// log group with the pattern ERROR: once CloudWatch Logs may invoke it,
// the receiver gets the matching lines as AWS sends them.
func TestLogsSubscriptionToLambda(t *testing.T) {
	requireRuntime(t, "python3", "--version")
	k := startKiri(t, "")
	ctx := context.Background()
	lambdaRole(t, k)
	inlinePython(t, k, "noisy", noisySource, 5)
	inlinePython(t, k, "receiver", receiverSource, 5)
	logs := cloudwatchlogs.NewFromConfig(sdkConfig(k, "AKIAEXAMPLEKEY000001", "secret", ""))
	const group = "/aws/lambda/noisy"
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	receiverArn := "arn:aws:lambda:us-east-1:000000000000:function:receiver"
	subscribe := func() error {
		_, err := logs.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String(group),
			FilterName: aws.String("errors"), FilterPattern: aws.String("ERROR"), DestinationArn: aws.String(receiverArn)})
		return err
	}
	// As on AWS, the function's policy must let CloudWatch Logs invoke it.
	var invalid *logstypes.InvalidParameterException
	if err := subscribe(); !errors.As(err, &invalid) || !strings.Contains(err.Error(), "Make sure you have given CloudWatch Logs permission") {
		t.Fatalf("subscribing without permission: %v", err)
	}
	_, err := lambdaClient(k).AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("receiver"),
		StatementId: aws.String("logs"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("logs.amazonaws.com"),
		SourceArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:" + group + ":*")})
	if err != nil {
		t.Fatal(err)
	}
	if err := subscribe(); err != nil {
		t.Fatal(err)
	}
	filters, err := logs.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(group)})
	if err != nil || len(filters.SubscriptionFilters) != 1 || aws.ToString(filters.SubscriptionFilters[0].DestinationArn) != receiverArn {
		t.Fatalf("filters %+v, %v", filters, err)
	}

	inv, err := lambdaClient(k).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("noisy")})
	if err != nil || inv.FunctionError != nil {
		t.Fatalf("invoke: %v %s", err, inv.Payload)
	}
	var received string
	for deadline := time.Now().Add(60 * time.Second); received == ""; time.Sleep(200 * time.Millisecond) {
		for _, line := range strings.Split(functionLog(t, k, "receiver"), "\n") {
			if rest, ok := strings.CutPrefix(line, "RECEIVED "); ok {
				received = rest
			}
		}
		if received == "" && time.Now().After(deadline) {
			t.Fatalf("receiver log:\n%s", functionLog(t, k, "receiver"))
		}
	}
	var msg struct {
		MessageType         string   `json:"messageType"`
		Owner               string   `json:"owner"`
		LogGroup            string   `json:"logGroup"`
		LogStream           string   `json:"logStream"`
		SubscriptionFilters []string `json:"subscriptionFilters"`
		LogEvents           []struct {
			ID        string `json:"id"`
			Timestamp int64  `json:"timestamp"`
			Message   string `json:"message"`
		} `json:"logEvents"`
	}
	if err := json.Unmarshal([]byte(received), &msg); err != nil {
		t.Fatalf("%v: %s", err, received)
	}
	if msg.MessageType != "DATA_MESSAGE" || msg.Owner != "000000000000" || msg.LogGroup != group ||
		!strings.Contains(msg.LogStream, "[$LATEST]") || len(msg.SubscriptionFilters) != 1 || msg.SubscriptionFilters[0] != "errors" {
		t.Fatalf("message %s", received)
	}
	if len(msg.LogEvents) != 1 || strings.TrimSpace(msg.LogEvents[0].Message) != "ERROR something" || msg.LogEvents[0].Timestamp == 0 {
		t.Fatalf("events %s", received)
	}
	// The id is the eventId FilterLogEvents reports for the line.
	found, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String("ERROR")})
	if err != nil || len(found.Events) != 1 || aws.ToString(found.Events[0].EventId) != msg.LogEvents[0].ID {
		t.Fatalf("FilterLogEvents %+v, %v; delivered id %s", found, err, msg.LogEvents[0].ID)
	}

	// A second filter, to an alias whose policy names the regional
	// principal; a third is over the quota of two.
	inlinePython(t, k, "regional", receiverSource, 5)
	version, err := lambdaClient(k).PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("regional")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lambdaClient(k).CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("regional"), Name: aws.String("live"),
		FunctionVersion: version.Version}); err != nil {
		t.Fatal(err)
	}
	_, err = lambdaClient(k).AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("regional"), Qualifier: aws.String("live"),
		StatementId: aws.String("logs"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("logs.us-east-1.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = logs.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String("info"),
		FilterPattern: aws.String("INFO"), DestinationArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:regional:live")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = logs.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String("third"),
		FilterPattern: aws.String(""), DestinationArn: aws.String(receiverArn)})
	var limit *logstypes.LimitExceededException
	if !errors.As(err, &limit) {
		t.Fatalf("third filter: %v", err)
	}
	if _, err := lambdaClient(k).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("noisy")}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		log := functionLog(t, k, "regional")
		if strings.Contains(log, `"subscriptionFilters": ["info"]`) && strings.Contains(log, `"message": "INFO starting`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("regional log:\n%s", log)
		}
	}
}
