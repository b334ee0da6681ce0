package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/kiricloud/kiri/internal/app"
)

// zipDir packs a function's folder as a deployment package, keeping file
// modes so that a bootstrap stays executable.
func zipDir(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		hdr.Method = zip.Deflate
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lambdaRole creates the execution role the seeds use, with
// AWSLambdaBasicExecutionRole (seed 002-ch2-hello): without it a
// function writes no logs, on AWS as in kiri.
func lambdaRole(t testing.TB, k *app.Kiri) string {
	t.Helper()
	client := iam.NewFromConfig(sdkConfig(k, "AKIAEXAMPLEKEY000001", "secret", ""))
	out, err := client.CreateRole(context.Background(),
		&iam.CreateRoleInput{RoleName: aws.String("role-lambdaexec"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.AttachRolePolicy(context.Background(), &iam.AttachRolePolicyInput{RoleName: aws.String("role-lambdaexec"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}); err != nil {
		t.Fatal(err)
	}
	return *out.Role.Arn
}

func lambdaClient(k *app.Kiri) *lambda.Client {
	return lambda.NewFromConfig(sdkConfig(k, "AKIAEXAMPLEKEY000001", "secret", ""))
}

// functionLog reads every message of a function's log group.
func functionLog(t testing.TB, k *app.Kiri, name string) string {
	t.Helper()
	logs := cloudwatchlogs.NewFromConfig(sdkConfig(k, "AKIAEXAMPLEKEY000001", "secret", ""))
	out, err := logs.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/" + name)})
	var missing *logstypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return "" // the function has not run yet
	}
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range out.Events {
		b.WriteString(*e.Message)
		if !strings.HasSuffix(*e.Message, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// requireRuntime skips when the host lacks an interpreter, unless CI
// demands every real client.
func requireRuntime(t testing.TB, name string, args ...string) { requireTool(t, name, args...) }

// TestSeedHelloLambdaWithCLI runs Listing 2-1 (seed 002-ch2-hello) as the
// book does, through the AWS CLI: x=10,y=2 returns the JSON string, y=0
// fails with ZeroDivisionError, and the log has START/END/REPORT, the
// printed lines and the traceback.
func TestSeedHelloLambdaWithCLI(t *testing.T) {
	requireTool(t, "aws", "--version")
	requireRuntime(t, "python3", "--version")
	k := startKiri(t, "")
	role := lambdaRole(t, k)
	dir := seedDir(t, "002-ch2-hello")
	pkg := filepath.Join(t.TempDir(), "hello.zip")
	if err := os.WriteFile(pkg, zipOnly(t, dir, "lambda_function.py"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := awsCLI(t, k, dir, "lambda", "create-function", "--function-name", "HelloLambda", "--runtime", "python3.6",
		"--role", role, "--handler", "lambda_function.myfunc01_handler", "--zip-file", "fileb://"+pkg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg := decodeJSON(t, out); cfg["Runtime"] != "python3.6" || cfg["Handler"] != "lambda_function.myfunc01_handler" {
		t.Fatalf("create-function: %s", out)
	}
	result := filepath.Join(t.TempDir(), "out.json")
	out, err = awsCLI(t, k, dir, "lambda", "invoke", "--function-name", "HelloLambda", "--payload", "file://events/x10-y2.json", result)
	if err != nil {
		t.Fatal(err)
	}
	if inv := decodeJSON(t, out); inv["StatusCode"] != 200.0 || inv["FunctionError"] != nil {
		t.Fatalf("invoke: %s", out)
	}
	if got, _ := os.ReadFile(result); string(got) != `"{\"result\": 5.0}"` {
		t.Fatalf("payload %s", got)
	}

	out, err = awsCLI(t, k, dir, "lambda", "invoke", "--function-name", "HelloLambda", "--payload", "file://events/x10-y0.json", result)
	if err != nil {
		t.Fatal(err)
	}
	if inv := decodeJSON(t, out); inv["FunctionError"] != "Unhandled" {
		t.Fatalf("invoke y=0: %s", out)
	}
	data, _ := os.ReadFile(result)
	failure := decodeJSON(t, string(data))
	if failure["errorMessage"] != "division by zero" || failure["errorType"] != "ZeroDivisionError" || failure["stackTrace"] == nil {
		t.Fatalf("error payload %s", data)
	}

	log := functionLog(t, k, "HelloLambda")
	for _, want := range []string{"START RequestId: ", "Version: $LATEST", "x = 10", "y = 2", "END RequestId: ",
		"REPORT RequestId: ", "Billed Duration: ", "Memory Size: 128 MB", "ZeroDivisionError", "Traceback"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// zipOnly packs the named files of dir.
func zipOnly(t testing.TB, dir string, names ...string) []byte {
	t.Helper()
	tmp := t.TempDir()
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return zipDir(t, tmp)
}

// TestSeedNodeSkeletonWithBoto3 runs the Node.js handler skeleton of the
// book (callback(null, 'Hello')) from boto3.
func TestSeedNodeSkeletonWithBoto3(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3")
	requireRuntime(t, "node", "--version")
	k := startKiri(t, "")
	role := lambdaRole(t, k)
	pkg := filepath.Join(t.TempDir(), "node.zip")
	if err := os.WriteFile(pkg, zipOnly(t, seedDir(t, "002-ch2-nodejs-skeleton"), "index.js"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := python(t, k, `
import boto3
lam = boto3.client('lambda')
lam.create_function(FunctionName='skeleton', Runtime='nodejs18.x', Role='`+role+`', Handler='index.handler',
                    Code={'ZipFile': open('`+pkg+`', 'rb').read()})
lam.get_waiter('function_active_v2').wait(FunctionName='skeleton')
r = lam.invoke(FunctionName='skeleton', Payload=b'{}')
print(r['StatusCode'], r['Payload'].read().decode())
`)
	if strings.TrimSpace(out) != `200 "Hello"` {
		t.Fatalf("boto3 invoke: %q", out)
	}
}

// TestSeedChatLambda runs seed 001's Node function with the npm package
// `request`: invoked with {"message": "hello"}, it must POST
// {"text": "hello"} to the webhook named by its environment.
func TestSeedChatLambda(t *testing.T) {
	requireRuntime(t, "node", "--version")
	requireTool(t, "npm", "--version")
	code := t.TempDir()
	data, err := os.ReadFile(filepath.Join(seedDir(t, "001-iot-chat-lambda"), "index.js"))
	if err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(code, "index.js"), data, 0o644)
	npm := exec.Command("npm", "install", "--no-audit", "--no-fund", "--silent", "request@2.88.2")
	npm.Dir = code
	if out, err := npm.CombinedOutput(); err != nil {
		msg := "npm install request: " + err.Error() + "\n" + string(out)
		if os.Getenv("KIRI_E2E_REQUIRE") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	received := make(chan string, 1)
	webhook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		received <- r.Header.Get("Content-Type") + " " + string(body)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer webhook.Close()

	k := startKiri(t, "")
	role := lambdaRole(t, k)
	c := lambdaClient(k)
	ctx := context.Background()
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("chat"), Runtime: lambdatypes.Runtime("nodejs18.x"),
		Role: aws.String(role), Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipDir(t, code)},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"hungoutChat": webhook.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("chat"), Payload: []byte(`{"message": "hello"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if inv.FunctionError != nil {
		t.Fatalf("function error %s: %s", *inv.FunctionError, inv.Payload)
	}
	select {
	case got := <-received:
		if got != `application/json {"text":"hello"}` {
			t.Fatalf("webhook got %q", got)
		}
	default:
		t.Fatal("the webhook was not called before the invocation ended")
	}
	if log := functionLog(t, k, "chat"); !strings.Contains(log, "hello") || !strings.Contains(log, `{ ok: true }`) {
		t.Errorf("log:\n%s", log)
	}
}

// TestGoFunction runs a function built with aws-lambda-go on provided.al2023.
func TestGoFunction(t *testing.T) {
	code := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(code, "bootstrap"), "./testdata/gofunc")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	k := startKiri(t, "")
	c := lambdaClient(k)
	ctx := context.Background()
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("gofunc"), Runtime: lambdatypes.Runtime("provided.al2023"),
		Role: aws.String(lambdaRole(t, k)), Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: zipDir(t, code)}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("gofunc"), Payload: []byte(`{"name":"kiri"}`), LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]string
	if err := json.Unmarshal(inv.Payload, &out); err != nil || out["greeting"] != "hello kiri" || out["requestId"] == "" {
		t.Fatalf("payload %s (%v)", inv.Payload, err)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(inv.LogResult))
	if !strings.Contains(string(tail), "hello from go, kiri") || !strings.Contains(string(tail), "REPORT RequestId: "+out["requestId"]) {
		t.Fatalf("log tail:\n%s", tail)
	}
}

// TestFunctionCredentials proves that an unmodified boto3 call inside a
// function reaches kiri with the function role's temporary credentials.
func TestFunctionCredentials(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3")
	k := startKiri(t, "")
	c := lambdaClient(k)
	ctx := context.Background()
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("whoami"), Runtime: lambdatypes.Runtime("python3.11"),
		Role: aws.String(lambdaRole(t, k)), Handler: aws.String("lambda_function.lambda_handler"),
		Code: &lambdatypes.FunctionCode{ZipFile: zipDir(t, "testdata/whoami")}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("whoami")})
	if err != nil {
		t.Fatal(err)
	}
	if want := `"arn:aws:sts::000000000000:assumed-role/role-lambdaexec/whoami"`; string(inv.Payload) != want {
		t.Fatalf("payload %s, want %s (function error %v)", inv.Payload, want, aws.ToString(inv.FunctionError))
	}
}

// inlinePython deploys a one-file Python function.
func inlinePython(t testing.TB, k *app.Kiri, name, source string, timeout int32) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lambda_function.py"), []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := lambdaClient(k).CreateFunction(context.Background(), &lambda.CreateFunctionInput{FunctionName: aws.String(name),
		Runtime: lambdatypes.Runtime("python3.11"), Role: aws.String("arn:aws:iam::000000000000:role/role-lambdaexec"),
		Handler: aws.String("lambda_function.handler"), Timeout: aws.Int32(timeout), Code: &lambdatypes.FunctionCode{ZipFile: zipDir(t, dir)}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestVersionsAliasesTimeoutsThrottling covers spec §2.13 (versions and
// aliases), timeouts and reserved-concurrency throttling.
func TestVersionsAliasesTimeoutsThrottling(t *testing.T) {
	requireRuntime(t, "python3", "--version")
	k := startKiri(t, "")
	lambdaRole(t, k)
	c := lambdaClient(k)
	ctx := context.Background()
	inlinePython(t, k, "versioned", "def handler(event, context):\n    return context.function_version\n", 3)
	v1, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("versioned")})
	if err != nil || aws.ToString(v1.Version) != "1" {
		t.Fatalf("publish: %v %v", v1, err)
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("versioned"), Name: aws.String("prod"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	inv, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("versioned"), Qualifier: aws.String("prod")})
	if err != nil || string(inv.Payload) != `"1"` || aws.ToString(inv.ExecutedVersion) != "1" {
		t.Fatalf("alias invoke: %s %v %v", inv.Payload, aws.ToString(inv.ExecutedVersion), err)
	}
	inv, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("versioned")})
	if err != nil || string(inv.Payload) != `"$LATEST"` {
		t.Fatalf("$LATEST invoke: %s %v", inv.Payload, err)
	}

	inlinePython(t, k, "sleepy", "import time\ndef handler(event, context):\n    time.sleep(30)\n", 1)
	inv, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("sleepy")})
	if err != nil || aws.ToString(inv.FunctionError) == "" || !strings.Contains(string(inv.Payload), "Task timed out after 1.00 seconds") {
		t.Fatalf("timeout: %s %v", inv.Payload, err)
	}

	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("versioned"),
		ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("versioned")})
	var throttled *lambdatypes.TooManyRequestsException
	if !errors.As(err, &throttled) {
		t.Fatalf("want TooManyRequestsException, got %v", err)
	}
}

// TestAsyncRetries invokes a failing function with InvocationType Event:
// kiri answers 202 and retries twice, which the log shows as three STARTs.
func TestAsyncRetries(t *testing.T) {
	requireRuntime(t, "python3", "--version")
	k := startKiri(t, "")
	lambdaRole(t, k)
	c := lambdaClient(k)
	ctx := context.Background()
	inlinePython(t, k, "flaky", "def handler(event, context):\n    raise Exception('boom')\n", 3)
	inv, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("flaky"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"n":1}`)})
	if err != nil || inv.StatusCode != 202 {
		t.Fatalf("event invoke: %v %v", inv, err)
	}
	// Poll the log until the third attempt shows; the test configuration
	// shortens the back-off, and the deadline only bounds a broken run.
	deadline := time.Now().Add(60 * time.Second)
	for {
		log := functionLog(t, k, "flaky")
		if n := strings.Count(log, "START RequestId: "); n >= 3 {
			if n > 3 {
				t.Fatalf("%d attempts, want 3:\n%s", n, log)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("retries did not happen:\n%s", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// GetFunction's Code.Location downloads the deployment package.
func TestGetFunctionCodeLocation(t *testing.T) {
	k := startKiri(t, "")
	lambdaRole(t, k)
	inlinePython(t, k, "downloadable", "def handler(event, context):\n    return 1\n", 3)
	fn, err := lambdaClient(k).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("downloadable")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(aws.ToString(fn.Code.Location))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if resp.StatusCode != 200 || err != nil || len(zr.File) != 1 || zr.File[0].Name != "lambda_function.py" {
		t.Fatalf("GET %s: %d %v", aws.ToString(fn.Code.Location), resp.StatusCode, err)
	}
	bad, err := http.Get(k.Endpoint() + lambdaCodeTraversal)
	if err == nil {
		bad.Body.Close()
		if bad.StatusCode != http.StatusNotFound {
			t.Fatalf("traversal answered %d", bad.StatusCode)
		}
	}
}

const lambdaCodeTraversal = "/_kiri/lambda/code/000000000000/us-east-1/%2e%2e/x.zip"

// TestAsyncFailureReachesDLQAndDestination: an Event invocation that fails
// for good lands in the function's dead-letter queue (the event, with
// RequestID/ErrorCode/ErrorMessage attributes) and, as an invocation
// record, in its on-failure destination.
func TestAsyncFailureReachesDLQAndDestination(t *testing.T) {
	requireRuntime(t, "python3", "--version")
	k := startKiri(t, "")
	ctx := context.Background()
	cfg := sdkConfig(k, "AKIAEXAMPLEKEY000001", "secret", "")
	q := sqs.NewFromConfig(cfg)
	queueArn := func(name string) (string, string) {
		out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
		if err != nil {
			t.Fatal(err)
		}
		return *out.QueueUrl, attrs.Attributes["QueueArn"]
	}
	dlqURL, dlqArn := queueArn("failed-events")
	destURL, destArn := queueArn("failure-records")

	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "lambda_function.py"), []byte("def handler(event, context):\n    raise ValueError('bad input')\n"), 0o644)
	c := lambdaClient(k)
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("doomed"), Runtime: lambdatypes.Runtime("python3.11"),
		Role: aws.String(lambdaRole(t, k)), Handler: aws.String("lambda_function.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipDir(t, dir)},
		DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String(dlqArn)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("doomed"),
		MaximumRetryAttempts: aws.Int32(0),
		DestinationConfig:    &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(destArn)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("doomed"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"order":42}`)}); err != nil {
		t.Fatal(err)
	}
	receive := func(url string) sqstypes.Message {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
			out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 2,
				MessageAttributeNames: []string{"All"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Messages) == 1 {
				return out.Messages[0]
			}
		}
		t.Fatalf("nothing arrived in %s", url)
		return sqstypes.Message{}
	}
	dead := receive(dlqURL)
	if aws.ToString(dead.Body) != `{"order":42}` || aws.ToString(dead.MessageAttributes["ErrorMessage"].StringValue) == "" ||
		aws.ToString(dead.MessageAttributes["RequestID"].StringValue) == "" {
		t.Fatalf("DLQ message: %s %v", aws.ToString(dead.Body), dead.MessageAttributes)
	}
	var record struct {
		RequestContext struct{ Condition, FunctionArn string } `json:"requestContext"`
		RequestPayload map[string]int                          `json:"requestPayload"`
	}
	rec := receive(destURL)
	if err := json.Unmarshal([]byte(aws.ToString(rec.Body)), &record); err != nil || record.RequestContext.Condition != "RetriesExhausted" ||
		record.RequestPayload["order"] != 42 {
		t.Fatalf("destination record: %s (%v)", aws.ToString(rec.Body), err)
	}
}

// TestSQSEventSource: a queue mapped to a function delivers its messages
// in the SQS event and the processed messages are deleted.
func TestSQSEventSource(t *testing.T) {
	requireRuntime(t, "python3", "--version")
	k := startKiri(t, "")
	ctx := context.Background()
	q := sqs.NewFromConfig(sdkConfig(k, "AKIAEXAMPLEKEY000001", "secret", ""))
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("mailsendqueue000")})
	if err != nil {
		t.Fatal(err)
	}
	lambdaRole(t, k)
	inlinePython(t, k, "consumer", "def handler(event, context):\n    for r in event['Records']:\n        print(r['eventSource'], r['body'])\n", 3)
	_, err = lambdaClient(k).CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"),
		EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:mailsendqueue000"), BatchSize: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"taro@example.com", "hanako@example.com"} {
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: queue.QueueUrl, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		log := functionLog(t, k, "consumer")
		if strings.Contains(log, "aws:sqs taro@example.com") && strings.Contains(log, "aws:sqs hanako@example.com") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("function log:\n%s", log)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
		if err != nil {
			t.Fatal(err)
		}
		if attrs.Attributes["ApproximateNumberOfMessages"] == "0" && attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("messages not deleted: %v", attrs.Attributes)
		}
	}
}

// TestAsyncSuccessReachesDestination: an Event invocation that succeeds
// sends its invocation record, with the function's result, to the
// on-success destination.
func TestAsyncSuccessReachesDestination(t *testing.T) {
	requireRuntime(t, "python3", "--version")
	k := startKiri(t, "")
	ctx := context.Background()
	q := sqs.NewFromConfig(sdkConfig(k, "AKIAEXAMPLEKEY000001", "secret", ""))
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("successes")})
	if err != nil {
		t.Fatal(err)
	}
	lambdaRole(t, k)
	inlinePython(t, k, "fine", "def handler(event, context):\n    return {'ok': True, 'got': event['n']}\n", 3)
	c := lambdaClient(k)
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("fine"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{
			Destination: aws.String("arn:aws:sqs:us-east-1:000000000000:successes")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fine"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"n":7}`)}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, WaitTimeSeconds: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			continue
		}
		var record struct {
			RequestContext  struct{ Condition string } `json:"requestContext"`
			ResponsePayload map[string]any             `json:"responsePayload"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &record); err != nil ||
			record.RequestContext.Condition != "Success" || record.ResponsePayload["got"] != 7.0 {
			t.Fatalf("record %s (%v)", aws.ToString(out.Messages[0].Body), err)
		}
		return
	}
	t.Fatal("no record reached the on-success destination")
}
