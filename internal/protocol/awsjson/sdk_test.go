package awsjson

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
)

// handlers stand in for a service: one function per operation name.
type handlers map[string]func(in map[string]any) (map[string]any, error)

// serve runs the codec in front of handlers, as the gateway will, so that
// the real AWS SDK for Go v2 judges the wire format (including DynamoDB's
// response CRC32 and SQS's query-compatible error codes).
func serve(t *testing.T, api *model.API, hs handlers) *httptest.Server {
	var c Codec
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		op, err := c.Operation(api, r, body)
		if err != nil {
			c.EncodeError(w, api, nil, protocol.AsError(err), "req")
			return
		}
		in, err := c.Decode(api, op, r, body)
		if err != nil {
			c.EncodeError(w, api, op, protocol.AsError(err), "req")
			return
		}
		out, err := hs[op.Name](in)
		if err != nil {
			c.EncodeError(w, api, op, protocol.AsError(err), "req")
			return
		}
		c.EncodeOutput(w, api, op, out, "req")
	}))
	t.Cleanup(srv.Close)
	return srv
}

var testCredentials = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")

func TestDynamoDBWithSDK(t *testing.T) {
	api := loadAPI(t, "dynamodb")
	var put map[string]any
	srv := serve(t, api, handlers{
		"PutItem": func(in map[string]any) (map[string]any, error) {
			if _, conditional := in["ConditionExpression"]; conditional {
				e := protocol.ModelError(api.Shapes["ConditionalCheckFailedException"], "The conditional request failed")
				e.Fields = map[string]any{"Item": in["Item"]}
				return nil, e
			}
			put = in
			return map[string]any{}, nil
		},
		"GetItem": func(in map[string]any) (map[string]any, error) {
			return map[string]any{"Item": put["Item"], "ConsumedCapacity": map[string]any{"TableName": "t", "CapacityUnits": 0.5}}, nil
		},
		"DescribeTable": func(in map[string]any) (map[string]any, error) {
			return nil, protocol.ModelError(api.Shapes["ResourceNotFoundException"], "Requested resource not found: Table: "+in["TableName"].(string)+" not found")
		},
	})
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: testCredentials, RetryMaxAttempts: 1})
	ctx := context.Background()

	item := map[string]ddb.AttributeValue{
		"id":   &ddb.AttributeValueMemberS{Value: "sensor-1"},
		"n":    &ddb.AttributeValueMemberN{Value: "21.5"},
		"raw":  &ddb.AttributeValueMemberB{Value: []byte{0, 1, 2, 255}},
		"tags": &ddb.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"nested": &ddb.AttributeValueMemberM{Value: map[string]ddb.AttributeValue{
			"on":   &ddb.AttributeValueMemberBOOL{Value: true},
			"none": &ddb.AttributeValueMemberNULL{Value: true},
			"list": &ddb.AttributeValueMemberL{Value: []ddb.AttributeValue{&ddb.AttributeValueMemberS{Value: "x <&> \u00e9"}}},
		}},
	}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: item}); err != nil {
		t.Fatal(err)
	}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"),
		Key: map[string]ddb.AttributeValue{"id": &ddb.AttributeValueMemberS{Value: "sensor-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	raw := got.Item["raw"].(*ddb.AttributeValueMemberB).Value
	nested := got.Item["nested"].(*ddb.AttributeValueMemberM).Value
	if string(raw) != "\x00\x01\x02\xff" || got.Item["n"].(*ddb.AttributeValueMemberN).Value != "21.5" ||
		nested["list"].(*ddb.AttributeValueMemberL).Value[0].(*ddb.AttributeValueMemberS).Value != "x <&> \u00e9" ||
		*got.ConsumedCapacity.CapacityUnits != 0.5 {
		t.Fatalf("item %#v", got.Item)
	}

	_, err = client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("missing")})
	var notFound *ddb.ResourceNotFoundException
	if !errors.As(err, &notFound) || notFound.ErrorMessage() != "Requested resource not found: Table: missing not found" {
		t.Fatalf("DescribeTable: %v", err)
	}

	_, err = client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(id)")})
	var failed *ddb.ConditionalCheckFailedException
	if !errors.As(err, &failed) || failed.Item["id"].(*ddb.AttributeValueMemberS).Value != "sensor-1" {
		t.Fatalf("conditional PutItem: %v", err)
	}

	_, err = client.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("t"),
		KeySchema:            []ddb.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: "BAD"}},
		AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: "S"}},
		BillingMode:          ddb.BillingModePayPerRequest})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" ||
		apiErr.ErrorMessage() != "1 validation error detected: Value 'BAD' at 'keySchema.1.member.keyType' "+
			"failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]" {
		t.Fatalf("CreateTable: %v", err)
	}
}

func TestSQSWithSDK(t *testing.T) {
	api := sqsModel(t)
	srv := serve(t, api, handlers{
		"GetQueueUrl": func(in map[string]any) (map[string]any, error) {
			return nil, protocol.ModelError(api.Shapes["QueueDoesNotExist"], "The specified queue does not exist.")
		},
		"CreateQueue": func(in map[string]any) (map[string]any, error) {
			return map[string]any{"QueueUrl": "http://localhost:4566/000000000000/" + in["QueueName"].(string)}, nil
		},
	})
	client := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: testCredentials, RetryMaxAttempts: 1})
	ctx := context.Background()

	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs")})
	if err != nil || *out.QueueUrl != "http://localhost:4566/000000000000/jobs" {
		t.Fatalf("CreateQueue: %v %v", out, err)
	}
	_, err = client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	var missing *sqstypes.QueueDoesNotExist
	if !errors.As(err, &missing) || missing.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" ||
		missing.ErrorFault() != smithy.FaultClient {
		t.Fatalf("GetQueueUrl: %v", err)
	}
}
