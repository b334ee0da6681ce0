package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// A Node handler wrapped in awslambda.streamifyResponse runs unmodified:
// a buffered Invoke returns what it wrote, and a RESPONSE_STREAM function
// URL answers with the status and headers of its HttpResponseStream
// prelude and the body it streamed.
func TestNodeResponseStreaming(t *testing.T) {
	requireRuntime(t, "node", "--version")
	k := startKiri(t, "")
	lambdaRole(t, k)
	c := lambdaClient(k)
	ctx := context.Background()
	source := `exports.plain = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('hello ');
  responseStream.write('stream');
  responseStream.end();
});
exports.http = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 202, headers: { 'content-type': 'text/plain', 'x-s': '1' } });
  responseStream.write('part one, ');
  await new Promise((r) => setTimeout(r, 10));
  responseStream.end('part two');
});
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.js"), []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"plain", "http"} {
		_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("stream-" + h), Runtime: lambdatypes.Runtime("nodejs20.x"),
			Role: aws.String("arn:aws:iam::000000000000:role/role-lambdaexec"), Handler: aws.String("index." + h),
			Code: &lambdatypes.FunctionCode{ZipFile: zipDir(t, dir)}})
		if err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("stream-plain")})
	if err != nil || out.FunctionError != nil || string(out.Payload) != "hello stream" {
		t.Fatalf("invoke: %v %v %q", err, aws.ToString(out.FunctionError), out.Payload)
	}

	url, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("stream-http"),
		AuthType: lambdatypes.FunctionUrlAuthTypeNone, InvokeMode: lambdatypes.InvokeModeResponseStream})
	if err != nil {
		t.Fatal(err)
	}
	allowPublicURL(t, c, "stream-http", nil)
	req, _ := http.NewRequest("GET", aws.ToString(url.FunctionUrl), nil)
	resp, body := doURL(t, urlHTTPClient(k), req)
	if resp.StatusCode != 202 || body != "part one, part two" || resp.Header.Get("x-s") != "1" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("streamed URL: %d %q %v", resp.StatusCode, body, resp.Header)
	}
}
