package iam

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

const testAccount = "000000000000"

// fakeClock is a settable clock for tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestService(t *testing.T) (*Service, *fakeClock) {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clock := &fakeClock{t: time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)}
	s := New(st, testAccount)
	s.SetClock(clock.Now)
	return s, clock
}

// ctxAs is a request context in account signed with accessKey.
func ctxAs(account, accessKey string) context.Context {
	return request.With(context.Background(), &request.Info{Account: account, Region: "us-east-1", AccessKey: accessKey})
}

var bg = ctxAs(testAccount, "test")

// wantError checks an error's wire code and, when message is not empty,
// its message.
func wantError(t *testing.T, err error, code, message string) {
	t.Helper()
	var perr *protocol.Error
	if !errors.As(err, &perr) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if perr.WireCode() != code {
		t.Fatalf("code = %s (%s), want %s", perr.WireCode(), perr.Message, code)
	}
	if message != "" && perr.Message != message {
		t.Fatalf("message = %q, want %q", perr.Message, message)
	}
}

func decode(t *testing.T, encoded *string) string {
	t.Helper()
	if encoded == nil {
		t.Fatal("document missing")
	}
	s, err := url.QueryUnescape(*encoded)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const s3Policy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`
