package lambda

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
	"github.com/kiricloud/kiri/internal/store"
)

// Destinations receive the outcome of asynchronous invocations that have
// somewhere to go: a failure (retries exhausted, or the event grew older
// than its maximum age) goes to the function's DeadLetterConfig target and
// its EventInvokeConfig OnFailure destination, a success to its OnSuccess
// destination. kiri's app implements it over SQS, SNS and Lambda.
type Destinations interface {
	Deliver(ctx context.Context, ev AsyncOutcome) error
}

// AsyncOutcome is the end of an asynchronous invocation.
type AsyncOutcome struct {
	Account, Region string
	FunctionArn     string // as invoked: unqualified, version or alias ARN
	RequestID       string
	Payload         []byte
	Attempts        int
	Condition       string // "Success", "RetriesExhausted" or "EventAgeExceeded", as Lambda's destination records say
	ErrorCode       string // failures: "Unhandled" for function errors, else the engine's error
	ErrorMessage    string
	Response        []byte // successes: what the function returned
	DeadLetterArn   string // failures: the function's DeadLetterConfig.TargetArn, "" if none
	Destination     string // the OnSuccess or OnFailure destination, "" if none
}

// asyncEvent is one queued asynchronous invocation. It is stored before
// Invoke answers 202 and deleted only once it succeeded or failed for good,
// so a restart re-runs what was pending (at-least-once, as on AWS).
type asyncEvent struct {
	ID        string    `json:"id"`
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	Name      string    `json:"name"`
	Qualifier string    `json:"qualifier,omitempty"`
	Payload   []byte    `json:"payload"`
	RequestID string    `json:"requestId"`
	Enqueued  time.Time `json:"enqueued"`
	NextAt    time.Time `json:"nextAt"`
	Attempts  int       `json:"attempts"`  // failed runs
	Throttles int       `json:"throttles"` // throttled runs, retried without counting as attempts
}

// globalNS is the account-less namespace of the queue and the event source
// mappings, so that one scan finds every account's.
var globalNS = store.NS("lambda", "", "")

func queueKey(id string) []byte { return globalNS.Key("async", id) }

// enqueue stores an Event invocation of an existing function.
func (s *Service) enqueue(ctx context.Context, ref fnRef, payload []byte) error {
	id := requestID(ctx)
	now := s.now()
	// The key sorts by time so that older events are tried first.
	ev := asyncEvent{ID: now.UTC().Format("20060102T150405.000000000") + "-" + id, Account: ref.account, Region: ref.region,
		Name: ref.name, Qualifier: ref.qualifier, Payload: payload, RequestID: id, Enqueued: now, NextAt: now}
	err := s.st.Update(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		return store.PutJSON(tx, queueKey(ev.ID), &ev)
	})
	if err == nil {
		s.async.poke()
	}
	return err
}

// asyncWorker runs queued events, each in its own goroutine (AWS dequeues
// in parallel and does not keep order).
type asyncWorker struct {
	s      *Service
	wake   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	running map[string]bool
}

func newAsyncWorker(s *Service) *asyncWorker {
	ctx, cancel := context.WithCancel(context.Background())
	return &asyncWorker{s: s, wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel, running: map[string]bool{}}
}

func (w *asyncWorker) start() {
	w.wg.Add(1)
	go w.loop()
}

func (w *asyncWorker) stop() {
	w.cancel()
	w.wg.Wait()
}

