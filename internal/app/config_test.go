package app

import (
	"os"
	"strings"
	"testing"
)

func TestParseConfigPrecedence(t *testing.T) {
	env := map[string]string{"KIRI_LISTEN": "127.0.0.1:5000", "KIRI_EPHEMERAL": "true", "KIRI_ACCOUNT": "111122223333"}
	c, err := ParseConfig([]string{"--listen", "127.0.0.1:6000", "--log-level=debug"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:6000" || !c.Ephemeral || c.Account != "111122223333" || c.LogLevel.String() != "DEBUG" || c.Region != "us-east-1" {
		t.Fatalf("%+v", c)
	}
	// Bare boolean flags mean true, and a flag wins over the environment.
	off := map[string]string{"KIRI_LAMBDA_MEMORY_LIMITS": "false"}
	c, err = ParseConfig([]string{"--ephemeral", "--verify-signatures", "--lambda-memory-limits"}, func(k string) string { return off[k] })
	if err != nil || !c.Ephemeral || !c.VerifySignatures || !c.LambdaMemoryLimits || c.DataDir != ".kiri" {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := ParseConfig(nil, func(k string) string { return map[string]string{"KIRI_ACCOUNT": "123"}[k] }); err == nil {
		t.Fatal("a short account id was accepted")
	}
}

// The README's configuration table is the settings table of the code.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), SettingsTable()) {
		t.Fatalf("README.md's configuration table is out of date; it should contain:\n%s", SettingsTable())
	}
}

func TestLambdaInterpretersSetting(t *testing.T) {
	c, err := ParseConfig([]string{"--lambda-interpreters", "python3.12=/usr/bin/python3.12, nodejs=/opt/node/bin/node"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.LambdaInterpreters["python3.12"] != "/usr/bin/python3.12" || c.LambdaInterpreters["nodejs"] != "/opt/node/bin/node" || len(c.LambdaInterpreters) != 2 {
		t.Errorf("interpreters = %v", c.LambdaInterpreters)
	}
	for _, bad := range []string{"java11=/usr/bin/java", "python3.12", "python="} {
		if _, err := ParseConfig([]string{"--lambda-interpreters", bad}, func(string) string { return "" }); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
