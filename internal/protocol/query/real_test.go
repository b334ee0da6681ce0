package query

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody/xmltest"
)

// formRequest builds a POST of a form body as the AWS CLI sends it.
func formRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

// decodeForm finds the operation of a form body and decodes its input.
func decodeForm(t *testing.T, c Codec, api *model.API, body string) (*model.Operation, map[string]any, error) {
	t.Helper()
	r := formRequest(body)
	op, err := c.Operation(api, r, []byte(body))
	if err != nil {
		return nil, nil, err
	}
	in, err := c.Decode(api, op, r, []byte(body))
	return op, in, err
}

func TestIAMCreateRoleFromCLI(t *testing.T) {
	api := xmltest.LoadAPI(t, "iam")
	// The body botocore builds for:
	//   aws iam create-role --role-name test-role --assume-role-policy-document file://trust.json \
	//     --description "My test role" --max-session-duration 7200 --tags Key=env,Value=dev Key=team,Value=a+b
	body := "Action=CreateRole&Version=2010-05-08&RoleName=test-role" +
		"&AssumeRolePolicyDocument=%7B%0A++%22Version%22%3A+%222012-10-17%22%2C%0A++%22Statement%22%3A+%5B%7B%22Effect%22%3A+%22Allow%22%2C" +
		"+%22Principal%22%3A+%7B%22Service%22%3A+%22lambda.amazonaws.com%22%7D%2C+%22Action%22%3A+%22sts%3AAssumeRole%22%7D%5D%0A%7D%0A" +
		"&Description=My+test+role&MaxSessionDuration=7200" +
		"&Tags.member.1.Key=env&Tags.member.1.Value=dev&Tags.member.2.Key=team&Tags.member.2.Value=a%2Bb"
	op, in, err := decodeForm(t, Codec{}, api, body)
	if err != nil {
		t.Fatal(err)
	}
	if op.Name != "CreateRole" {
		t.Fatalf("operation %s", op.Name)
	}
	want := map[string]any{
		"RoleName": "test-role",
		"AssumeRolePolicyDocument": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", " +
			"\"Principal\": {\"Service\": \"lambda.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]\n}\n",
		"Description":        "My test role",
		"MaxSessionDuration": int64(7200),
		"Tags": []any{
			map[string]any{"Key": "env", "Value": "dev"},
			map[string]any{"Key": "team", "Value": "a+b"},
		},
	}
	if d := xmltest.Diff(in, want); d != "" {
		t.Fatal(d)
	}
}

func TestIAMGetRoleOutput(t *testing.T) {
	api := xmltest.LoadAPI(t, "iam")
	out := map[string]any{"Role": map[string]any{
		"Path":                     "/",
		"RoleName":                 "test-role",
		"RoleId":                   "AROAEXAMPLEID",
		"Arn":                      "arn:aws:iam::000000000000:role/test-role",
		"CreateDate":               time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		"AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D",
		"MaxSessionDuration":       int64(3600),
		"Tags":                     []any{map[string]any{"Key": "env", "Value": "dev"}},
		"RoleLastUsed":             map[string]any{},
	}}
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, api.Operations["GetRole"], out, "req-1")
	want := `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role>` +
		`<Path>/</Path><RoleName>test-role</RoleName><RoleId>AROAEXAMPLEID</RoleId><Arn>arn:aws:iam::000000000000:role/test-role</Arn>` +
		`<CreateDate>2024-01-02T03:04:05Z</CreateDate><AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>` +
		`<MaxSessionDuration>3600</MaxSessionDuration><Tags><member><Key>env</Key><Value>dev</Value></member></Tags><RoleLastUsed></RoleLastUsed>` +
		`</Role></GetRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetRoleResponse>`
	if got := rec.Body.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if rec.Code != 200 || rec.Header().Get("x-amzn-RequestId") != "req-1" || rec.Header().Get("Content-Type") != "text/xml" {
		t.Fatalf("status %d, headers %v", rec.Code, rec.Header())
	}
}

