package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/kiricloud/kiri/internal/app"
)

func TestHealthReportsServices(t *testing.T) {
	k := startKiri(t, "")
	resp, err := http.Get(k.Endpoint() + "/_kiri/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct {
		Version  string
		Uptime   string
		Services map[string]struct{ Implemented, Operations int }
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if h.Version == "" || len(h.Services) != 17 {
		t.Fatalf("health: %+v", h)
	}
	if s := h.Services["iam"]; s.Implemented < 50 || s.Operations < 150 {
		t.Fatalf("iam counts: %+v", s)
	}
}

// An operation kiri does not implement names itself, with 501.
func TestUnimplementedOperationIsNamed(t *testing.T) {
	requireTool(t, "aws", "--version")
	k := startKiri(t, "")
	_, err := awsCLI(t, k, "", "iam", "list-groups")
	var ce *cliError
	if !errors.As(err, &ce) || !strings.Contains(ce.stderr, "NotImplemented") || !strings.Contains(ce.stderr, "ListGroups") {
		t.Fatalf("want NotImplemented naming ListGroups, got %v", err)
	}
	resp, err := http.Post(k.Endpoint()+"/", "application/x-www-form-urlencoded",
		strings.NewReader("Action=ListGroups&Version=2010-05-08"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotImplemented {
		t.Fatalf("status %d, want 501", resp.StatusCode)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	k := startKiri(t, dir)
	c := iam.NewFromConfig(sdkConfig(k, "AKIAEXAMPLEKEY000001", "secret", ""))
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("survivor")}); err != nil {
		t.Fatal(err)
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	k2 := startKiri(t, dir)
	c2 := iam.NewFromConfig(sdkConfig(k2, "AKIAEXAMPLEKEY000001", "secret", ""))
	if _, err := c2.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("survivor")}); err != nil {
		t.Fatalf("user lost across restart: %v", err)
	}
}

// TestEphemeralWritesNothing runs the kiri binary with --ephemeral in an
// empty directory and checks the directory stays empty.
func TestEphemeralWritesNothing(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(t.TempDir(), "kiri")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/kiri").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--ephemeral", "--listen", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TMPDIR="+dir)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 256)
	n, _ := stdout.Read(line)
	endpoint := strings.TrimSpace(string(line[:n]))
	endpoint = endpoint[strings.LastIndex(endpoint, " ")+1:]
	cfg := endpointConfig(endpoint, "AKIAEXAMPLEKEY000001", "secret", "")
	if _, err := iam.NewFromConfig(cfg).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatalf("create user via %s: %v", endpoint, err)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("kiri did not exit cleanly on SIGINT: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("--ephemeral left %d entries on disk, first %s", len(entries), entries[0].Name())
	}
}

// With signature checking on, only keys kiri issued work, and only with
// the right secret. The key is issued while checking is off, then kiri
// restarts on the same state with checking on.
func TestSignatureVerification(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	k := startKiri(t, dir)
	admin := iam.NewFromConfig(sdkConfig(k, "AKIAEXAMPLEKEY000001", "secret", ""))
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("signer")}); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("signer")})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}

	cfg := app.DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = dir
	cfg.VerifySignatures = true
	k, err = app.Start(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()

	good := sts.NewFromConfig(sdkConfig(k, *key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, ""))
	if _, err := good.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("issued key rejected: %v", err)
	}
	var apiErr smithy.APIError
	badSecret := sts.NewFromConfig(sdkConfig(k, *key.AccessKey.AccessKeyId, "wrong", ""))
	_, err = badSecret.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: want SignatureDoesNotMatch, got %v", err)
	}
	unknown := sts.NewFromConfig(sdkConfig(k, "AKIAUNKNOWN000000000", "x", ""))
	_, err = unknown.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidClientTokenId" {
		t.Fatalf("unknown key: want InvalidClientTokenId, got %v", err)
	}
}
