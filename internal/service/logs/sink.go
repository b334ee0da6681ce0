package logs

import (
	"cmp"
	"context"
	"slices"

	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
)

// PutLogs implements runtime.LogSink: it stores a Lambda environment's log
// lines, creating the group and the stream on first use as the Lambda
// service does on AWS. Lines are stored in time order; unlike
// PutLogEvents there are no batch limits, since the engine, not a client,
// produced them. Subscription filters of the group see them as they see
// PutLogEvents batches.
func (s *Service) PutLogs(_ context.Context, account, reg, group, stream string, events []runtime.LogEvent) error {
	in := make([]inEvent, len(events))
	for i, e := range events {
		in[i] = inEvent{TS: e.Time.UnixMilli(), Message: e.Message}
	}
	slices.SortStableFunc(in, func(a, b inEvent) int { return cmp.Compare(a.TS, b.TS) })
	var pending *batch
	err := s.updateIn(account, reg, func(r *region) error {
		g, err := r.ensureGroup(group)
		if err != nil {
			return err
		}
		st, err := r.ensureStream(group, stream)
		if err != nil {
			return err
		}
		stored, err := r.appendEvents(g, st, in)
		if err != nil {
			return err
		}
		pending, err = r.pendingBatch(group, stream, stored)
		return err
	})
	if err == nil {
		s.deliver(pending)
	}
	return err
}

// LogGroupExists implements runtime.GroupChecker: the engine asks it when
// a function's role may write its stream but not create its group.
func (s *Service) LogGroupExists(account, reg, group string) (bool, error) {
	found := false
	err := s.viewIn(account, reg, func(r *region) error {
		g, err := r.group(group)
		found = g != nil
		return err
	})
	return found, err
}

// ReadStream returns a stream's events in time order, for tests and for
// other services inside kiri. A missing group or stream is a
// ResourceNotFoundException.
func (s *Service) ReadStream(account, reg, group, stream string) ([]runtime.LogEvent, error) {
	var out []runtime.LogEvent
	err := s.viewIn(account, reg, func(r *region) error {
		if _, err := r.mustGroup(group); err != nil {
			return err
		}
		if _, err := r.mustStream(group, stream); err != nil {
			return err
		}
		return r.scanStream(group, stream, position{}, func(e storedEvent) error {
			out = append(out, runtime.LogEvent{Time: timeOfMillis(e.Pos.TS), Message: e.Message})
			return nil
		})
	})
	return out, err
}

// Messages is ReadStream's messages alone.
func (s *Service) Messages(account, reg, group, stream string) ([]string, error) {
	events, err := s.ReadStream(account, reg, group, stream)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Message
	}
	return out, nil
}

func (r *region) ensureGroup(name string) (*groupRec, error) {
	g, err := r.group(name)
	if err != nil || g != nil {
		return g, err
	}
	g = &groupRec{Name: name, Created: r.now, Class: logsapi.LogGroupClassStandard}
	return g, r.putGroup(g)
}

func (r *region) ensureStream(group, name string) (*streamRec, error) {
	st, err := r.stream(group, name)
	if err != nil || st != nil {
		return st, err
	}
	st = &streamRec{Name: name, Created: r.now}
	return st, r.putStream(group, st)
}
