// Package e2e starts a real kiri listener and drives it with real clients:
// aws-sdk-go-v2 in-process, and the AWS CLI and boto3 as subprocesses.
package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/app"
)

// startKiri runs kiri on a free loopback port with its state in dataDir
// ("" for ephemeral) and stops it when the test ends.
func startKiri(t testing.TB, dataDir string) *app.Kiri {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.Ephemeral = dataDir == ""
	cfg.DataDir = dataDir
	// Asynchronous Lambda retries wait a minute on AWS; tests cannot.
	cfg.LambdaRetryDelay = 50 * time.Millisecond
	logs := io.Discard
	if testing.Verbose() {
		logs = os.Stderr
	}
	k, err := app.Start(cfg, logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := k.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return k
}

// requireTool skips when a real client is missing, unless CI demands it.
func requireTool(t testing.TB, name string, args ...string) {
	t.Helper()
	if err := exec.Command(name, args...).Run(); err != nil {
		msg := name + " is not usable here: " + err.Error()
		if os.Getenv("KIRI_E2E_REQUIRE") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// clientEnv is a clean environment for the CLI and boto3: dummy keys, no
// user configuration, and AWS_ENDPOINT_URL pointing at kiri.
func clientEnv(k *app.Kiri, extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"AWS_ACCESS_KEY_ID=AKIAEXAMPLEKEY000001",
		"AWS_SECRET_ACCESS_KEY=secret",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_ENDPOINT_URL=" + k.Endpoint(),
	}
	if v := os.Getenv("PYENV_ROOT"); v != "" {
		env = append(env, "PYENV_ROOT="+v)
	}
	return append(env, extra...)
}

// awsCLI runs the AWS CLI (v1 on the project machines) in dir and returns
// its stdout.
func awsCLI(t testing.TB, k *app.Kiri, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("aws", args...)
	cmd.Dir = dir
	cmd.Env = clientEnv(k)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String(), &cliError{err, stderr.String()}
	}
	return stdout.String(), nil
}

type cliError struct {
	err    error
	stderr string
}

func (e *cliError) Error() string { return e.err.Error() + ": " + e.stderr }

// shell runs one command line with sh in dir, as a user pasting it would.
func shell(t testing.TB, k *app.Kiri, dir, line string) string {
	t.Helper()
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = dir
	cmd.Env = clientEnv(k)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, stderr.String())
	}
	return stdout.String()
}

// python runs a boto3 script with the pyenv Python.
func python(t testing.TB, k *app.Kiri, script string) string {
	t.Helper()
	cmd := exec.Command("python3", "-c", script)
	cmd.Env = clientEnv(k)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func decodeJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return m
}

// seedDir is a seed program folder under examples/, copied verbatim from
// the seed documents.
func seedDir(t testing.TB, name string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// seedCommands returns the command lines of a seed's commands.sh that start
// with prefix, with backslash continuations joined.
func seedCommands(t testing.TB, dir, prefix string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "commands.sh"))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.ReplaceAll(string(data), "\\\n", " ")
	var lines []string
	for _, l := range strings.Split(joined, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return lines
}
