package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"

	"github.com/kiricloud/kiri/internal/request"
)

// Delivery of subscription filter matches. After a write commits, the
// events it stored are matched against the group's filters in the
// background, and each filter's matches are sent to its function as one
// asynchronous invocation (Lambda's retries and dead-letter queue apply)
// with the event AWS documents:
//
//	{"awslogs": {"data": base64(gzip(JSON message))}}
//
// where the message is
//
//	{"messageType": "DATA_MESSAGE", "owner": account, "logGroup": …,
//	 "logStream": …, "subscriptionFilters": [name],
//	 "logEvents": [{"id": eventId, "timestamp": ms, "message": …}]}
//
// The ids are the eventIds FilterLogEvents reports. A batch that would
// exceed Lambda's asynchronous payload limit is split in two, recursively.
//
// A function is never fed events of its own log group: AWS documents the
// infinite recursion this causes (Subscriptions-recursion-prevention) and
// prevents it for account-level subscription policies with a Lambda
// destination; kiri applies the same rule to group-level filters rather
// than invoking the function forever.

// maxDeliveryPayload is Lambda's limit on an asynchronous invocation's
// payload.
const maxDeliveryPayload = 1024 * 1024

// SetFunctions connects subscription filters to Lambda. Without it,
// PutSubscriptionFilter rejects Lambda destinations. Call it before the
// service is in use; logger receives delivery failures.
func (s *Service) SetFunctions(f FunctionInvoker, logger *slog.Logger) {
	s.functions = f
	if logger != nil {
		s.logger = logger
	}
}

// Close waits for the deliveries in flight; writes after it deliver
// nothing.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.inflight.Wait()
}

// Flush waits for the deliveries in flight, for tests.
func (s *Service) Flush() { s.inflight.Wait() }

// subscriptionMessage is the JSON CloudWatch Logs sends to a destination.
type subscriptionMessage struct {
	MessageType         string              `json:"messageType"`
	Owner               string              `json:"owner"`
	LogGroup            string              `json:"logGroup"`
	LogStream           string              `json:"logStream"`
	SubscriptionFilters []string            `json:"subscriptionFilters"`
	LogEvents           []subscriptionEvent `json:"logEvents"`
}

type subscriptionEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// batch is what one write hands to its group's subscription filters.
type batch struct {
	account, region, group, stream string
	events                         []storedEvent
	filters                        []*subscriptionRec
}

// pendingBatch reads, inside the write's transaction, the filters that
// the events just stored must go through; nil when there are none.
func (r *region) pendingBatch(group, stream string, events []storedEvent) (*batch, error) {
	if len(events) == 0 {
		return nil, nil
	}
	subs, err := r.subscriptions(group)
	if err != nil || len(subs) == 0 {
		return nil, err
	}
	return &batch{account: r.account, region: r.name, group: group, stream: stream, events: events, filters: subs}, nil
}

// deliver sends a committed batch on in the background.
func (s *Service) deliver(b *batch) {
	if b == nil || s.functions == nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.inflight.Done()
		s.deliverNow(b)
	}()
}

func (s *Service) deliverNow(b *batch) {
	ctx := request.With(context.Background(), &request.Info{Account: b.account, Region: b.region})
	for _, f := range b.filters {
		match, err := compilePattern(f.Pattern)
		if err != nil {
			continue // PutSubscriptionFilter accepted only valid patterns
		}
		var events []subscriptionEvent
		for _, e := range b.events {
			if match(e.Message) {
				events = append(events, subscriptionEvent{ID: e.Pos.String(), Timestamp: e.Pos.TS, Message: e.Message})
			}
		}
		if len(events) == 0 || arnPart(f.Destination, 2) != "lambda" {
			continue
		}
		if err := s.sendToFunction(ctx, b, f, events); err != nil {
			s.logger.Warn("logs: subscription filter delivery failed", "group", b.group, "filter", f.Name,
				"destination", f.Destination, "err", err)
		}
	}
}

func (s *Service) sendToFunction(ctx context.Context, b *batch, f *subscriptionRec, events []subscriptionEvent) error {
	own, err := s.functions.FunctionLogGroup(ctx, f.Destination)
	if err != nil {
		return err
	}
	if own == b.group {
		s.logger.Debug("logs: not delivering a function's own log events to it", "group", b.group, "filter", f.Name)
		return nil
	}
	msg := subscriptionMessage{MessageType: "DATA_MESSAGE", Owner: b.account, LogGroup: b.group, LogStream: b.stream,
		SubscriptionFilters: []string{f.Name}, LogEvents: events}
	payloads, err := subscriptionPayloads(msg, maxDeliveryPayload)
	if err != nil {
		return err
	}
	for _, p := range payloads {
		if err := s.functions.InvokeEvent(ctx, f.Destination, p); err != nil {
			return err
		}
	}
	return nil
}

// subscriptionPayloads encodes msg as Lambda events, splitting its events
// until each payload fits limit (or holds a single event).
func subscriptionPayloads(msg subscriptionMessage, limit int) ([][]byte, error) {
	p, err := encodeSubscription(msg)
	if err != nil || len(p) <= limit || len(msg.LogEvents) < 2 {
		return [][]byte{p}, err
	}
	half := len(msg.LogEvents) / 2
	first, second := msg, msg
	first.LogEvents, second.LogEvents = msg.LogEvents[:half], msg.LogEvents[half:]
	a, err := subscriptionPayloads(first, limit)
	if err != nil {
		return nil, err
	}
	b, err := subscriptionPayloads(second, limit)
	return append(a, b...), err
}

// encodeSubscription is the {"awslogs":{"data":…}} event for msg.
func encodeSubscription(msg subscriptionMessage) ([]byte, error) {
	var doc bytes.Buffer
	enc := json.NewEncoder(&doc)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(msg); err != nil {
		return nil, err
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	if _, err := zw.Write(bytes.TrimSuffix(doc.Bytes(), []byte("\n"))); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	type awslogs struct {
		Data string `json:"data"`
	}
	return json.Marshal(map[string]awslogs{"awslogs": {Data: base64.StdEncoding.EncodeToString(zipped.Bytes())}})
}
