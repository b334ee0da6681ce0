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
