package api_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	"github.com/kiricloud/kiri/internal/api/apigateway"
	"github.com/kiricloud/kiri/internal/api/cloudformation"
	"github.com/kiricloud/kiri/internal/api/dynamodb"
	"github.com/kiricloud/kiri/internal/api/dynamodbstreams"
	"github.com/kiricloud/kiri/internal/api/ec2"
	"github.com/kiricloud/kiri/internal/api/events"
	"github.com/kiricloud/kiri/internal/api/iam"
	"github.com/kiricloud/kiri/internal/api/iot"
	"github.com/kiricloud/kiri/internal/api/iotdata"
	"github.com/kiricloud/kiri/internal/api/kinesis"
	"github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/api/s3"
	"github.com/kiricloud/kiri/internal/api/ses"
	"github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/api/sts"
	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
)

// service is what every generated package exports, gathered for the checks.
type service struct {
	name        string
	protocol    string
	model       func() *model.API
	operations  []api.Operation
	implemented []string
	handlers    map[string]protocol.Handler
}

// The stubs embed each API so that Handlers can take their method values;
// calling one would panic, which no test here does.
type (
	iamStub    struct{ iam.API }
	lambdaStub struct{ lambda.API }
	logsStub   struct{ logs.API }
	snsStub    struct{ sns.API }
	sqsStub    struct{ sqs.API }
	stsStub    struct{ sts.API }
)

var services = []service{
	{apigateway.ServiceName, apigateway.Protocol, apigateway.Model, apigateway.Operations, apigateway.Implemented, apigateway.Handlers(nil)},
	{cloudformation.ServiceName, cloudformation.Protocol, cloudformation.Model, cloudformation.Operations, cloudformation.Implemented, cloudformation.Handlers(nil)},
	{dynamodb.ServiceName, dynamodb.Protocol, dynamodb.Model, dynamodb.Operations, dynamodb.Implemented, dynamodb.Handlers(nil)},
	{dynamodbstreams.ServiceName, dynamodbstreams.Protocol, dynamodbstreams.Model, dynamodbstreams.Operations, dynamodbstreams.Implemented, dynamodbstreams.Handlers(nil)},
	{ec2.ServiceName, ec2.Protocol, ec2.Model, ec2.Operations, ec2.Implemented, ec2.Handlers(nil)},
	{events.ServiceName, events.Protocol, events.Model, events.Operations, events.Implemented, events.Handlers(nil)},
	{iam.ServiceName, iam.Protocol, iam.Model, iam.Operations, iam.Implemented, iam.Handlers(iamStub{})},
	{iot.ServiceName, iot.Protocol, iot.Model, iot.Operations, iot.Implemented, iot.Handlers(nil)},
	{iotdata.ServiceName, iotdata.Protocol, iotdata.Model, iotdata.Operations, iotdata.Implemented, iotdata.Handlers(nil)},
	{kinesis.ServiceName, kinesis.Protocol, kinesis.Model, kinesis.Operations, kinesis.Implemented, kinesis.Handlers(nil)},
	{lambda.ServiceName, lambda.Protocol, lambda.Model, lambda.Operations, lambda.Implemented, lambda.Handlers(lambdaStub{})},
	{logs.ServiceName, logs.Protocol, logs.Model, logs.Operations, logs.Implemented, logs.Handlers(logsStub{})},
	{s3.ServiceName, s3.Protocol, s3.Model, s3.Operations, s3.Implemented, s3.Handlers(nil)},
	{ses.ServiceName, ses.Protocol, ses.Model, ses.Operations, ses.Implemented, ses.Handlers(nil)},
	{sns.ServiceName, sns.Protocol, sns.Model, sns.Operations, sns.Implemented, sns.Handlers(snsStub{})},
	{sqs.ServiceName, sqs.Protocol, sqs.Model, sqs.Operations, sqs.Implemented, sqs.Handlers(sqsStub{})},
	{sqs.ServiceName + "/query", "query", sqs.QueryModel, sqs.Operations, sqs.Implemented, sqs.Handlers(sqsStub{})},
	{sts.ServiceName, sts.Protocol, sts.Model, sts.Operations, sts.Implemented, sts.Handlers(stsStub{})},
}

