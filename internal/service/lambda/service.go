// Package lambda is kiri's AWS Lambda control plane: functions, their
// deployment packages, versions and aliases, resource policies, tags,
// concurrency, asynchronous invocation and event source mappings. Running
// code is not done here: Invoke hands a runtime.Function to a
// runtime.Invoker (package runtime, the engine).
//
// Store layout, in namespace ("lambda", account, region):
//
//	fn/<name>                  functionRecord: $LATEST, tags, concurrency, version counter
//	ver/<name>/<%010d>         published version (immutable fnConfig)
//	alias/<name>/<alias>       aliasRecord
//	policy/<name>/<qualifier>  resource policy statements ("" = unqualified)
//	eic/<name>/<qualifier>     event invoke config ("$LATEST", version or alias)
//	esm/<uuid>                 event source mapping
//	pc/<name>/<qualifier>      provisioned concurrency config (version or alias)
//	rtm/<name>/<qualifier>     runtime management config ("$LATEST" or version)
//
// and, in the account-less namespace ("lambda", "", ""), the durable queue of
// asynchronous invocations (async/<id>), scanned by one worker per Service.
//
// Deployment packages live on disk under CodeRoot/<account>/<region>/<name>/:
// <codeRev>.zip as uploaded and <codeRev>/ extracted. A codeRev changes only
// when the code does, so published versions share the directory of the
// $LATEST they were taken from.
package lambda

import (
	"context"
	"log/slog"
	"sync"
	"time"

	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/service/iam"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
	"github.com/kiricloud/kiri/internal/service/sts"
	"github.com/kiricloud/kiri/internal/store"
)

// Config wires the service. Store, Invoker, CodeRoot and IAM are required;
// the rest have defaults.
type Config struct {
	Store    store.Store
	Invoker  runtime.Invoker
	CodeRoot string // <data-dir>/lambda, or a temporary directory when ephemeral
	IAM      *iam.Service
	STS      *sts.Service // issues the functions' role credentials; nil leaves them empty
	Now      func() time.Time

	// DefaultAccount and DefaultRegion apply to calls made without a
	// request (in-process deliveries); defaults 000000000000 / us-east-1.
	DefaultAccount, DefaultRegion string
	// AccountConcurrency is the account's concurrent executions limit (AWS: 1000).
	AccountConcurrency int
	// RetryDelay is the first asynchronous retry delay; the n-th retry waits
	// n×RetryDelay (AWS: about 1 then 2 minutes). Tests shorten it.
	RetryDelay time.Duration
	// Destinations receive the outcomes of asynchronous invocations; nil
	// logs and drops them.
	Destinations Destinations
	// Endpoint is kiri's base URL (http://localhost:4566), used for the
	// code Location that GetFunction returns.
	Endpoint string
	Logger   *slog.Logger
}

// Service implements the generated lambda.API.
type Service struct {
	cfg     Config
	st      store.Store
	invoker runtime.Invoker
	now     func() time.Time
	log     *slog.Logger

	pollersMu sync.Mutex
	pollers   map[string]Poller

	async *asyncWorker
}

var _ lambdaapi.API = (*Service)(nil)

// New returns the service and starts its asynchronous-invocation worker,
// which first picks up the events a previous run left queued. Call Close
// to stop it.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultAccount == "" {
		cfg.DefaultAccount = "000000000000"
	}
	if cfg.DefaultRegion == "" {
		cfg.DefaultRegion = "us-east-1"
	}
	if cfg.AccountConcurrency <= 0 {
		cfg.AccountConcurrency = 1000
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = time.Minute
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = "http://localhost:4566"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, st: cfg.Store, invoker: cfg.Invoker, now: cfg.Now, log: cfg.Logger, pollers: map[string]Poller{}}
	s.async = newAsyncWorker(s)
	s.async.start()
	s.replayProvisioned()
	return s
}

// Close stops the asynchronous worker. Invocations in flight are
// abandoned and stay queued, to run again on the next start (Lambda's
// asynchronous delivery is at-least-once).
func (s *Service) Close() error {
	s.async.stop()
	return nil
}

// scope is the account and region a call acts in.
type scope struct{ account, region string }

func (s *Service) scopeOf(ctx context.Context) scope {
	info := request.From(ctx)
	sc := scope{account: info.Account, region: info.Region}
	if sc.account == "" {
		sc.account = s.cfg.DefaultAccount
	}
	if sc.region == "" {
		sc.region = s.cfg.DefaultRegion
	}
	return sc
}

func (sc scope) ns() store.Namespace { return store.NS("lambda", sc.account, sc.region) }

func (sc scope) functionArn(name string) string {
	return "arn:aws:lambda:" + sc.region + ":" + sc.account + ":function:" + name
}

// qualifiedArn is the ARN of a version or alias; "" qualifier gives the
// unqualified ARN.
func (sc scope) qualifiedArn(name, qualifier string) string {
	if qualifier == "" {
		return sc.functionArn(name)
	}
	return sc.functionArn(name) + ":" + qualifier
}
