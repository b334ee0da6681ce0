// Package iam is kiri's AWS Identity and Access Management: users and
// their access keys, login profiles and inline policies; roles and their
// trust policies; customer managed policies with their versions; the AWS
// managed policy catalogue (package policies); instance profiles; tags.
//
// IAM is global: each account has one IAM state whatever region a request
// is signed for (store namespace region ""). Besides the per-account state
// the service keeps one global index of every access key kiri has issued —
// IAM users' keys and STS temporary keys — so that the gateway can find the
// account and secret of a key in one read (LookupAccessKey).
//
// Policy documents are stored as the caller gave them and returned the way
// IAM's query API returns them: percent-encoded (see encodeDocument). Go
// callers inside kiri that need a readable document use the methods in
// credentials.go (RoleByArn, ...), which return plain JSON.
package iam

import (
	"context"
	"time"

	iamapi "github.com/kiricloud/kiri/internal/api/iam"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// Service implements the generated iam.API on a store.
type Service struct {
	st             store.Store
	defaultAccount string
	now            func() time.Time
}

var _ iamapi.API = (*Service)(nil)

// New returns the IAM service keeping its state in st. Requests that carry
// no account (calls made inside kiri without a request) act in
// defaultAccount.
func New(st store.Store, defaultAccount string) *Service {
	return &Service{st: st, defaultAccount: defaultAccount, now: time.Now}
}

// SetClock replaces the clock that dates entities and expires temporary
// credentials. Tests and kiri's virtual clock use it; call it before the
// service is in use.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Now is the service's current time in UTC.
func (s *Service) Now() time.Time { return s.now().UTC() }

// stamp is a creation or update date as IAM reports it: UTC, whole seconds.
func (s *Service) stamp() time.Time { return s.Now().Truncate(time.Second) }

// accountOf is the account a request acts in.
func (s *Service) accountOf(ctx context.Context) string {
	if a := request.From(ctx).Account; a != "" {
		return a
	}
	return s.defaultAccount
}

// view runs fn on the caller's account state in a read transaction.
func (s *Service) view(ctx context.Context, fn func(a *account) error) error {
	acct := s.accountOf(ctx)
	return s.st.View(func(tx store.Tx) error { return fn(s.open(tx, acct)) })
}

// update runs fn on the caller's account state in a write transaction.
func (s *Service) update(ctx context.Context, fn func(a *account) error) error {
	acct := s.accountOf(ctx)
	return s.st.Update(func(tx store.Tx) error { return fn(s.open(tx, acct)) })
}

func (s *Service) open(tx store.Tx, id string) *account {
	return &account{tx: tx, ns: store.NS("iam", id, ""), keys: keyIndex{tx: tx}, id: id, now: s.stamp()}
}
