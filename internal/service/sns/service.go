// Package sns is kiri's Amazon Simple Notification Service: standard and
// FIFO topics with their attributes, policies and tags; subscriptions for
// sqs, lambda, http/https, email/email-json, sms and application endpoints,
// with the confirmation handshake AWS uses for http and email (tokens valid
// for 48 hours) and the UnsubscribeConfirmation that lets an unsubscribed
// http/https endpoint restore its subscription; and Publish /
// PublishBatch fanning out to every confirmed subscription whose filter
// policy matches, with notifications signed (SignatureVersion 1) by a key
// kiri keeps in its store. Deliveries to http/https endpoints are retried,
// throttled and typed as the topic's and subscription's DeliveryPolicy say
// (deliverypolicy.go); those given up on go to the subscription's
// dead-letter queue.
//
// The package holds semantics only. The rest of kiri reaches it through the
// generated sns.API; it reaches the rest of kiri (SQS, Lambda, the
// outbound mailbox, the filter-policy matcher) through the small interfaces
// of Config, which the application wires to the real services.
//
// State lives per account and region in the store namespace
// ("sns", account, region); see state.go for the key layout.
package sns

import (
	"context"
	"log"
	"net/http"
	"sync"
	"time"

	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/mailbox"
	"github.com/kiricloud/kiri/internal/store"
)

// Defaults for calls that carry no request (made inside kiri or by tests).
const (
	defaultEndpoint = "http://127.0.0.1:4566"
)

// MessageAttribute is a message attribute as SNS passes it on: to SQS as a
// message attribute, to filter policies for matching.
type MessageAttribute struct {
	DataType    string // String, Number, Binary or String.Array, optionally with a ".custom" suffix
	StringValue string
	BinaryValue []byte
}

// QueueSender delivers to SQS queues (sqs subscriptions).
type QueueSender interface {
	// SendToArn sends one message to the queue with the ARN queueArn and
	// returns its SQS message id. groupID and dedupID are empty for
	// standard topics.
	SendToArn(ctx context.Context, queueArn, body string, attrs map[string]MessageAttribute, groupID, dedupID string) (string, error)
}

// FunctionInvoker invokes Lambda functions (lambda subscriptions).
type FunctionInvoker interface {
	// InvokeEvent invokes functionArn asynchronously (InvocationType
	// Event) with payload, on behalf of the topic sourceArn (which the
	// function's resource policy must allow, as on AWS).
	InvokeEvent(ctx context.Context, functionArn, sourceArn string, payload []byte) error
}

// Matcher reports whether a message matches a compiled filter policy.
type Matcher func(attrs map[string]MessageAttribute, body string) bool

// FilterCompiler compiles subscription filter policies.
type FilterCompiler interface {
	// CompileFilter compiles policy (the FilterPolicy JSON) for scope
	// ("MessageAttributes" or "MessageBody"). Its error's text is shown
	// to the caller of Subscribe / SetSubscriptionAttributes.
	CompileFilter(policy, scope string) (Matcher, error)
}

// Config is what the service needs from the rest of kiri. Only Store is
// required; a nil sink makes deliveries of its kind fail (and be logged).
type Config struct {
	Store      store.Store
	Endpoint   string // kiri's URL, for SigningCertURL, SubscribeURL and UnsubscribeURL
	Queues     QueueSender
	Functions  FunctionInvoker
	Mailbox    *mailbox.Mailbox
	Filter     FilterCompiler // nil: every filter policy matches every message
	HTTPClient *http.Client   // for http/https endpoints; nil: a client with a 15 s timeout
	Now        func() time.Time
	Logf       func(format string, args ...any) // delivery failures; nil: log.Printf
	// DelayScale multiplies every wait between delivery attempts and the
	// spacing of throttled deliveries, so tests and impatient users need
	// not sit out AWS's 20 s retries; 0 means 1, AWS's pace.
	DelayScale float64
	// SMSSandbox puts every account in the SMS sandbox, where texts go
	// only to verified destination numbers (GetSMSSandboxAccountStatus);
	// false, the default, is an account that has left it.
	SMSSandbox bool
}

// Service implements the generated sns.API on a store.
type Service struct {
	cfg      Config
	st       store.Store
	endpoint string
	now      func() time.Time
	logf     func(format string, args ...any)
	client   *http.Client

	// managedWaits are the waits between attempts at deliveries to sqs
	// and lambda endpoints; http/https ones follow their delivery policy.
	managedWaits []time.Duration
	scale        float64 // Config.DelayScale

	throttleMu sync.Mutex
	nextSlot   map[string]time.Time // throttled subscriptions' next free delivery slot, by ARN

	signerMu sync.Mutex
	signer   *signer

	filtersMu sync.Mutex
	filters   map[filterKey]Matcher

	lanesMu sync.Mutex
	lanes   map[string]*lane // FIFO subscriptions' delivery lanes, by subscription ARN

	// Deliveries run in goroutines tied to ctx so Close can stop them.
	ctx        context.Context
	cancel     context.CancelFunc
	deliveries sync.WaitGroup
}

var _ snsapi.API = (*Service)(nil)

// defaultManagedWaits are the waits between attempts at deliveries to
// sqs and lambda endpoints. AWS retries those 100,015 times over 23 days
// (its queues and functions are only ever briefly unavailable), but a
// local queue or function that refuses a message is gone or misconfigured
// and will not come back by itself: kiri retries three times within
// seconds, then dead-letters.
var defaultManagedWaits = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}

// New returns the SNS service configured by cfg. It resumes the deliveries
// a previous kiri on the same store accepted but did not finish.
func New(cfg Config) *Service {
	return newService(cfg, defaultManagedWaits)
}

// newService is New with other waits between attempts at sqs and lambda
// deliveries (for tests).
func newService(cfg Config, managed []time.Duration) *Service {
	s := &Service{
		cfg:          cfg,
		st:           cfg.Store,
		endpoint:     cfg.Endpoint,
		now:          cfg.Now,
		logf:         cfg.Logf,
		client:       cfg.HTTPClient,
		managedWaits: managed,
		scale:        cfg.DelayScale,
		nextSlot:     map[string]time.Time{},
		filters:      map[filterKey]Matcher{},
		lanes:        map[string]*lane{},
	}
	if s.scale <= 0 {
		s.scale = 1
	}
	for len(s.endpoint) > 0 && s.endpoint[len(s.endpoint)-1] == '/' {
		s.endpoint = s.endpoint[:len(s.endpoint)-1]
	}
	if s.endpoint == "" {
		s.endpoint = defaultEndpoint
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logf == nil {
		s.logf = log.Printf
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 15 * time.Second}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.resume()
	return s
}

// Close stops pending deliveries and waits for the running ones to end.
// Deliveries not yet made stay in the store, and the next New on it makes
// them (so a message may be delivered twice, never not at all).
func (s *Service) Close() error {
	s.cancel()
	s.deliveries.Wait()
	return nil
}

// goDeliver runs fn in a delivery goroutine.
func (s *Service) goDeliver(fn func(ctx context.Context)) {
	s.deliveries.Add(1)
	go func() {
		defer s.deliveries.Done()
		fn(s.ctx)
	}()
}
