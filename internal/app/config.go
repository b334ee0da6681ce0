package app

import (
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything kiri can be told at start. Each setting is a flag
// and a KIRI_* environment variable; a flag on the command line wins.
type Config struct {
	Listen           string
	DataDir          string
	Ephemeral        bool
	Region           string
	Account          string
	LogLevel         slog.Level
	VerifySignatures bool
	// LambdaRetryDelay is the first back-off of asynchronous invocation
	// retries (AWS waits about a minute, then two).
	LambdaRetryDelay time.Duration
	// LambdaConcurrency is the account's concurrent executions limit.
	LambdaConcurrency int
	// LambdaMemoryLimits enforces functions' MemorySize where the host
	// allows (Linux with a writable memory cgroup).
	LambdaMemoryLimits bool
	// SNSDelayScale multiplies SNS's waits between delivery retries (and
	// the spacing of throttled deliveries); 1 is AWS's pace.
	SNSDelayScale float64
	// LambdaInterpreters maps Lambda runtimes ("python3.12") or runtime
	// families ("python", "nodejs") to the programs that run them.
	LambdaInterpreters map[string]string
}

// setting describes one configuration knob, for flags, env and the README.
type setting struct {
	flag, env, def, usage string
	set                   func(c *Config, v string) error
}

var settings = []setting{
	{"listen", "KIRI_LISTEN", "127.0.0.1:4566", "address of the AWS API endpoint",
		func(c *Config, v string) error { c.Listen = v; return nil }},
	{"data-dir", "KIRI_DATA_DIR", ".kiri", "directory holding kiri's state",
		func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"ephemeral", "KIRI_EPHEMERAL", "false", "keep all state in memory and write nothing to disk",
		func(c *Config, v string) (err error) { c.Ephemeral, err = strconv.ParseBool(v); return }},
	{"region", "KIRI_REGION", "us-east-1", "region of requests that do not name one",
		func(c *Config, v string) error { c.Region = v; return nil }},
	{"account", "KIRI_ACCOUNT", "000000000000", "12-digit account id of requests signed with unknown keys",
		setAccount},
	{"log-level", "KIRI_LOG_LEVEL", "info", "debug, info, warn or error",
		func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
	{"verify-signatures", "KIRI_VERIFY_SIGNATURES", "false", "reject requests not signed with keys issued by kiri's IAM",
		func(c *Config, v string) (err error) { c.VerifySignatures, err = strconv.ParseBool(v); return }},
	{"lambda-retry-delay", "KIRI_LAMBDA_RETRY_DELAY", "1m0s", "first back-off of asynchronous Lambda retries (the n-th waits n times this)",
		func(c *Config, v string) (err error) { c.LambdaRetryDelay, err = time.ParseDuration(v); return }},
	{"lambda-concurrency", "KIRI_LAMBDA_CONCURRENCY", "1000", "the account's concurrent Lambda executions limit",
		func(c *Config, v string) (err error) { c.LambdaConcurrency, err = strconv.Atoi(v); return }},
	{"lambda-memory-limits", "KIRI_LAMBDA_MEMORY_LIMITS", "true", "enforce Lambda MemorySize with memory cgroups where the host allows (Linux, writable cgroup v1 or v2)",
		func(c *Config, v string) (err error) { c.LambdaMemoryLimits, err = strconv.ParseBool(v); return }},
	{"sns-delay-scale", "KIRI_SNS_DELAY_SCALE", "1", "factor on SNS's waits between delivery retries (0.01 makes AWS's 20 s 200 ms)",
		setSNSDelayScale},
	{"lambda-interpreters", "KIRI_LAMBDA_INTERPRETERS", "python=python3,nodejs=node",
		"programs for Lambda runtimes, by runtime or family: `python3.12=/usr/bin/python3.12,nodejs=node`",
		setLambdaInterpreters},
}

// setLambdaInterpreters reads runtime=program pairs. A key is a runtime
// family (python, nodejs) or a runtime of one (python3.12, nodejs20.x);
// pairs given replace only their own key's default.
func setLambdaInterpreters(c *Config, v string) error {
	c.LambdaInterpreters = map[string]string{}
	for pair := range strings.SplitSeq(v, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		key, program, ok := strings.Cut(pair, "=")
		key, program = strings.TrimSpace(key), strings.TrimSpace(program)
		if !ok || program == "" || !(strings.HasPrefix(key, "python") || strings.HasPrefix(key, "nodejs")) {
			return fmt.Errorf("lambda interpreters: %q is not runtime=program with a python* or nodejs* runtime", pair)
		}
		c.LambdaInterpreters[key] = program
	}
	return nil
}

// setSNSDelayScale takes a factor above 0: waits cannot be skipped
// altogether, nor made negative.
func setSNSDelayScale(c *Config, v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return fmt.Errorf("SNS delay scale must be a number above 0, got %q", v)
	}
	c.SNSDelayScale = f
	return nil
}

func setAccount(c *Config, v string) error {
	if len(v) != 12 || strings.Trim(v, "0123456789") != "" {
		return fmt.Errorf("account must be 12 digits, got %q", v)
	}
	c.Account = v
	return nil
}

// DefaultConfig is the configuration with every default applied.
func DefaultConfig() Config {
	var c Config
	for _, s := range settings {
		if err := s.set(&c, s.def); err != nil {
			panic(err) // the defaults above are constants
		}
	}
	return c
}

// ParseConfig reads defaults, then KIRI_* variables, then flags.
func ParseConfig(args []string, getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	for _, s := range settings {
		if v := getenv(s.env); v != "" {
			if err := s.set(&c, v); err != nil {
				return c, fmt.Errorf("%s: %w", s.env, err)
			}
		}
	}
	fs := flag.NewFlagSet("kiri", flag.ContinueOnError)
	for _, s := range settings {
		s := s
		fs.Func(s.flag, fmt.Sprintf("%s (env %s, default %s)", s.usage, s.env, s.def), func(v string) error { return s.set(&c, v) })
	}
	err := fs.Parse(normaliseBoolFlags(args))
	return c, err
}

// normaliseBoolFlags rewrites bare boolean flags (settings whose default
// is true or false) to flag=true, because the flag package only accepts
// bare flags for flag.Bool values.
func normaliseBoolFlags(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		name := strings.TrimLeft(a, "-")
		if strings.HasPrefix(a, "-") && isBoolSetting(name) {
			a = "--" + name + "=true"
		}
		out[i] = a
	}
	return out
}

func isBoolSetting(flag string) bool {
	for _, s := range settings {
		if s.flag == flag {
			return s.def == "true" || s.def == "false"
		}
	}
	return false
}

// SettingsTable renders the settings as a Markdown table for the README.
func SettingsTable() string {
	var b strings.Builder
	b.WriteString("| flag | environment | default | meaning |\n|---|---|---|---|\n")
	for _, s := range settings {
		fmt.Fprintf(&b, "| `--%s` | `%s` | `%s` | %s |\n", s.flag, s.env, s.def, s.usage)
	}
	return b.String()
}

// Getenv is os.Getenv, named for ParseConfig's callers.
var Getenv = os.Getenv
