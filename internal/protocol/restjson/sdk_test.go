package restjson

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/iot"
	"github.com/aws/aws-sdk-go/service/iotdataplane"
	"github.com/aws/aws-sdk-go/service/lambda"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
)

// go.mod pins the AWS SDK for Go v2 only for the services the project's
// other tests use (no Lambda or IoT), so these tests let the v1 SDK, a real
// client generated from the same models, judge the wire format.

// handlers stand in for a service: one function per operation name.
type handlers map[string]func(in map[string]any) (map[string]any, error)

func serve(t *testing.T, api *model.API, hs handlers) *session.Session {
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
	return session.Must(session.NewSession(&aws.Config{
		Region: aws.String("us-east-1"), Endpoint: aws.String(srv.URL), MaxRetries: aws.Int(0),
		Credentials: credentials.NewStaticCredentials("AKIDEXAMPLE", "secret", ""),
	}))
}

func TestLambdaWithSDK(t *testing.T) {
	api := loadAPI(t, "lambda")
	sess := serve(t, api, handlers{
		"Invoke": func(in map[string]any) (map[string]any, error) {
			if in["FunctionName"] != "echo" {
				return nil, protocol.ModelError(api.Shapes["ResourceNotFoundException"], "Function not found: "+in["FunctionName"].(string))
			}
			return map[string]any{"StatusCode": int64(200), "ExecutedVersion": in["Qualifier"], "Payload": in["Payload"]}, nil
		},
		"GetFunction": func(in map[string]any) (map[string]any, error) {
			return map[string]any{"Configuration": map[string]any{"FunctionName": in["FunctionName"], "MemorySize": int64(256)},
				"Tags": map[string]any{"team": "iot"}}, nil
		},
	})
	client := lambda.New(sess)

	out, err := client.Invoke(&lambda.InvokeInput{FunctionName: aws.String("echo"), Qualifier: aws.String("live"),
		Payload: []byte(`{"hello":"world"}`)})
	if err != nil || string(out.Payload) != `{"hello":"world"}` || *out.StatusCode != 200 || *out.ExecutedVersion != "live" {
		t.Fatalf("Invoke: %v %v", out, err)
	}
	_, err = client.Invoke(&lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:nope")})
	var notFound *lambda.ResourceNotFoundException
	if !errors.As(err, &notFound) || notFound.Type == nil || *notFound.Type != "User" ||
		notFound.Message() != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope" || notFound.StatusCode() != 404 {
		t.Fatalf("Invoke of a missing function: %#v", err)
	}

	fn, err := client.GetFunction(&lambda.GetFunctionInput{FunctionName: aws.String("echo")})
	if err != nil || *fn.Configuration.FunctionName != "echo" || *fn.Configuration.MemorySize != 256 || *fn.Tags["team"] != "iot" {
		t.Fatalf("GetFunction: %v %v", fn, err)
	}
}

func TestIoTWithSDK(t *testing.T) {
	dataAPI := loadAPI(t, "iot-data")
	var published map[string]any
	data := iotdataplane.New(serve(t, dataAPI, handlers{
		"Publish": func(in map[string]any) (map[string]any, error) {
			published = in
			return nil, nil
		},
	}))
	_, err := data.Publish(&iotdataplane.PublishInput{Topic: aws.String("devices/sensor-1/telemetry"), Qos: aws.Int64(1),
		Payload: []byte(`{"t":21.5}`)})
	if err != nil || published["topic"] != "devices/sensor-1/telemetry" || published["qos"] != int64(1) ||
		string(published["payload"].([]byte)) != `{"t":21.5}` {
		t.Fatalf("Publish: %v %v", published, err)
	}

	ctlAPI := loadAPI(t, "iot")
	created := time.Date(2026, 11, 22, 16, 20, 51, 250e6, time.UTC)
	ctl := iot.New(serve(t, ctlAPI, handlers{
		"DescribeEndpoint": func(in map[string]any) (map[string]any, error) {
			return map[string]any{"endpointAddress": "abc-ats.iot.us-east-1.amazonaws.com"}, nil
		},
		"DescribeThing": func(in map[string]any) (map[string]any, error) {
			return nil, protocol.ModelError(ctlAPI.Shapes["ResourceNotFoundException"], "Thing "+in["thingName"].(string)+" cannot be found.")
		},
		"DescribeCertificate": func(in map[string]any) (map[string]any, error) {
			return map[string]any{"certificateDescription": map[string]any{"certificateId": in["certificateId"], "creationDate": created}}, nil
		},
	}))
	ep, err := ctl.DescribeEndpoint(&iot.DescribeEndpointInput{EndpointType: aws.String("iot:Data-ATS")})
	if err != nil || *ep.EndpointAddress != "abc-ats.iot.us-east-1.amazonaws.com" {
		t.Fatalf("DescribeEndpoint: %v %v", ep, err)
	}
	_, err = ctl.DescribeThing(&iot.DescribeThingInput{ThingName: aws.String("lamp")})
	var notFound *iot.ResourceNotFoundException
	if !errors.As(err, &notFound) || notFound.Message() != "Thing lamp cannot be found." {
		t.Fatalf("DescribeThing: %#v", err)
	}
	cert, err := ctl.DescribeCertificate(&iot.DescribeCertificateInput{CertificateId: aws.String("c0ffee" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789")})
	if err != nil || !cert.CertificateDescription.CreationDate.Equal(created) {
		t.Fatalf("DescribeCertificate: %v %v", cert, err)
	}
}
