package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// botoScript drives boto3 (botocore's SigV4, S3 SigV4, HmacV1 header and
// HmacV1 query signers) against the recording server given as argv[1], and
// prints presigned URLs as JSON for the Go side to verify offline. Every
// call's outcome is ignored: the server's bodies are not real responses.
const botoScript = `
import io, json, sys, warnings
import boto3, botocore.config
warnings.filterwarnings("ignore")
url, akid, secret = sys.argv[1], sys.argv[2], sys.argv[3]
key = "dir/a b/ünï ~x~/c+d!.txt"

def client(service, sigver=None, token=None, endpoint=url, style="path"):
    cfg = botocore.config.Config(retries={"total_max_attempts": 1}, s3={"addressing_style": style},
                                 signature_version=sigver)
    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint, verify=False,
                        aws_access_key_id=akid, aws_secret_access_key=secret,
                        aws_session_token=token, config=cfg)

def attempt(fn, **kw):
    try:
        fn(**kw)
    except Exception:
        pass

s3 = client("s3", token="boto/token+=")
attempt(s3.put_object, Bucket="bucket", Key=key, Body=b"hello boto")
attempt(s3.put_object, Bucket="bucket", Key="trailer.bin", Body=io.BytesIO(b"hello trailer"), ChecksumAlgorithm="CRC32")
attempt(s3.get_object, Bucket="bucket", Key=key, Range="bytes=0-3")
attempt(s3.list_objects_v2, Bucket="bucket", Prefix="dir/a b/", Delimiter="/")
v2 = client("s3", sigver="s3", token="v2/token+=")
attempt(v2.put_object, Bucket="bucket", Key=key, Body=b"hello v2", ContentType="text/plain", Metadata={"k": "v"})
attempt(v2.get_object, Bucket="bucket", Key=key, VersionId="v 1")
attempt(v2.get_object_acl, Bucket="bucket", Key=key)
attempt(v2.list_objects, Bucket="bucket", Prefix="dir/")
attempt(client("iam").list_users, PathPrefix="/division_abc/")
attempt(client("dynamodb").list_tables, Limit=5)
attempt(client("sts").get_caller_identity)
attempt(client("sqs").list_queues, QueueNamePrefix="q")

def v2presign(endpoint, style="path", token=None, key="a b/c.txt"):
    return client("s3", sigver="s3", endpoint=endpoint, style=style, token=token).generate_presigned_url(
        "get_object", Params={"Bucket": "b", "Key": key})

out = {
    # The exact call from the task brief.
    "v2_brief": boto3.client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:4566",
        aws_access_key_id=akid, aws_secret_access_key=secret,
        config=botocore.config.Config(signature_version="s3")).generate_presigned_url(
        "get_object", Params={"Bucket": "b", "Key": "a b/c.txt"}),
    "v2_token": v2presign("http://127.0.0.1:4566", token="tok/en+=="),
    "v2_virtual": v2presign("http://s3.kiri.test:4566", style="virtual", key="ü ~x/y+z.txt"),
    "v2_acl": client("s3", sigver="s3").generate_presigned_url("get_object_acl",
        Params={"Bucket": "b", "Key": "k", "VersionId": "3/4"}),
    "v4_get": client("s3", sigver="s3v4", token="tok").generate_presigned_url("get_object",
        Params={"Bucket": "b", "Key": key, "ResponseContentDisposition": "attachment; filename=x y"}),
    "v4_virtual": client("s3", sigver="s3v4", endpoint="http://s3.kiri.test:4566", style="virtual").generate_presigned_url(
        "get_object", Params={"Bucket": "b", "Key": key}),
}
print(json.dumps(out))
`

// runBoto runs botoScript. Without python3 or boto3 the test is skipped,
// unless KIRI_E2E_REQUIRE is set (as .ci/run does), where that is a failure.
func runBoto(t *testing.T, url string) map[string]string {
	t.Helper()
	missing := t.Skip
	if os.Getenv("KIRI_E2E_REQUIRE") != "" {
		missing = t.Fatal
	}
	if _, err := exec.LookPath("python3"); err != nil {
		missing("python3 not installed")
	}
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		missing("boto3 not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-c", botoScript, url, testCreds.AccessKeyID, testCreds.SecretAccessKey)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3 script: %v\n%s", err, stderr.String())
	}
	urls := map[string]string{}
	if err := json.Unmarshal(out, &urls); err != nil {
		t.Fatalf("boto3 output %q: %v", out, err)
	}
	return urls
}

func TestBoto3EndToEnd(t *testing.T) {
	rec, srv := newRecorder(t)
	urls := runBoto(t, srv.URL)

	versions := map[int]int{}
	services := map[string]int{}
	var trailerSeen bool
	for _, s := range rec.check(t) {
		versions[s.sig.Version]++
		services[s.sig.Service]++
		if strings.Contains(s.uri, "trailer.bin") {
			trailerSeen = string(s.payload) == "hello trailer"
			t.Logf("boto3 checksum upload: x-amz-content-sha256=%q trailer=%v", s.sig.PayloadHash, s.trailer)
		}
	}
	if versions[2] != 4 || versions[4] != 8 {
		t.Errorf("signature versions seen: %v", versions)
	}
	for _, svc := range []string{"s3", "iam", "dynamodb", "sts", "sqs"} {
		if services[svc] == 0 {
			t.Errorf("no %s request recorded (%v)", svc, services)
		}
	}
	if !trailerSeen {
		t.Error("boto3's checksum upload was not decoded")
	}

	for name, u := range urls {
		t.Run(name, func(t *testing.T) { verifyPresignedURL(t, u) })
	}
}

// verifyPresignedURL replays a URL as the server would receive it. Virtual-
// hosted URLs name hosts that do not resolve; the request is built, not sent.
func verifyPresignedURL(t *testing.T, u string) {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, body := toServer(t, req)
	sig := checkSecrets(t, r, body, time.Now())
	if !sig.Presigned || sig.Service != "s3" {
		t.Fatalf("parsed %+v", sig)
	}
	if sig.Version == 2 {
		expectKind(t, Verify(r, body, sig, testCreds.SecretAccessKey, time.Now().Add(2*time.Hour)), ErrRequestExpired)
	}
	if strings.Contains(u, "token") && sig.SecurityToken == "" {
		t.Fatalf("security token not found in %s", u)
	}
}
