// Package runtime runs Lambda functions as host processes: it serves the
// Lambda Runtime API to each execution environment, starts kiri's own
// bootstraps for Python and Node.js (or the function's own bootstrap for
// provided.*), reuses warm environments and enforces timeouts and
// concurrency. The Lambda service (package lambda) owns function
// configuration and calls an Invoker; this file is the contract between
// them.
package runtime

import (
	"context"
	"errors"
	"time"
)

// Function is one version of a function's code and configuration, as an
// execution environment needs it. Environments are pooled by Key: a change
// of code or configuration must change Key so that new environments start.
type Function struct {
	Key     string // e.g. the function ARN + ":" + version + ":" + revision id
	Name    string
	Version string // "$LATEST" or "1", "2", …
	ARN     string // unqualified function ARN
	Account string
	Region  string
	Runtime string // python3.x, nodejs*, provided, provided.al2, provided.al2023, python2.7 …
	Handler string // "lambda_function.lambda_handler", "index.handler"; unused for provided.*
	CodeDir string // the extracted deployment package; environments must not write to it
	// LayersDir holds the function's layers merged in order ("" without
	// layers). Environments see it on /opt where the host allows a mount
	// namespace, and through PYTHONPATH, NODE_PATH, PATH and
	// LD_LIBRARY_PATH in every case. Environments must not write to it.
	LayersDir string
	MemoryMB  int
	Timeout   time.Duration
	// Environment holds the function's own variables; the engine adds the
	// predefined ones (AWS_LAMBDA_FUNCTION_NAME, AWS_REGION, credentials,
	// AWS_ENDPOINT_URL, …).
	Environment map[string]string
	// ReservedConcurrency caps concurrent environments of this function;
	// nil means only the account limit applies. 0 throttles everything.
	ReservedConcurrency *int
	// LogGroup is /aws/lambda/<Name>.
	LogGroup string
	// Credentials returns temporary credentials for the function's role,
	// called when an environment starts.
	Credentials func(ctx context.Context) (Credentials, error)
	// LogAccess says what the function's execution role lets it do in
	// CloudWatch Logs for one environment's stream, called when the
	// environment starts; nil means everything. An environment whose role
	// may not write to its stream, or may not create its group when the
	// group does not exist, sends nothing to the LogSink (the tail that
	// Invoke's LogType Tail returns is kept all the same).
	LogAccess func(ctx context.Context, group, stream string) (LogAccess, error)
}

// LogAccess is what a role allows in a function's log group.
type LogAccess struct {
	CreateGroup bool // logs:CreateLogGroup on the group
	Write       bool // logs:CreateLogStream and logs:PutLogEvents on the stream
}

// Credentials are temporary AWS credentials (an ASIA… key from kiri's STS).
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
}

// Invocation is one request to run a function.
type Invocation struct {
	RequestID     string
	Payload       []byte
	ClientContext string // base64 JSON, as the Invoke API receives it; "" when none
	// TailLog asks for the last 4 KB of the invocation's log (LogType: Tail).
	TailLog bool
}

// Result is what an invocation produced.
type Result struct {
	Payload []byte
	// FunctionError is "Unhandled" when the function failed (an exception,
	// a timeout, a crash); Payload then holds the error JSON
	// {"errorMessage": …, "errorType": …, "stackTrace": […]}.
	FunctionError  string
	LogTail        string // base64 of the last 4 KB of the log, when asked
	Duration       time.Duration
	BilledDuration time.Duration
	InitDuration   time.Duration // set when this invocation started the environment
	MaxMemoryUsed  int           // MB
}

// Invoker runs invocations. The engine in this package implements it; the
// Lambda service depends only on this interface.
type Invoker interface {
	Invoke(ctx context.Context, fn *Function, inv Invocation) (Result, error)
	// Retire stops the warm environments of functions whose Key starts with
	// prefix (after code/config changes or deletion).
	Retire(prefix string)
}

// ErrThrottled means no environment could be used within the account or
// reserved concurrency; the Invoke API answers TooManyRequestsException.
var ErrThrottled = errors.New("runtime: rate exceeded")

// LogEvent is one line of a function's log.
type LogEvent struct {
	Time    time.Time
	Message string
}

// LogSink receives function logs: group /aws/lambda/<name>, one stream per
// environment ("2026/11/22/[$LATEST]<32 hex>"). CloudWatch Logs implements it.
type LogSink interface {
	PutLogs(ctx context.Context, account, region, group, stream string, events []LogEvent) error
}
