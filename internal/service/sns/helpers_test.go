package sns

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/mailbox"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

const (
	testAccount  = "123456789012"
	testRegion   = "us-east-1"
	testEndpoint = "http://kiri.test:4566"
)

var bg = request.With(context.Background(), &request.Info{Account: testAccount, Region: testRegion})

type sqsCall struct {
	Ctx              context.Context
	QueueArn, Body   string
	Attrs            map[string]MessageAttribute
	GroupID, DedupID string
}

type fakeQueues struct {
	mu    sync.Mutex
	calls []sqsCall
}

func (f *fakeQueues) SendToArn(ctx context.Context, queueArn, body string, attrs map[string]MessageAttribute, groupID, dedupID string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, sqsCall{ctx, queueArn, body, attrs, groupID, dedupID})
	return fmt.Sprintf("sqs-%d", len(f.calls)), nil
}

func (f *fakeQueues) sent() []sqsCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sqsCall(nil), f.calls...)
}

type lambdaCall struct {
	Arn     string
	Payload []byte
}

type fakeFunctions struct {
	mu    sync.Mutex
	calls []lambdaCall
}

func (f *fakeFunctions) InvokeEvent(_ context.Context, arn, _ string, payload []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, lambdaCall{arn, payload})
	return nil
}

func (f *fakeFunctions) invoked() []lambdaCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]lambdaCall(nil), f.calls...)
}

// fakeFilter understands policies of the form {"name":["v1","v2"]}: every
// named attribute (or, for MessageBody, top-level body key) must hold one
// of the listed strings.
type fakeFilter struct{}

func (fakeFilter) CompileFilter(policy, scope string) (Matcher, error) {
	var p map[string][]string
	if err := json.Unmarshal([]byte(policy), &p); err != nil {
		return nil, errors.New("unsupported policy")
	}
	return func(attrs map[string]MessageAttribute, body string) bool {
		values := map[string]string{}
		if scope == "MessageBody" {
			var b map[string]any
			if json.Unmarshal([]byte(body), &b) != nil {
				return false
			}
			for k, v := range b {
				values[k] = fmt.Sprint(v)
			}
		} else {
			for k, a := range attrs {
				values[k] = a.StringValue
			}
		}
		for name, allowed := range p {
			v, ok := values[name]
			if !ok {
				return false
			}
			hit := false
			for _, a := range allowed {
				hit = hit || a == v
			}
			if !hit {
				return false
			}
		}
		return true
	}, nil
}

type env struct {
	s     *Service
	st    store.Store
	sqs   *fakeQueues
	fns   *fakeFunctions
	mails *mailbox.Mailbox
	skew  atomic.Int64 // added to the real time: lets tests move the clock on
}

func (e *env) advance(d time.Duration) { e.skew.Add(int64(d)) }

// testDelayScale shrinks the waits of http/https delivery policies in
// tests: AWS's default 20 s becomes 2 ms.
const testDelayScale = 1e-4

func newEnvOn(t testing.TB, st store.Store) *env {
	return newEnvScaled(t, st, &fakeQueues{}, 0, []time.Duration{time.Millisecond, time.Millisecond}, testDelayScale)
}

// newEnvWith is newEnvOn with queues (when not a *fakeQueues, e.sqs stays
// an unused fake), the clock skew and the waits between attempts at sqs
// and lambda deliveries the Service starts with, unscaled: New resumes
// stored deliveries at once.
func newEnvWith(t testing.TB, st store.Store, queues QueueSender, skew time.Duration, delays []time.Duration) *env {
	return newEnvScaled(t, st, queues, skew, delays, 1)
}

// newEnvScaled is newEnvWith with a Config.DelayScale.
func newEnvScaled(t testing.TB, st store.Store, queues QueueSender, skew time.Duration, delays []time.Duration, scale float64) *env {
	e := &env{st: st, sqs: &fakeQueues{}, fns: &fakeFunctions{}, mails: mailbox.New(st)}
	if f, ok := queues.(*fakeQueues); ok {
		e.sqs = f
	}
	e.skew.Store(int64(skew))
	e.s = newService(Config{
		Store: st, Endpoint: testEndpoint + "/", Queues: queues, Functions: e.fns, Mailbox: e.mails,
		Filter: fakeFilter{}, Logf: t.Logf, DelayScale: scale,
		Now: func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) },
	}, delays)
	t.Cleanup(func() { _ = e.s.Close() })
	return e
}

func newEnv(t testing.TB) *env {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return newEnvOn(t, st)
}

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

func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func (e *env) topic(t *testing.T, name string, attrs map[string]string) string {
	t.Helper()
	out := must(e.s.CreateTopic(bg, &snsapi.CreateTopicInput{Name: &name, Attributes: attrs}))(t)
	return *out.TopicArn
}

func (e *env) subscribe(t *testing.T, topicArn, protocol, endpoint string, attrs map[string]string) string {
	t.Helper()
	out := must(e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topicArn, Protocol: &protocol, Endpoint: &endpoint, Attributes: attrs, ReturnSubscriptionArn: api.Ptr(true)}))(t)
	return *out.SubscriptionArn
}

func (e *env) publish(t *testing.T, in *snsapi.PublishInput) *snsapi.PublishResponse {
	t.Helper()
	out := must(e.s.Publish(bg, in))(t)
	e.s.wait()
	return out
}

// doc is a received SNS JSON document with its key order.
type doc struct {
	keys   []string
	fields map[string]any
}

func parseDoc(t *testing.T, text string) doc {
	t.Helper()
	d := doc{fields: map[string]any{}}
	if err := json.Unmarshal([]byte(text), &d.fields); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, text)
	}
	// The key order, as a reader of the raw text sees it.
	dec := json.NewDecoder(strings.NewReader(text))
	_, _ = dec.Token() // {
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		d.keys = append(d.keys, key.(string))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func (d doc) str(k string) string { s, _ := d.fields[k].(string); return s }

// verifyDoc checks a document's signature as AWS's verification guide
// does: rebuild the canonical string from the received fields and verify it
// with the certificate.
func verifyDoc(certPEM []byte, d doc) error {
	n := &notification{
		Type: d.str("Type"), MessageID: d.str("MessageId"), Token: d.str("Token"), TopicArn: d.str("TopicArn"),
		Subject: d.str("Subject"), Message: d.str("Message"), SubscribeURL: d.str("SubscribeURL"),
		Timestamp: d.str("Timestamp"), Signature: d.str("Signature"), SignatureVersion: d.str("SignatureVersion"),
	}
	return verify(certPEM, n)
}

// verify checks n's signature against the PEM certificate, as a subscriber
// following AWS's verification guide does; used by the tests.
func verify(certPEM []byte, n *notification) error {
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return errors.New("no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(n.Signature)
	if err != nil {
		return err
	}
	hash, sum := digest(n)
	return rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), hash, sum, sig)
}

func requestIn(account, region string) context.Context {
	return request.With(context.Background(), &request.Info{Account: account, Region: region})
}

func urlQuery(link string) (url.Values, error) {
	u, err := url.Parse(link)
	if err != nil {
		return nil, err
	}
	return u.Query(), nil
}

// wait blocks until every delivery started so far has ended.
func (s *Service) wait() { s.deliveries.Wait() }