func TestGeneratedPackagesAgree(t *testing.T) {
	for _, s := range services {
		t.Run(s.name, func(t *testing.T) {
			m := s.model()
			if m != s.model() {
				t.Error("Model() parses again on each call")
			}
			if m.Metadata.Protocol != s.protocol {
				t.Errorf("protocol %q, model says %q", s.protocol, m.Metadata.Protocol)
			}
			names := make([]string, len(s.operations))
			for i, op := range s.operations {
				names[i] = op.Name
			}
			if !slices.Equal(names, m.OperationNames()) {
				t.Error("Operations and the model list different operations")
			}
			handled := make([]string, 0, len(s.handlers))
			for name := range s.handlers {
				handled = append(handled, name)
			}
			slices.Sort(handled)
			if !slices.Equal(handled, s.implemented) {
				t.Errorf("handlers %v, implemented %v", handled, s.implemented)
			}
			for _, name := range s.implemented {
				op := m.Operations[name]
				row, ok := api.Find(s.operations, name)
				if !ok || op == nil {
					t.Fatalf("%s: implemented but unknown", name)
				}
				if row.Input != "" && (op.Input == nil || op.Input.Shape == nil) {
					t.Errorf("%s: the model lacks its input", name)
				}
				if row.Output != "" && (op.Output == nil || op.Output.Shape == nil) {
					t.Errorf("%s: the model lacks its output", name)
				}
				for _, e := range op.Errors {
					if !e.Shape.Exception && !e.Shape.Fault {
						t.Errorf("%s: error %s is not an exception", name, e.ShapeName)
					}
				}
			}
			if _, ok := api.Find(s.operations, "NoSuchOperation"); ok {
				t.Error("Find found a missing operation")
			}
		})
	}
}

func TestErrorConstructors(t *testing.T) {
	e := iam.NewNoSuchEntityException("The role with name %s cannot be found.", "r")
	want := &protocol.Error{Type: "NoSuchEntityException", Code: "NoSuchEntity", Status: 404, Sender: true,
		Message: "The role with name r cannot be found."}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("got %+v", e)
	}
	if e := iam.NewServiceFailureException("x"); e.Status != 500 || e.Sender {
		t.Fatalf("fault: %+v", e)
	}
}

type fakeSTS struct{ sts.API }

func (fakeSTS) GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityRequest) (*sts.GetCallerIdentityResponse, error) {
	account, arn := "000000000000", "arn:aws:iam::000000000000:root"
	return &sts.GetCallerIdentityResponse{Account: &account, Arn: &arn}, nil
}

func (fakeSTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleRequest) (*sts.AssumeRoleResponse, error) {
	if *in.RoleSessionName == "" || len(in.Tags) != 1 || *in.Tags[0].Key != "k" || *in.DurationSeconds != 900 {
		return nil, sts.NewMalformedPolicyDocumentException("unexpected input %+v", in)
	}
	return &sts.AssumeRoleResponse{AssumedRoleUser: &sts.AssumedRoleUser{Arn: in.RoleArn}}, nil
}

// TestHandlersBridgeTypes runs decoded values through the generated
// handlers into a typed implementation and back.
func TestHandlersBridgeTypes(t *testing.T) {
	h := sts.Handlers(fakeSTS{})
	out, err := h["GetCallerIdentity"](context.Background(), map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"}; !reflect.DeepEqual(out, want) {
		t.Fatalf("got %#v", out)
	}
	out, err = h["AssumeRole"](context.Background(), map[string]any{
		"RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "s", "DurationSeconds": int64(900),
		"Tags": []any{map[string]any{"Key": "k", "Value": "v"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"AssumedRoleUser": map[string]any{"Arn": "arn:aws:iam::000000000000:role/r"}}; !reflect.DeepEqual(out, want) {
		t.Fatalf("got %#v", out)
	}
}