// An operation without output still answers with its Response element.
func TestIAMOutputWithoutResult(t *testing.T) {
	api := xmltest.LoadAPI(t, "iam")
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, api.Operations["DeleteRole"], nil, "req-2")
	want := `<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></DeleteRoleResponse>`
	if got := rec.Body.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestEC2DescribeInstances(t *testing.T) {
	api := xmltest.LoadAPI(t, "ec2")
	ec2 := Codec{EC2: true}
	body := "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0123&InstanceId.2=i-0456" +
		"&Filter.1.Name=instance-state-name&Filter.1.Value.1=running&Filter.1.Value.2=pending&DryRun=false&MaxResults=10"
	_, in, err := decodeForm(t, ec2, api, body)
	if err != nil {
		t.Fatal(err)
	}
	wantIn := map[string]any{
		"InstanceIds": []any{"i-0123", "i-0456"},
		"Filters":     []any{map[string]any{"Name": "instance-state-name", "Values": []any{"running", "pending"}}},
		"DryRun":      false,
		"MaxResults":  int64(10),
	}
	if d := xmltest.Diff(in, wantIn); d != "" {
		t.Fatal(d)
	}

	out := map[string]any{"Reservations": []any{map[string]any{
		"ReservationId": "r-1", "OwnerId": "000000000000", "Groups": []any{},
		"Instances": []any{map[string]any{
			"ImageId": "ami-1", "InstanceId": "i-0123", "InstanceType": "t2.micro",
			"LaunchTime": time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
			"State":      map[string]any{"Code": int64(16), "Name": "running"},
			"Tags":       []any{map[string]any{"Key": "Name", "Value": "web"}},
		}},
	}}}
	rec := httptest.NewRecorder()
	ec2.EncodeOutput(rec, api, api.Operations["DescribeInstances"], out, "req-3")
	want := `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-3</requestId>` +
		`<reservationSet><item><groupSet></groupSet><instancesSet><item><imageId>ami-1</imageId><instanceId>i-0123</instanceId>` +
		`<instanceType>t2.micro</instanceType><launchTime>2024-05-06T07:08:09Z</launchTime>` +
		`<instanceState><code>16</code><name>running</name></instanceState>` +
		`<tagSet><item><key>Name</key><value>web</value></item></tagSet></item></instancesSet>` +
		`<ownerId>000000000000</ownerId><reservationId>r-1</reservationId></item></reservationSet></DescribeInstancesResponse>`
	if got := rec.Body.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestEC2OperationWithoutOutputReturnsTrue(t *testing.T) {
	api := xmltest.LoadAPI(t, "ec2")
	rec := httptest.NewRecorder()
	Codec{EC2: true}.EncodeOutput(rec, api, api.Operations["CreateTags"], nil, "req-4")
	if !strings.Contains(rec.Body.String(), `<CreateTagsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-4</requestId><return>true</return></CreateTagsResponse>`) {
		t.Fatal(rec.Body.String())
	}
}

func TestEC2Errors(t *testing.T) {
	api := xmltest.LoadAPI(t, "ec2")
	ec2 := Codec{EC2: true}
	_, _, err := decodeForm(t, ec2, api, "Action=TerminateInstances&Version=2016-11-15")
	assertError(t, err, "MissingParameter", 400, "The request must contain the parameter InstanceId")
	_, _, err = decodeForm(t, ec2, api, "Action=DescribeInstances&Version=2016-11-15&MaxResults=ten")
	assertError(t, err, "InvalidParameterValue", 400, "Value (ten) for parameter MaxResults is invalid.")
	_, _, err = decodeForm(t, ec2, api, "Action=RunInstances&Version=2016-11-15&MinCount=1&MaxCount=1&InstanceType=t9.enormous")
	assertError(t, err, "InvalidParameterValue", 400, "Value 't9.enormous' at 'instanceType' failed to satisfy constraint")
	_, _, err = decodeForm(t, ec2, api, "Action=LaunchRockets&Version=2016-11-15")
	assertError(t, err, "InvalidAction", 400, "The action LaunchRockets is not valid for this web service.")

	rec := httptest.NewRecorder()
	e := protocol.Errorf("InvalidInstanceID.NotFound", 400, "The instance ID 'i-1' does not exist")
	ec2.EncodeError(rec, api, api.Operations["DescribeInstances"], e, "req-5")
	want := `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID &#39;i-1&#39; does not exist</Message></Error></Errors><RequestID>req-5</RequestID></Response>`
	if got := rec.Body.String(); xmltest.Equivalent([]byte(got), []byte(want), xmltest.Options{}) != nil || rec.Code != 400 {
		t.Fatalf("%d\n%s", rec.Code, got)
	}
}

func TestSNSPublishMessageAttributes(t *testing.T) {
	api := xmltest.LoadAPI(t, "sns")
	body := "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Aalerts&Message=hello+world" +
		"&MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=blue" +
		"&MessageAttributes.entry.2.Name=raw&MessageAttributes.entry.2.Value.DataType=Binary&MessageAttributes.entry.2.Value.BinaryValue=AAEC"
	_, in, err := decodeForm(t, Codec{}, api, body)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"TopicArn": "arn:aws:sns:us-east-1:000000000000:alerts",
		"Message":  "hello world",
		"MessageAttributes": map[string]any{
			"color": map[string]any{"DataType": "String", "StringValue": "blue"},
			"raw":   map[string]any{"DataType": "Binary", "BinaryValue": []byte{0, 1, 2}},
		},
	}
	if d := xmltest.Diff(in, want); d != "" {
		t.Fatal(d)
	}
	rec := httptest.NewRecorder()
	Codec{}.EncodeOutput(rec, api, api.Operations["Publish"], map[string]any{"MessageId": "m-1"}, "req-6")
	wantOut := `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult>` +
		`<ResponseMetadata><RequestId>req-6</RequestId></ResponseMetadata></PublishResponse>`
	if got := rec.Body.String(); got != wantOut {
		t.Fatalf("got\n%s\nwant\n%s", got, wantOut)
	}
}

