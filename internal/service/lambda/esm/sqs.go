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
// whose event source is a queue. Each enabled mapping has a crew of
// workers (as many as its ScalingConfig.MaximumConcurrency, else five,
// the number of batches Lambda starts with); each receives a batch,
// invokes the function synchronously and waits for the outcome before
// the next. FIFO order holds across workers because SQS hands out no
// message of a group while another of it is in flight.
type SQSPoller struct {
	cfg SQSConfig

	mu     sync.Mutex
	crews  map[string]*crew // mapping UUID → its running workers
	closed bool
	wg     sync.WaitGroup
}

// defaultConcurrency is how many batches Lambda processes at once for an
// SQS mapping before it scales up (kiri does not scale further).
const defaultConcurrency = 5

// crew is the workers of one mapping.
type crew struct {
	settings settings
	workers  []*worker
	done     chan struct{} // closed once every worker has returned
}

// newCrew makes the workers of a mapping; they wait for prev (the crew
// they replace) to finish before polling.
func newCrew(cfg SQSConfig, s settings, prev <-chan struct{}) *crew {
	c := &crew{settings: s, done: make(chan struct{})}
	for range s.concurrency {
		c.workers = append(c.workers, newWorker(cfg, s, prev))
	}
	go func() {
		for _, w := range c.workers {
			<-w.done
		}
		close(c.done)
	}()
	return c
}

func (c *crew) cancel() {
	for _, w := range c.workers {
		w.cancel()
	}
}

var _ lambda.Poller = (*SQSPoller)(nil)

// NewSQS returns a poller ready to be registered with
// (*lambda.Service).RegisterPoller("sqs", p).
func NewSQS(cfg SQSConfig) *SQSPoller {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &SQSPoller{cfg: cfg, crews: map[string]*crew{}}
}

// Sync starts, restarts with new settings, or (Enabled false) stops the
// workers of m. It never blocks on a running batch: a replaced crew is
// cancelled and its successor waits for it to finish before polling, so
// two crews never deliver from the same mapping at once.
func (p *SQSPoller) Sync(m lambda.EventSourceMapping) {
	s := settingsOf(m)
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.crews[m.UUID]
	if p.closed || (old != nil && old.settings.equal(s)) {
		return
	}
	var prev <-chan struct{}
	if old != nil {
		old.cancel()
		prev = old.done
		delete(p.crews, m.UUID)
	}
	if !m.Enabled {
		return
	}
	c := newCrew(p.cfg, s, prev)
	p.crews[m.UUID] = c
	for _, w := range c.workers {
		p.wg.Go(w.run)
	}
}

// Remove stops the workers of a deleted mapping.
func (p *SQSPoller) Remove(uuid string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.crews[uuid]; c != nil {
		c.cancel()
		delete(p.crews, uuid)
	}
}

// Close stops every worker and waits for them to return. A batch being
// invoked is abandoned; its messages reappear after their visibility
// timeout, as they would after a crash.
func (p *SQSPoller) Close() {
	p.mu.Lock()
	p.closed = true
	for uuid, c := range p.crews {
		c.cancel()
		delete(p.crews, uuid)
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
	concurrency           int    // workers: ScalingConfig.MaximumConcurrency or defaultConcurrency
}

func (s settings) equal(o settings) bool { return s == o }

func settingsOf(m lambda.EventSourceMapping) settings {
	s := settings{uuid: m.UUID, account: m.Account, region: m.Region, function: m.FunctionArn, queueArn: m.EventSourceArn,
		batchSize: 10, enabled: m.Enabled, concurrency: defaultConcurrency,
		reportFailures: slices.Contains(m.Config.FunctionResponseTypes, lambdaapi.FunctionResponseTypeReportBatchItemFailures)}
	if b := m.Config.BatchSize; b != nil && *b > 0 {
		s.batchSize = int(*b)
	}
	if w := m.Config.MaximumBatchingWindowInSeconds; w != nil && *w > 0 {
		s.window = *w
	}
	if sc := m.Config.ScalingConfig; sc != nil && sc.MaximumConcurrency != nil && *sc.MaximumConcurrency > 0 {
		s.concurrency = int(*sc.MaximumConcurrency)
	}
	if fc := m.Config.FilterCriteria; fc != nil && len(fc.Filters) > 0 {
		b, _ := json.Marshal(fc)
		s.filters = string(b)
	}
	return s
}