func (w *asyncWorker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// idlePoll bounds a wait so that a clock the service does not own (tests,
// kiri's virtual clock) is noticed.
const idlePoll = time.Second

func (w *asyncWorker) loop() {
	defer w.wg.Done()
	for {
		wait := min(w.dispatch(), idlePoll)
		timer := time.NewTimer(max(wait, 0))
		select {
		case <-w.ctx.Done():
			timer.Stop()
			return
		case <-w.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// dispatch starts the due events and tells how long until the next one.
func (w *asyncWorker) dispatch() time.Duration {
	now := w.s.now()
	wait := idlePoll
	var due []asyncEvent
	err := w.s.st.View(func(tx store.Tx) error {
		return tx.Scan(globalNS.Prefix("async"), nil, func(_, v []byte) error {
			var ev asyncEvent
			if err := jsonDecode(v, &ev); err != nil {
				return nil // a record kiri cannot read must not stop the queue
			}
			if d := ev.NextAt.Sub(now); d > 0 {
				wait = min(wait, d)
				return nil
			}
			due = append(due, ev)
			return nil
		})
	})
	if err != nil {
		w.s.log.Error("lambda: scan async queue", "err", err)
	}
	for _, ev := range due {
		if w.claim(ev.ID) {
			w.wg.Add(1)
			go w.run(ev)
		}
	}
	return wait
}

func (w *asyncWorker) claim(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running[id] || w.ctx.Err() != nil {
		return false
	}
	w.running[id] = true
	return true
}

func (w *asyncWorker) release(id string) {
	w.mu.Lock()
	delete(w.running, id)
	w.mu.Unlock()
	w.poke() // its retry may already be due
}

// run makes one attempt and records its outcome.
func (w *asyncWorker) run(ev asyncEvent) {
	defer w.wg.Done()
	defer w.release(ev.ID)
	s := w.s
	ref := fnRef{scope: scope{account: ev.Account, region: ev.Region}, name: ev.Name, qualifier: ev.Qualifier}
	t, err := s.target(ref)
	if err != nil {
		s.log.Warn("lambda: dropping asynchronous event of a missing function", "function", ref.qualifiedArn(), "requestId", ev.RequestID, "err", err)
		w.remove(ev.ID)
		return
	}
	if _, maxAge, dest := w.policy(t); s.now().Sub(ev.Enqueued) >= maxAge {
		// Queued across a long shutdown: too old to run, as on AWS.
		w.giveUp(ev, t, runtime.Result{}, errors.New("event too old"), dest, "EventAgeExceeded")
		return
	}
	ctx := request.With(w.ctx, &request.Info{ID: ev.RequestID, Service: "lambda", Operation: "Invoke", Account: ev.Account, Region: ev.Region})
	res, err := s.invoker.Invoke(ctx, s.runtimeFunction(t), runtime.Invocation{RequestID: ev.RequestID, Payload: ev.Payload})
	if w.ctx.Err() != nil {
		return // shutting down: the attempt does not count and the event stays queued
	}
	if err == nil && res.FunctionError == "" {
		w.succeeded(ev, t, res)
		w.remove(ev.ID)
		return
	}
	w.failed(ev, t, res, err)
}

// succeeded sends the result to the OnSuccess destination, if there is one.
func (w *asyncWorker) succeeded(ev asyncEvent, t *target, res runtime.Result) {
	s := w.s
	if s.cfg.Destinations == nil {
		return
	}
	_, _, dest := w.policy(t)
	if dest == nil || dest.OnSuccess == nil || api.Deref(dest.OnSuccess.Destination) == "" {
		return
	}
	out := AsyncOutcome{Account: ev.Account, Region: ev.Region, FunctionArn: t.ref.qualifiedArn(), RequestID: ev.RequestID,
		Payload: ev.Payload, Attempts: ev.Attempts + ev.Throttles + 1, Condition: "Success", Response: res.Payload,
		Destination: api.Deref(dest.OnSuccess.Destination)}
	if err := s.cfg.Destinations.Deliver(w.ctx, out); err != nil {
		s.log.Error("lambda: deliver asynchronous result", "requestId", ev.RequestID, "err", err)
	}
}

// failed schedules a retry or gives the event up.
func (w *asyncWorker) failed(ev asyncEvent, t *target, res runtime.Result, err error) {
	s := w.s
	retries, maxAge, dest := w.policy(t)
	now := s.now()
	var delay time.Duration
	if errors.Is(err, runtime.ErrThrottled) {
		// Throttles are retried with growing back-off until the event is too old.
		ev.Throttles++
		delay = min(s.cfg.RetryDelay<<min(ev.Throttles-1, 8), 5*time.Minute)
	} else {
		ev.Attempts++
		delay = time.Duration(ev.Attempts) * s.cfg.RetryDelay
	}
	switch {
	case now.Sub(ev.Enqueued) >= maxAge || now.Add(delay).Sub(ev.Enqueued) > maxAge:
		w.giveUp(ev, t, res, err, dest, "EventAgeExceeded")
	case ev.Attempts > retries:
		w.giveUp(ev, t, res, err, dest, "RetriesExhausted")
	default:
		ev.NextAt = now.Add(delay)
		if perr := s.st.Update(func(tx store.Tx) error { return store.PutJSON(tx, queueKey(ev.ID), &ev) }); perr != nil {
			s.log.Error("lambda: reschedule asynchronous event", "requestId", ev.RequestID, "err", perr)
		}
	}
}

// policy is the retry policy of the version or alias invoked.
func (w *asyncWorker) policy(t *target) (retries int, maxAge time.Duration, dest *lambdaapi.DestinationConfig) {
	_ = w.s.st.View(func(tx store.Tx) error {
		retries, maxAge, dest = asyncPolicy(tx, t.ref)
		return nil
	})
	return retries, maxAge, dest
}

func (w *asyncWorker) giveUp(ev asyncEvent, t *target, res runtime.Result, err error, dest *lambdaapi.DestinationConfig, condition string) {
	s := w.s
	fe := AsyncOutcome{Account: ev.Account, Region: ev.Region, FunctionArn: t.ref.qualifiedArn(), RequestID: ev.RequestID,
		Payload: ev.Payload, Attempts: ev.Attempts + ev.Throttles, Condition: condition, DeadLetterArn: t.cfg.DeadLetter}
	if err != nil {
		fe.ErrorCode, fe.ErrorMessage = "ServiceException", err.Error()
	} else {
		fe.ErrorCode, fe.ErrorMessage = res.FunctionError, string(res.Payload)
	}
	if dest != nil && dest.OnFailure != nil {
		fe.Destination = api.Deref(dest.OnFailure.Destination)
	}
	if s.cfg.Destinations != nil {
		if derr := s.cfg.Destinations.Deliver(w.ctx, fe); derr != nil {
			s.log.Error("lambda: deliver failed asynchronous event", "requestId", ev.RequestID, "err", derr)
		}
	} else {
		s.log.Warn("lambda: asynchronous invocation failed, event dropped", "function", fe.FunctionArn, "requestId", ev.RequestID,
			"condition", condition, "errorCode", fe.ErrorCode, "attempts", fe.Attempts)
	}
	w.remove(ev.ID)
}

func (w *asyncWorker) remove(id string) {
	if err := w.s.st.Update(func(tx store.Tx) error { return tx.Delete(queueKey(id)) }); err != nil {
		w.s.log.Error("lambda: remove asynchronous event", "id", id, "err", err)
	}
}