func TestSTSErrorEnvelope(t *testing.T) {
	api := xmltest.LoadAPI(t, "sts")
	rec := httptest.NewRecorder()
	e := protocol.ModelError(api.Shapes["ExpiredTokenException"], "The security token included in the request is expired")
	Codec{}.EncodeError(rec, api, api.Operations["AssumeRole"], e, "req-7")
	want := `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredTokenException</Code>` +
		`<Message>The security token included in the request is expired</Message></Error><RequestId>req-7</RequestId></ErrorResponse>`
	if got := rec.Body.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if rec.Code != 400 || rec.Header().Get("x-amzn-RequestId") != "req-7" {
		t.Fatalf("status %d, headers %v", rec.Code, rec.Header())
	}
	rec = httptest.NewRecorder()
	Codec{}.EncodeError(rec, api, nil, protocol.Errorf("InternalFailure", 500, "boom"), "req-8")
	if !strings.Contains(rec.Body.String(), "<Type>Receiver</Type>") || rec.Code != 500 {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}

func TestQueryValidationAndActions(t *testing.T) {
	api := xmltest.LoadAPI(t, "iam")
	_, _, err := decodeForm(t, Codec{}, api, "Action=GetRole&Version=2010-05-08")
	assertError(t, err, "ValidationError", 400,
		"1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
	_, _, err = decodeForm(t, Codec{}, api, "Version=2010-05-08")
	assertError(t, err, "MissingAction", 400, "")
	_, _, err = decodeForm(t, Codec{}, api, "Action=Nope&Version=2010-05-08")
	assertError(t, err, "InvalidAction", 400, "The action Nope is not valid for this web service.")
	_, _, err = decodeForm(t, Codec{}, api, "Action=ListRoles&Version=2010-05-08&MaxItems=many")
	assertError(t, err, "MalformedInput", 400, "MaxItems")
	_, _, err = decodeForm(t, Codec{}, api, "Action=ListRoles&Version=2010-05-08&%zz")
	assertError(t, err, "MalformedInput", 400, "")
	_, _, err = decodeForm(t, Codec{}, api, "Action=ListRoles&Version=2010-05-08&"+strings.Repeat("a.", 70)+"b=1")
	assertError(t, err, "MalformedInput", 400, "nested too deeply")
}

// GET requests carry the fields in the query string.
func TestQueryStringRequest(t *testing.T) {
	api := xmltest.LoadAPI(t, "sts")
	r := httptest.NewRequest(http.MethodGet, "/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	op, err := Codec{}.Operation(api, r, nil)
	if err != nil || op.Name != "GetCallerIdentity" {
		t.Fatal(op, err)
	}
	if _, err := (Codec{}).Decode(api, op, r, nil); err != nil {
		t.Fatal(err)
	}
}

func assertError(t *testing.T, err error, code string, status int, message string) {
	t.Helper()
	var e *protocol.Error
	if !errors.As(err, &e) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if e.WireCode() != code || e.Status != status || !strings.Contains(e.Message, message) {
		t.Fatalf("got %s %d %q, want %s %d containing %q", e.WireCode(), e.Status, e.Message, code, status, message)
	}
}
