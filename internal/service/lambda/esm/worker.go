package esm

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/pattern"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/service/lambda"
)

// Backoff bounds after a failed call (queue missing, function missing,
// throttled): short enough that a fix is noticed soon, long enough not to
// spin.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// maxWait is SQS's longest long poll, which Lambda's pollers use.
const maxWait = 20

// maxPayload is Invoke's synchronous payload limit. Lambda closes a batch
// at this size whatever BatchSize says.
const maxPayload = 6 << 20

// worker polls one mapping's queue.
type worker struct {
	cfg      SQSConfig
	settings settings
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}   // closed when run returns
	prev     <-chan struct{} // the replaced worker's done, nil if none
	backoff  time.Duration
	filters  []*pattern.Pattern // the mapping's FilterCriteria; nil: every message goes
}

func newWorker(cfg SQSConfig, s settings, prev <-chan struct{}) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{cfg: cfg, settings: s, ctx: ctx, cancel: cancel, done: make(chan struct{}), prev: prev}
	if s.filters != "" {
		var fc lambdaapi.FilterCriteria
		err := json.Unmarshal([]byte(s.filters), &fc)
		if err == nil {
			w.filters, err = lambda.CompileFilters(&fc)
		}
		if err != nil {
			// Validated when the mapping was stored; this is a bug.
			cfg.Logger.Error("lambda esm: filter criteria", "mapping", s.uuid, "error", err)
		}
	}
	return w
}

func (w *worker) run() {
	defer close(w.done)
	if w.prev != nil {
		select {
		case <-w.prev:
		case <-w.ctx.Done():
			return
		}
	}
	url, ok := w.queueURL()
	for ok && w.ctx.Err() == nil {
		batch, err := w.collect(url)
		if err != nil {
			w.logError("receive", err)
		}
		batch, dropped := w.filter(batch)
		// Messages no filter matches are deleted unseen, as Lambda does.
		w.delete(url, dropped)
		if len(batch) > 0 {
			w.deliver(url, batch)
		}
		if err != nil {
			w.pause()
		}
	}
}

// scoped is ctx acting in the mapping's account and region, as a fresh
// request so each call has its own request id.
func (w *worker) scoped() context.Context {
	return request.With(w.ctx, &request.Info{ID: request.NewID(), Account: w.settings.account, Region: w.settings.region})
}

// queueURL resolves the mapping's queue ARN to its URL, retrying until the
// queue exists or the worker stops (a mapping may outlive its queue, or be
// replayed at startup before anything else).
func (w *worker) queueURL() (string, bool) {
	region, account, name, ok := splitQueueArn(w.settings.queueArn)
	if !ok {
		w.cfg.Logger.Warn("lambda esm: not an SQS queue ARN", "mapping", w.settings.uuid, "arn", w.settings.queueArn)
		return "", false
	}
	for w.ctx.Err() == nil {
		ctx := request.With(w.ctx, &request.Info{ID: request.NewID(), Account: account, Region: region})
		out, err := w.cfg.SQS.GetQueueUrl(ctx, &sqsapi.GetQueueUrlRequest{QueueName: &name, QueueOwnerAWSAccountId: &account})
		if err == nil && out.QueueUrl != nil {
			w.backoff = 0
			return *out.QueueUrl, true
		}
		w.logError("resolve queue", err)
		w.pause()
	}
	return "", false
}

// splitQueueArn splits arn:aws:sqs:<region>:<account>:<name>.
func splitQueueArn(arn string) (region, account, name string, ok bool) {
	p := strings.Split(arn, ":")
	if len(p) != 6 || p[0] != "arn" || p[2] != "sqs" || p[5] == "" {
		return "", "", "", false
	}
	return p[3], p[4], p[5], true
}

// collect long-polls for a first message, then keeps receiving until the
// batch is full or the batching window (counted from the first message)
// ends. Without a window it returns the first receive's messages, as
// Lambda does. Messages received before an error are returned with it.
func (w *worker) collect(url string) ([]sqsapi.Message, error) {
	batch, err := w.receive(url, w.settings.batchSize, maxWait)
	if err != nil || len(batch) == 0 || w.settings.window == 0 {
		return batch, err
	}
	deadline := time.Now().Add(time.Duration(w.settings.window) * time.Second)
	for len(batch) < w.settings.batchSize && bodySize(batch) < maxPayload && w.ctx.Err() == nil {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		// Whole seconds, rounded up so the last poll still waits.
		wait := min(int64((left+time.Second-1)/time.Second), maxWait)
		more, err := w.receive(url, w.settings.batchSize-len(batch), wait)
		batch = append(batch, more...)
		if err != nil {
			return batch, err
		}
	}
	return batch, nil
}

func bodySize(batch []sqsapi.Message) int {
	n := 0
	for _, m := range batch {
		n += len(api.Deref(m.Body))
	}
	return n
}

