package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kiricloud/kiri/internal/app"
)

// urlHTTPClient reaches <id>.lambda-url.<region>.localhost:<port> on
// loopback whatever the resolver says of *.localhost.
func urlHTTPClient(k *app.Kiri) *http.Client {
	addr := strings.TrimPrefix(k.Endpoint(), "http://")
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
}

func doURL(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func allowPublicURL(t *testing.T, c *lambda.Client, name string, qualifier *string) {
	t.Helper()
	_, err := c.AddPermission(context.Background(), &lambda.AddPermissionInput{FunctionName: aws.String(name), Qualifier: qualifier,
		StatementId: aws.String("FunctionURLAllowPublicAccess"), Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"),
		FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFunctionURLs covers the function URL API and its HTTP side: the
// payload 2.0 event, response mapping, the NONE auth policy, AWS_IAM,
// CORS and errors.
func TestFunctionURLs(t *testing.T) {
	requireRuntime(t, "python3", "--version")
	k := startKiri(t, "")
	lambdaRole(t, k)
	c := lambdaClient(k)
	ctx := context.Background()
	hc := urlHTTPClient(k)

	inlinePython(t, k, "structured", "import json\ndef handler(event, context):\n    print(json.dumps(event))\n"+
		"    return {'statusCode': 201, 'headers': {'x-a': 'b'}, 'cookies': ['s=1'], 'body': 'hi'}\n", 5)
	inlinePython(t, k, "echo", "def handler(event, context):\n    return {'event': event}\n", 5)
	inlinePython(t, k, "broken", "def handler(event, context):\n    raise ValueError('boom')\n", 5)

	created, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("structured"),
		AuthType: lambdatypes.FunctionUrlAuthTypeNone, Cors: &lambdatypes.Cors{AllowOrigins: []string{"https://example.com"},
			AllowMethods: []string{"GET", "POST"}, AllowHeaders: []string{"content-type", "x-custom"}, ExposeHeaders: []string{"x-a"},
			MaxAge: aws.Int32(300), AllowCredentials: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	u := aws.ToString(created.FunctionUrl)
	port := k.Endpoint()[strings.LastIndex(k.Endpoint(), ":"):]
	if !strings.HasPrefix(u, "http://") || !strings.HasSuffix(u, ".lambda-url.us-east-1.localhost"+port+"/") || len(strings.Split(strings.TrimPrefix(u, "http://"), ".")[0]) != 32 {
		t.Fatalf("FunctionUrl %q", u)
	}
	if created.InvokeMode != lambdatypes.InvokeModeBuffered || aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:structured" {
		t.Fatalf("create: %+v", created)
	}
	id := strings.Split(strings.TrimPrefix(u, "http://"), ".")[0]

	// A second create conflicts; a version qualifier is refused.
	_, err = c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("structured"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	var conflict *lambdatypes.ResourceConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("duplicate create: %v", err)
	}
	if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("structured")}); err != nil {
		t.Fatal(err)
	}
	if _, err = c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("structured"), Qualifier: aws.String("1"),
		AuthType: lambdatypes.FunctionUrlAuthTypeNone}); err == nil {
		t.Fatal("a URL on a version was accepted")
	}

	// Without the public policy statement: 403.
	req, _ := http.NewRequest("GET", u, nil)
	resp, body := doURL(t, hc, req)
	if resp.StatusCode != 403 || body != `{"Message":"Forbidden"}` {
		t.Fatalf("no permission: %d %s", resp.StatusCode, body)
	}
	allowPublicURL(t, c, "structured", nil)

	// Host form: query, headers, cookies and body reach the event.
	req, _ = http.NewRequest("POST", u+"my/path?a=1&a=2&b=x%20y", strings.NewReader(`{"k":"v"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Set("Cookie", "c1=v1; c2=v2")
	req.Header.Set("Origin", "https://example.com")
	resp, body = doURL(t, hc, req)
	if resp.StatusCode != 201 || body != "hi" || resp.Header.Get("x-a") != "b" || resp.Header.Get("Set-Cookie") != "s=1" {
		t.Fatalf("structured: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://example.com" || resp.Header.Get("Access-Control-Expose-Headers") != "x-a" {
		t.Fatalf("CORS headers: %v", resp.Header)
	}
	log := functionLog(t, k, "structured")
	start := strings.Index(log, "\n{")
	if start < 0 {
		t.Fatalf("no event in log:\n%s", log)
	}
	var ev map[string]any
	if err := json.NewDecoder(strings.NewReader(log[start:])).Decode(&ev); err != nil {
		t.Fatal(err)
	}
	rc := ev["requestContext"].(map[string]any)
	httpc := rc["http"].(map[string]any)
	hdrs := ev["headers"].(map[string]any)
	qs := ev["queryStringParameters"].(map[string]any)
	checks := map[string][2]any{
		"version":        {ev["version"], "2.0"},
		"routeKey":       {ev["routeKey"], "$default"},
		"rawPath":        {ev["rawPath"], "/my/path"},
		"rawQueryString": {ev["rawQueryString"], "a=1&a=2&b=x%20y"},
		"qs a":           {qs["a"], "1,2"},
		"qs b":           {qs["b"], "x y"},
		"header":         {hdrs["x-multi"], "one,two"},
		"content-type":   {hdrs["content-type"], "application/json"},
		"body":           {ev["body"], `{"k":"v"}`},
		"base64":         {ev["isBase64Encoded"], false},
		"accountId":      {rc["accountId"], "anonymous"},
		"apiId":          {rc["apiId"], id},
		"domainPrefix":   {rc["domainPrefix"], id},
		"domainName":     {rc["domainName"], id + ".lambda-url.us-east-1.localhost"},
		"stage":          {rc["stage"], "$default"},
		"method":         {httpc["method"], "POST"},
		"path":           {httpc["path"], "/my/path"},
		"protocol":       {httpc["protocol"], "HTTP/1.1"},
		"sourceIp":       {httpc["sourceIp"], "127.0.0.1"},
		"userAgent":      {httpc["userAgent"], "Go-http-client/1.1"},
		"cookies":        {strings.Join(toStrings(ev["cookies"]), ";"), "c1=v1;c2=v2"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("event %s = %v, want %v", what, c[0], c[1])
		}
	}
	if v, ok := ev["pathParameters"]; !ok || v != nil {
		t.Errorf("pathParameters %v %v, want null", v, ok)
	}
	if _, ok := hdrs["cookie"]; ok {
		t.Error("cookie header left in headers")
	}
	if _, ok := rc["timeEpoch"].(float64); !ok || rc["requestId"] == "" || rc["time"] == "" {
		t.Errorf("requestContext %v", rc)
	}

	// CORS preflight is answered from the configuration.
	req, _ = http.NewRequest("OPTIONS", u, nil)
	req.Header.Set("Origin", "https://example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, _ = doURL(t, hc, req)
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://example.com" ||
		resp.Header.Get("Access-Control-Allow-Methods") != "GET,POST" || resp.Header.Get("Access-Control-Allow-Headers") != "content-type,x-custom" ||
		resp.Header.Get("Access-Control-Max-Age") != "300" || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	req.Header.Set("Origin", "https://evil.example")
	resp, _ = doURL(t, hc, req)
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from another origin: %v", resp.Header)
	}

	// Path form, and a plain dict answered as a 200 JSON body; a binary
	// body arrives base64-encoded.
	if _, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("echo"), AuthType: lambdatypes.FunctionUrlAuthTypeNone}); err != nil {
		t.Fatal(err)
	}
	allowPublicURL(t, c, "echo", nil)
	echo, err := c.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatal(err)
	}
	echoID := strings.Split(strings.TrimPrefix(aws.ToString(echo.FunctionUrl), "http://"), ".")[0]
	req, _ = http.NewRequest("PUT", k.Endpoint()+"/_kiri/lambda-url/"+echoID+"/x/y", strings.NewReader("\xff\x00\x01"))
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, body = doURL(t, http.DefaultClient, req)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("echo: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	var echoed struct {
		Event map[string]any `json:"event"`
	}
	if err := json.Unmarshal([]byte(body), &echoed); err != nil {
		t.Fatal(err)
	}
	if echoed.Event["rawPath"] != "/x/y" || echoed.Event["isBase64Encoded"] != true || echoed.Event["body"] != "/wAB" {
		t.Fatalf("echoed event: %v", echoed.Event)
	}

	// A function error is a 502.
	if _, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("broken"), AuthType: lambdatypes.FunctionUrlAuthTypeNone}); err != nil {
		t.Fatal(err)
	}
	allowPublicURL(t, c, "broken", nil)
	broken, _ := c.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("broken")})
	req, _ = http.NewRequest("GET", aws.ToString(broken.FunctionUrl), nil)
	resp, body = doURL(t, hc, req)
	if resp.StatusCode != 502 {
		t.Fatalf("function error: %d %s", resp.StatusCode, body)
	}

	// AWS_IAM: unsigned requests are refused, signed ones run.
	if _, err := c.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("echo"), AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam}); err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest("GET", aws.ToString(echo.FunctionUrl), nil)
	if resp, body = doURL(t, hc, req); resp.StatusCode != 403 {
		t.Fatalf("unsigned AWS_IAM: %d %s", resp.StatusCode, body)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEKEY000001/20250101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000")
	req.Header.Set("X-Amz-Date", "20250101T000000Z")
	if resp, body = doURL(t, hc, req); resp.StatusCode != 200 || !strings.Contains(body, `"accessKey": "AKIAEXAMPLEKEY000001"`) && !strings.Contains(body, `"accessKey":"AKIAEXAMPLEKEY000001"`) {
		t.Fatalf("signed AWS_IAM: %d %s", resp.StatusCode, body)
	}

	// Get, List, Update, Delete.
	up, err := c.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("structured"),
		Cors: &lambdatypes.Cors{AllowOrigins: []string{"*"}}, InvokeMode: lambdatypes.InvokeModeResponseStream})
	if err != nil || up.AuthType != lambdatypes.FunctionUrlAuthTypeNone || up.InvokeMode != lambdatypes.InvokeModeResponseStream ||
		len(up.Cors.AllowOrigins) != 1 || aws.ToString(up.FunctionUrl) != u {
		t.Fatalf("update: %+v %v", up, err)
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("structured"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	live, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("structured"), Qualifier: aws.String("live"), AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam})
	if err != nil || aws.ToString(live.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:structured:live" || aws.ToString(live.FunctionUrl) == u {
		t.Fatalf("alias URL: %+v %v", live, err)
	}
	list, err := c.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("structured")})
	if err != nil || len(list.FunctionUrlConfigs) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if _, err := c.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("structured")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("structured")})
	var missing *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &missing) {
		t.Fatalf("get after delete: %v", err)
	}
	req, _ = http.NewRequest("GET", u, nil)
	if resp, _ = doURL(t, hc, req); resp.StatusCode != 404 {
		t.Fatalf("deleted URL answered %d", resp.StatusCode)
	}
	if _, err := c.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("structured")}); !errors.As(err, &missing) {
		t.Fatalf("second delete: %v", err)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestFunctionURLWithBoto3 creates a URL with boto3 and calls it with
// urllib, as a Python client of AWS would.
func TestFunctionURLWithBoto3(t *testing.T) {
	requireRuntime(t, "python3", "--version")
	requireTool(t, "python3", "-c", "import boto3")
	k := startKiri(t, "")
	lambdaRole(t, k)
	inlinePython(t, k, "hello", "def handler(event, context):\n    return {'statusCode': 200, 'headers': {'content-type': 'text/plain'}, 'body': 'hello ' + event['queryStringParameters']['name']}\n", 5)
	out := python(t, k, `
import boto3, urllib.request
c = boto3.client("lambda")
u = c.create_function_url_config(FunctionName="hello", AuthType="NONE")["FunctionUrl"]
c.add_permission(FunctionName="hello", StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*", FunctionUrlAuthType="NONE")
endpoint = c.meta.endpoint_url
url_id = u.split("//")[1].split(".")[0]
with urllib.request.urlopen(endpoint + "/_kiri/lambda-url/" + url_id + "/?name=kiri") as r:
    print(r.status, r.headers["content-type"], r.read().decode())
# The FunctionUrl itself, with its host sent to kiri's address (*.localhost
# does not resolve through every resolver).
host = u.split("//")[1].rstrip("/")
with urllib.request.urlopen(urllib.request.Request(endpoint + "/?name=host", headers={"Host": host})) as r:
    print(r.status, r.read().decode())
print(c.get_function_url_config(FunctionName="hello")["AuthType"])
`)
	if out != "200 text/plain hello kiri\n200 hello host\nNONE\n" {
		t.Fatalf("boto3: %q", out)
	}
}
