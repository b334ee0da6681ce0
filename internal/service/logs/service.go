// Package logs is kiri's Amazon CloudWatch Logs: log groups with retention
// and tags, log streams, PutLogEvents with AWS's batch rules, GetLogEvents
// with its forward/backward tokens, and FilterLogEvents with AWS's filter
// pattern language (pattern.go), and subscription filters that deliver
// matching events to Lambda functions (subscriptions.go, deliver.go). It
// also implements the Lambda engine's LogSink, so function output lands in
// /aws/lambda/<name>.
//
// State lives per account and region in the store namespace
// ("logs", account, region); see state.go for the key layout.
package logs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
	"github.com/kiricloud/kiri/internal/store"
)

// Defaults for calls that carry no request (made inside kiri or by tests).
const ()

// Service implements the generated logs.API and runtime.LogSink on a store.
type Service struct {
	st  store.Store
	now func() time.Time

	// Subscription filter delivery (deliver.go).
	functions FunctionInvoker
	logger    *slog.Logger
	mu        sync.Mutex
	closed    bool
	inflight  sync.WaitGroup
}

var (
	_ logsapi.API     = (*Service)(nil)
	_ runtime.LogSink = (*Service)(nil)
)

// New returns the CloudWatch Logs service keeping its state in st.
func New(st store.Store) *Service {
	return &Service{st: st, now: time.Now, logger: slog.Default()}
}

// SetClock replaces the clock that stamps creation and ingestion times and
// judges events too old or too new. Call it before the service is in use.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// nowMillis is the current time as CloudWatch Logs reports times: Unix ms.
func (s *Service) nowMillis() int64 { return s.now().UnixMilli() }

// view runs fn on the caller's state in a read transaction.
func (s *Service) view(ctx context.Context, fn func(r *region) error) error {
	acct, reg := request.Scope(ctx)
	return s.viewIn(acct, reg, fn)
}

// update runs fn on the caller's state in a write transaction.
func (s *Service) update(ctx context.Context, fn func(r *region) error) error {
	acct, reg := request.Scope(ctx)
	return s.updateIn(acct, reg, fn)
}

func (s *Service) viewIn(acct, reg string, fn func(r *region) error) error {
	return s.st.View(func(tx store.Tx) error { return fn(s.open(tx, acct, reg)) })
}

func (s *Service) updateIn(acct, reg string, fn func(r *region) error) error {
	return s.st.Update(func(tx store.Tx) error { return fn(s.open(tx, acct, reg)) })
}

func (s *Service) open(tx store.Tx, acct, reg string) *region {
	return &region{tx: tx, ns: store.NS("logs", acct, reg), account: acct, name: reg, now: s.nowMillis()}
}

func timeOfMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
