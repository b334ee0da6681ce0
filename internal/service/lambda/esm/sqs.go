// Package esm holds Lambda's event source pollers: the goroutines that read
// an event source on behalf of event source mappings and invoke the mapped
// function with batches, as AWS's Lambda service does. The Lambda service
// stores the mappings and tells a registered lambda.Poller about every
// change; this package does the reading and delivering.
package esm

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"

	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/service/lambda"
)

// SQSAPI is the part of the SQS API the poller uses; *sqs.Service
// implements it.
type SQSAPI interface {
	GetQueueUrl(ctx context.Context, in *sqsapi.GetQueueUrlRequest) (*sqsapi.GetQueueUrlResult, error)
	ReceiveMessage(ctx context.Context, in *sqsapi.ReceiveMessageRequest) (*sqsapi.ReceiveMessageResult, error)
	DeleteMessageBatch(ctx context.Context, in *sqsapi.DeleteMessageBatchRequest) (*sqsapi.DeleteMessageBatchResult, error)
}

// Invoker invokes a function; *lambda.Service implements it. A function
// named by ARN is invoked in that ARN's account and region.
type Invoker interface {
	Invoke(ctx context.Context, in *lambdaapi.InvocationRequest) (*lambdaapi.InvocationResponse, error)
}

// SQSConfig is what the SQS poller needs from the rest of kiri.
type SQSConfig struct {
	SQS    SQSAPI
	Lambda Invoker
	Logger *slog.Logger // nil discards
}

// SQSPoller delivers SQS messages to Lambda functions for the mappings
// whose event source is a queue. Each enabled mapping has one goroutine
// that receives a batch, invokes the function synchronously and waits for
// the outcome before the next batch, which also keeps FIFO order.
type SQSPoller struct {
	cfg SQSConfig

	mu      sync.Mutex
	workers map[string]*worker // mapping UUID → its running poller
	closed  bool
	wg      sync.WaitGroup
}

var _ lambda.Poller = (*SQSPoller)(nil)

// NewSQS returns a poller ready to be registered with
// (*lambda.Service).RegisterPoller("sqs", p).
func NewSQS(cfg SQSConfig) *SQSPoller {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &SQSPoller{cfg: cfg, workers: map[string]*worker{}}
}

// Sync starts, restarts with new settings, or (Enabled false) stops the
// poller of m. It never blocks on a running batch: a replaced worker is
// cancelled and its successor waits for it to finish before polling, so
// two workers never deliver from the same mapping at once.
func (p *SQSPoller) Sync(m lambda.EventSourceMapping) {
	s := settingsOf(m)
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.workers[m.UUID]
	if p.closed || (old != nil && old.settings.equal(s)) {
		return
	}
	var prev <-chan struct{}
	if old != nil {
		old.cancel()
		prev = old.done
		delete(p.workers, m.UUID)
	}
	if !m.Enabled {
		return
	}
	w := newWorker(p.cfg, s, prev)
	p.workers[m.UUID] = w
	p.wg.Go(w.run)
}

// Remove stops the poller of a deleted mapping.
func (p *SQSPoller) Remove(uuid string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w := p.workers[uuid]; w != nil {
		w.cancel()
		delete(p.workers, uuid)
	}
}

// Close stops every poller and waits for them to return. A batch being
// invoked is abandoned; its messages reappear after their visibility
// timeout, as they would after a crash.
func (p *SQSPoller) Close() {
	p.mu.Lock()
	p.closed = true
	for uuid, w := range p.workers {
		w.cancel()
		delete(p.workers, uuid)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// settings are the parts of a mapping a worker acts on; a Sync that
// changes none of them (such as the replay at registration) is a no-op.
type settings struct {
	uuid, account, region string
	function, queueArn    string
	batchSize             int
	window                int64 // MaximumBatchingWindowInSeconds
	reportFailures        bool  // FunctionResponseTypes has ReportBatchItemFailures
	enabled               bool
	filters               string // FilterCriteria as JSON, "" for none (compared, then compiled by the worker)
}

func (s settings) equal(o settings) bool { return s == o }

func settingsOf(m lambda.EventSourceMapping) settings {
	s := settings{uuid: m.UUID, account: m.Account, region: m.Region, function: m.FunctionArn, queueArn: m.EventSourceArn,
		batchSize: 10, enabled: m.Enabled,
		reportFailures: slices.Contains(m.Config.FunctionResponseTypes, lambdaapi.FunctionResponseTypeReportBatchItemFailures)}
	if b := m.Config.BatchSize; b != nil && *b > 0 {
		s.batchSize = int(*b)
	}
	if w := m.Config.MaximumBatchingWindowInSeconds; w != nil && *w > 0 {
		s.window = *w
	}
	if fc := m.Config.FilterCriteria; fc != nil && len(fc.Filters) > 0 {
		b, _ := json.Marshal(fc)
		s.filters = string(b)
	}
	return s
}
