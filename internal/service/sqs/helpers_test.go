package sqs

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

const (
	testAccount  = "123456789012"
	testRegion   = "us-east-1"
	testEndpoint = "http://127.0.0.1:4566"
)

// clock is the tests' settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestStore(t testing.TB) store.Store {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func newTestService(t testing.TB) (*Service, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)}
	s := New(Config{Store: newTestStore(t), Endpoint: testEndpoint, Now: c.Now})
	t.Cleanup(s.Close)
	return s, c
}

var bg = request.With(context.Background(), &request.Info{Account: testAccount, Region: testRegion})

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

// must unwraps a call's result, failing the test on error.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func createQueue(t testing.TB, s *Service, name string, attrs map[string]string) string {
	t.Helper()
	return *must(s.CreateQueue(bg, &sqsapi.CreateQueueRequest{QueueName: api.Ptr(name), Attributes: attrs}))(t).QueueUrl
}

func send(t testing.TB, s *Service, url, body string) *sqsapi.SendMessageResult {
	t.Helper()
	return must(s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr(body)}))(t)
}

func sendFifo(t testing.TB, s *Service, url, body, group, dedup string) *sqsapi.SendMessageResult {
	t.Helper()
	return must(s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr(body), MessageGroupId: api.Ptr(group), MessageDeduplicationId: optional(dedup)}))(t)
}

func receive(t testing.TB, s *Service, url string, max int64) []sqsapi.Message {
	t.Helper()
	return must(s.ReceiveMessage(bg, &sqsapi.ReceiveMessageRequest{QueueUrl: api.Ptr(url), MaxNumberOfMessages: api.Ptr(max), AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}}))(t).Messages
}

func bodies(ms []sqsapi.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = api.Deref(m.Body)
	}
	return out
}

func queueAttr(t testing.TB, s *Service, url, name string) string {
	t.Helper()
	return must(s.GetQueueAttributes(bg, &sqsapi.GetQueueAttributesRequest{QueueUrl: api.Ptr(url), AttributeNames: []string{name}}))(t).Attributes[name]
}

func errorsAs[T error](err error, target *T) bool { return errors.As(err, target) }