func (w *worker) receive(url string, want int, wait int64) ([]sqsapi.Message, error) {
	out, err := w.cfg.SQS.ReceiveMessage(w.scoped(), &sqsapi.ReceiveMessageRequest{
		QueueUrl: &url, MaxNumberOfMessages: api.Ptr(int64(min(want, 10))), WaitTimeSeconds: &wait,
		AttributeNames: []string{"All"}, MessageSystemAttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"},
	})
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// deliver invokes the function with batch and deletes what it processed.
// Messages it did not process are left alone: they reappear after their
// visibility timeout, and the queue's redrive policy counts the receives.
func (w *worker) deliver(url string, batch []sqsapi.Message) {
	payload, err := sqsEvent(batch, w.settings.queueArn)
	if err != nil {
		w.logError("build event", err)
		return
	}
	if len(payload) > maxPayload && len(batch) > 1 {
		// Too big for one invoke (JSON escaping and record overhead can
		// push a batch past the limit): deliver it in halves, in order.
		w.deliver(url, batch[:len(batch)/2])
		w.deliver(url, batch[len(batch)/2:])
		return
	}
	out, err := w.invoke(payload)
	if err != nil {
		w.logError("invoke", err)
		w.pause()
		return
	}
	w.backoff = 0
	done := processed(batch, out, w.settings.reportFailures)
	if len(done) < len(batch) {
		w.cfg.Logger.Debug("lambda esm: batch not fully processed", "mapping", w.settings.uuid,
			"failed", len(batch)-len(done), "functionError", api.Deref(out.FunctionError))
	}
	w.delete(url, done)
}

// filter splits batch into the messages some filter of the mapping matches
// and those none does. A message is matched as its event record, with a
// body that is valid JSON seen as that JSON (so patterns can look into it)
// and any other body as a string.
func (w *worker) filter(batch []sqsapi.Message) (keep, dropped []sqsapi.Message) {
	if len(w.filters) == 0 {
		return batch, nil
	}
	for _, m := range batch {
		record := recordForFilter(m, w.settings.queueArn)
		if slices.ContainsFunc(w.filters, func(p *pattern.Pattern) bool { return p.MatchValue(record) }) {
			keep = append(keep, m)
		} else {
			dropped = append(dropped, m)
		}
	}
	return keep, dropped
}

// invoke calls the function synchronously. A throttle is retried with
// backoff for the same batch: it is not the function's failure, so it must
// not count as a receive toward the dead-letter queue.
func (w *worker) invoke(payload []byte) (*lambdaapi.InvocationResponse, error) {
	for {
		out, err := w.cfg.Lambda.Invoke(w.scoped(), &lambdaapi.InvocationRequest{
			FunctionName: &w.settings.function, InvocationType: api.Ptr(lambdaapi.InvocationTypeRequestResponse), Payload: payload,
		})
		if !isThrottle(err) {
			return out, err
		}
		w.pause()
		if w.ctx.Err() != nil {
			return nil, w.ctx.Err()
		}
	}
}

func isThrottle(err error) bool {
	var perr *protocol.Error
	return errors.As(err, &perr) && (perr.Type == "TooManyRequestsException" || perr.WireCode() == "TooManyRequestsException")
}

// delete removes msgs from the queue, ten at a time (SQS's batch limit).
func (w *worker) delete(url string, msgs []sqsapi.Message) {
	for chunk := range chunks(msgs, 10) {
		entries := make([]sqsapi.DeleteMessageBatchRequestEntry, len(chunk))
		for i, m := range chunk {
			entries[i] = sqsapi.DeleteMessageBatchRequestEntry{Id: api.Ptr(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		}
		out, err := w.cfg.SQS.DeleteMessageBatch(w.scoped(), &sqsapi.DeleteMessageBatchRequest{QueueUrl: &url, Entries: entries})
		if err != nil {
			w.logError("delete", err)
		} else if len(out.Failed) > 0 {
			// Typically an expired receipt handle: the function outran the
			// visibility timeout and the message will be delivered again.
			w.cfg.Logger.Warn("lambda esm: messages not deleted", "mapping", w.settings.uuid, "count", len(out.Failed))
		}
	}
}

func chunks[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

// pause waits the current backoff (doubling it for next time) or until
// the worker stops.
func (w *worker) pause() {
	w.backoff = min(max(2*w.backoff, minBackoff), maxBackoff)
	t := time.NewTimer(w.backoff)
	defer t.Stop()
	select {
	case <-t.C:
	case <-w.ctx.Done():
	}
}

func (w *worker) logError(what string, err error) {
	if err != nil && w.ctx.Err() == nil {
		w.cfg.Logger.Warn("lambda esm: "+what+" failed", "mapping", w.settings.uuid, "source", w.settings.queueArn, "error", err)
	}
}
