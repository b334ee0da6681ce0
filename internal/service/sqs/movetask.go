package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// Message move tasks: the dead-letter-queue redrive API (StartMessageMoveTask,
// ListMessageMoveTasks, CancelMessageMoveTask) that the console's "Start DLQ
// redrive" uses.
//
// A task moves the messages of a dead-letter queue (the source: a queue
// that some queue's RedrivePolicy names) to DestinationArn or, without
// one, each back to the queue it was dead-lettered from (its
// DeadLetterQueueSourceArn). It runs in a goroutine tied to the service's
// lifetime and moves one message per store transaction — delete from the
// source and write to the destination together — so a crash neither loses
// nor duplicates a message. With MaxNumberOfMessagesPerSecond it moves at
// that rate, else as fast as the store allows.
//
// What a task moves: the messages in the source when it started (the queue's
// message counter then is the task's high-water mark; ApproximateNumberOfMessagesToMove
// counts them). Messages in flight are skipped until they become visible
// again; a message deleted by a consumer meanwhile is simply not moved. The
// task completes when none of those messages is left in the source.
//
// A moved message is a new message in the destination, as AWS's developer
// guide says of redriven messages: a new MessageId, a new SentTimestamp (so
// its retention starts again), receive count zero and no
// DeadLetterQueueSourceArn. Body, message attributes, AWSTraceHeader and
// SenderId are kept; in a FIFO destination so are MessageGroupId and
// MessageDeduplicationId, and it gets a new SequenceNumber. kiri's choice:
// a redriven message bypasses the destination's deduplication window (it
// must not be dropped as a duplicate of itself) and gets the destination's
// DelaySeconds, as a send without DelaySeconds would.
//
// Durability: tasks are stored. A task RUNNING (or CANCELLING) when kiri
// stopped is resumed when the service starts again (kiri's choice; AWS does
// not say), found through an index of active tasks kept outside the
// per-region namespaces.
//
// Key layout (besides state.go's):
//
//	("movetask", queue, seq)  in ("sqs", account, region) → moveTask; seq counts the queue's tasks
//	("active", account, region, queue, seq)  in ("sqs", "", "") → task ID, while RUNNING or CANCELLING

// Task statuses, as AWS names them.
const (
	taskRunning    = "RUNNING"
	taskCompleted  = "COMPLETED"
	taskCancelling = "CANCELLING"
	taskCancelled  = "CANCELLED"
	taskFailed     = "FAILED"
)

// keepTasks is how many tasks per source queue are kept: as many as
// ListMessageMoveTasks can return.
const keepTasks = 10

// moveTask is a stored message move task.
type moveTask struct {
	ID      string `json:"id"`
	Source  string `json:"source"`         // ARN
	Dest    string `json:"dest,omitempty"` // ARN; "" sends each message back to its DeadLetterQueueSourceArn
	Rate    int64  `json:"rate,omitempty"` // messages per second; 0: as fast as possible
	Status  string `json:"status"`
	Moved   int64  `json:"moved"`
	ToMove  int64  `json:"tomove"`
	Failure string `json:"failure,omitempty"`
	Started int64  `json:"started"` // ms
	Until   string `json:"until"`   // the source's last message key when the task started
}

// activeNS holds the index of active tasks across accounts and regions.
var activeNS = store.NS("sqs", "", "")

// taskRef locates a stored task.
type taskRef struct {
	queue queueRef
	seq   string
	id    string
}

func (t taskRef) activeKey() []byte {
	return activeNS.Key("active", t.queue.account, t.queue.region, t.queue.name, t.seq)
}

func (q queueRef) arn() string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", q.region, q.account, q.name)
}

// taskHandle is what a TaskHandle encodes: the task and its source queue.
// The format is kiri's own (AWS's handle is opaque).
type taskHandle struct {
	TaskID    string `json:"taskId"`
	SourceArn string `json:"sourceArn"`
}

func encodeTaskHandle(t *moveTask) string {
	b, _ := json.Marshal(taskHandle{TaskID: t.ID, SourceArn: t.Source})
	return base64.StdEncoding.EncodeToString(b)
}

func decodeTaskHandle(s string) (taskHandle, queueRef, bool) {
	var h taskHandle
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &h) != nil || h.TaskID == "" {
		return h, queueRef{}, false
	}
	ref, ok := parseArn(h.SourceArn)
	return h, ref, ok
}

// Errors. The messages of errSourceNotFound, errDestNotFound, errNotDLQ,
// errTaskRunning, errBadTaskHandle and errNoTask are AWS's, as recorded
// against AWS by LocalStack's snapshot tests; AWS documents none of them.
// The others are kiri's own wording.

func errSourceNotFound() error {
	return sqsapi.NewResourceNotFoundException("The resource that you specified for the SourceArn parameter doesn't exist.")
}

func errDestNotFound() error {
	return sqsapi.NewResourceNotFoundException("The resource that you specified for the DestinationArn parameter doesn't exist.")
}

func errNotDLQ() error {
	return errParam("Source queue must be configured as a Dead Letter Queue.")
}

func errTaskRunning() error {
	return errParam("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
}

func errBadTaskHandle() error { return errParam("Value for parameter TaskHandle is invalid.") }

func errNoTask() error { return sqsapi.NewResourceNotFoundException("Task does not exist.") }

// StartMessageMoveTask starts moving the messages of a dead-letter queue.
func (s *Service) StartMessageMoveTask(ctx context.Context, in *sqsapi.StartMessageMoveTaskRequest) (*sqsapi.StartMessageMoveTaskResult, error) {
	src, dest, rate, err := moveTaskInput(in)
	if err != nil {
		return nil, err
	}
	task := &moveTask{ID: request.NewID(), Source: src.arn(), Rate: rate, Status: taskRunning}
	var ref taskRef
	err = s.st.Update(func(tx store.Tx) error {
		r := s.open(tx, src.account, src.region)
		q, err := r.queue(src.name)
		if err != nil {
			return err
		}
		if q == nil {
			return errSourceNotFound()
		}
		if isDLQ, err := r.isDeadLetterQueue(q); err != nil || !isDLQ {
			if err == nil {
				err = errNotDLQ()
			}
			return err
		}
		if dest != nil {
			if err := s.checkMoveDestination(tx, src, *dest, q); err != nil {
				return err
			}
			task.Dest = dest.arn()
		}
		ref, err = r.startTask(q, task)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.runTask(ref)
	return &sqsapi.StartMessageMoveTaskResult{TaskHandle: api.Ptr(encodeTaskHandle(task))}, nil
}

// moveTaskInput checks StartMessageMoveTask's parameters; dest is nil
// without a DestinationArn, and rate 0 without a rate.
func moveTaskInput(in *sqsapi.StartMessageMoveTaskRequest) (src queueRef, dest *queueRef, rate int64, err error) {
	srcArn, destArn := api.Deref(in.SourceArn), api.Deref(in.DestinationArn)
	src, ok := parseArn(srcArn)
	if !ok {
		return src, nil, 0, errParamValue(srcArn, "SourceArn", "Invalid ARN") // kiri's wording
	}
	if destArn != "" {
		d, ok := parseArn(destArn)
		if !ok {
			return src, nil, 0, errParamValue(destArn, "DestinationArn", "Invalid ARN") // kiri's wording
		}
		dest = &d
	}
	if in.MaxNumberOfMessagesPerSecond != nil {
		if rate = *in.MaxNumberOfMessagesPerSecond; rate < 1 || rate > 500 {
			// kiri's wording; AWS documents only the maximum of 500.
			return src, nil, 0, errParamValue(rate, "MaxNumberOfMessagesPerSecond", "Must be between 1 and 500, if provided")
		}
	}
	return src, dest, rate, nil
}

// checkMoveDestination checks that a task's destination exists, is not
// its source and is of the source queue q's type.
func (s *Service) checkMoveDestination(tx store.Tx, src, dest queueRef, q *queueRec) error {
	d, err := s.open(tx, dest.account, dest.region).queue(dest.name)
	if err != nil {
		return err
	}
	if d == nil {
		return errDestNotFound()
	}
	if dest == src {
		return errParamValue(dest.arn(), "DestinationArn", "The destination queue must differ from the source queue") // kiri's wording
	}
	if d.fifo() != q.fifo() {
		// The developer guide: the destination must be the same type as the dead-letter queue.
		return errParamValue(dest.arn(), "DestinationArn", "The destination queue must be of the same type (standard or FIFO) as the source queue") // kiri's wording
	}
	return nil
}

// startTask stores task as q's newest task, unless one is still active,
// keeping the newest keepTasks tasks, and marks it active.
func (r *region) startTask(q *queueRec, task *moveTask) (taskRef, error) {
	tasks, err := r.tasks(q.Name)
	if err != nil {
		return taskRef{}, err
	}
	for _, t := range tasks {
		if t.Status == taskRunning || t.Status == taskCancelling {
			return taskRef{}, errTaskRunning()
		}
	}
	task.Started, task.Until = r.now, seqKey(q.Seq)
	if task.ToMove, err = r.countMessages(q, task.Until); err != nil {
		return taskRef{}, err
	}
	q.MoveSeq++
	ref := taskRef{queue: r.ref(q.Name), seq: seqKey(q.MoveSeq), id: task.ID}
	if err := store.PutJSON(r.tx, r.ns.Key("movetask", q.Name, ref.seq), task); err != nil {
		return taskRef{}, err
	}
	for i := 0; i+keepTasks-1 < len(tasks); i++ {
		if err := r.tx.Delete(r.ns.Key("movetask", q.Name, tasks[i].seq)); err != nil {
			return taskRef{}, err
		}
	}
	if err := r.tx.Put(ref.activeKey(), []byte(task.ID)); err != nil {
		return taskRef{}, err
	}
	return ref, r.putQueue(q)
}

// ListMessageMoveTasks lists the most recent tasks of a source queue,
// newest first: MaxResults of them (1 to 10), 1 by default.
func (s *Service) ListMessageMoveTasks(ctx context.Context, in *sqsapi.ListMessageMoveTasksRequest) (*sqsapi.ListMessageMoveTasksResult, error) {
	srcArn := api.Deref(in.SourceArn)
	src, ok := parseArn(srcArn)
	if !ok {
		return nil, errParamValue(srcArn, "SourceArn", "Invalid ARN") // kiri's wording
	}
	limit := int64(1)
	if in.MaxResults != nil {
		if limit = *in.MaxResults; limit < 1 || limit > 10 {
			return nil, errParamValue(limit, "MaxResults", "Must be between 1 and 10, if provided") // kiri's wording
		}
	}
	out := &sqsapi.ListMessageMoveTasksResult{Results: []sqsapi.ListMessageMoveTasksResultEntry{}}
	err := s.viewIn(src.account, src.region, func(r *region) error {
		tasks, err := r.sourceTasks(src.name)
		if err != nil {
			return err
		}
		for i := len(tasks) - 1; i >= 0 && int64(len(out.Results)) < limit; i-- {
			out.Results = append(out.Results, tasks[i].entry())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// entry is a task as ListMessageMoveTasks shows it: the handle only while
// it runs, the destination and rate only when the request gave them, the
// failure reason only when it failed.
func (t *moveTask) entry() sqsapi.ListMessageMoveTasksResultEntry {
	e := sqsapi.ListMessageMoveTasksResultEntry{
		Status: api.Ptr(t.Status), SourceArn: api.Ptr(t.Source), DestinationArn: optional(t.Dest),
		ApproximateNumberOfMessagesMoved: api.Ptr(t.Moved), ApproximateNumberOfMessagesToMove: api.Ptr(t.ToMove),
		StartedTimestamp: api.Ptr(t.Started),
	}
	if t.Status == taskRunning {
		e.TaskHandle = api.Ptr(encodeTaskHandle(t))
	}
	if t.Rate > 0 {
		e.MaxNumberOfMessagesPerSecond = api.Ptr(t.Rate)
	}
	if t.Status == taskFailed {
		e.FailureReason = optional(t.Failure)
	}
	return e
}

// CancelMessageMoveTask cancels a running task: it turns CANCELLING at once
// and CANCELLED when the mover notices, before moving another message.
// Messages already moved stay moved.
func (s *Service) CancelMessageMoveTask(ctx context.Context, in *sqsapi.CancelMessageMoveTaskRequest) (*sqsapi.CancelMessageMoveTaskResult, error) {
	h, src, ok := decodeTaskHandle(api.Deref(in.TaskHandle))
	if !ok {
		return nil, errBadTaskHandle()
	}
	var moved int64
	err := s.updateIn(src.account, src.region, func(r *region) error {
		tasks, err := r.sourceTasks(src.name)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(tasks, func(t storedTask) bool { return t.ID == h.TaskID })
		// kiri's choice: a task that is no longer RUNNING has no handle any
		// more (ListMessageMoveTasks stops showing it), so cancelling it
		// answers as for an unknown task. AWS only says a task can be
		// cancelled while RUNNING.
		if i < 0 || tasks[i].Status != taskRunning {
			return errNoTask()
		}
		t := tasks[i]
		t.Status = taskCancelling
		moved = t.Moved
		return store.PutJSON(r.tx, r.ns.Key("movetask", src.name, t.seq), t.moveTask)
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.CancelMessageMoveTaskResult{ApproximateNumberOfMessagesMoved: api.Ptr(moved)}, nil
}

// sourceTasks lists the tasks of the source queue name, which must exist.
func (r *region) sourceTasks(name string) ([]storedTask, error) {
	q, err := r.queue(name)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, errSourceNotFound()
	}
	return r.tasks(name)
}

// isDeadLetterQueue reports whether some queue's RedrivePolicy names q.
func (r *region) isDeadLetterQueue(q *queueRec) (bool, error) {
	qs, err := r.queues()
	if err != nil {
		return false, err
	}
	arn := r.arn(q.Name)
	for _, src := range qs {
		if p, ok := parseRedrive(src.Attrs[attrRedrive]); ok && p.Target == arn {
			return true, nil
		}
	}
	return false, nil
}

// countMessages counts q's unexpired messages up to the key until.
func (r *region) countMessages(q *queueRec, until string) (int64, error) {
	retention := r.retentionMillis(q)
	var n int64
	err := r.scanMsgs(q.Name, func(m storedMsg) error {
		if m.seq > until {
			return store.ErrStop
		}
		if r.now-m.Sent < retention {
			n++
		}
		return nil
	})
	return n, err
}

type storedTask struct {
	seq string
	*moveTask
}

// tasks are a queue's stored tasks, oldest first.
func (r *region) tasks(queue string) ([]storedTask, error) {
	var out []storedTask
	err := r.tx.Scan(r.ns.Prefix("movetask", queue), nil, func(key, value []byte) error {
		parts, ok := r.ns.Parts(key)
		if !ok || len(parts) != 3 {
			return nil
		}
		t := new(moveTask)
		if err := json.Unmarshal(value, t); err != nil {
			return fmt.Errorf("sqs: decode %q: %w", key, err)
		}
		out = append(out, storedTask{parts[2], t})
		return nil
	})
	return out, err
}

// resumeTasks restarts the tasks that were active when the service last
// stopped.
func (s *Service) resumeTasks() {
	var refs []taskRef
	err := s.st.View(func(tx store.Tx) error {
		return tx.Scan(activeNS.Prefix("active"), nil, func(key, value []byte) error {
			parts, ok := activeNS.Parts(key)
			if !ok || len(parts) != 5 {
				return nil
			}
			refs = append(refs, taskRef{queue: queueRef{parts[1], parts[2], parts[3]}, seq: parts[4], id: string(value)})
			return nil
		})
	})
	if err != nil {
		return // a store that cannot be read fails every call anyway
	}
	for _, ref := range refs {
		s.runTask(ref)
	}
}

// runTask moves the task's messages in the background until it ends or
// the service closes.
func (s *Service) runTask(ref taskRef) {
	s.tasks.Add(1)
	go func() {
		defer s.tasks.Done()
		s.moveLoop(ref)
	}()
}

// stepResult is what one step of a task did.
type stepResult struct {
	done        bool  // the task has ended (or is gone)
	moved       bool  // a message was moved
	nextVisible int64 // ms; when nothing could move, the earliest hidden message's visibility
	rate        int64
}

func (s *Service) moveLoop(ref taskRef) {
	next := time.Now()
	for {
		res, err := s.moveStep(ref)
		if err != nil {
			// A store error: try again shortly rather than lose the task.
			res = stepResult{nextVisible: -1}
		}
		if res.done {
			return
		}
		var wait time.Duration
		var wake <-chan struct{}
		if res.moved {
			if res.rate > 0 {
				next = next.Add(time.Second / time.Duration(res.rate))
				wait = time.Until(next)
			}
		} else {
			// Only hidden messages are left: wait for the earliest to turn
			// visible, a change to the queue, or a second at most (the service
			// clock may not be the wall clock), then look again.
			wake = s.signal(ref.queue)
			wait = time.Second
			if res.nextVisible > 0 {
				wait = min(wait, time.Duration(res.nextVisible-s.nowMillis())*time.Millisecond)
			}
			wait = max(wait, time.Millisecond)
			next = time.Now()
		}
		if wait <= 0 {
			select {
			case <-s.closed:
				return
			default:
				continue
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-s.closed:
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// moveStep moves at most one message, in one transaction, and ends the
// task when it was cancelled, failed or has nothing left to move.
func (s *Service) moveStep(ref taskRef) (stepResult, error) {
	var res stepResult
	var woken []queueRef
	err := s.st.Update(func(tx store.Tx) error {
		r := s.open(tx, ref.queue.account, ref.queue.region)
		taskKey := r.ns.Key("movetask", ref.queue.name, ref.seq)
		var t moveTask
		ok, err := store.GetJSON(tx, taskKey, &t)
		if err != nil {
			return err
		}
		if !ok || t.ID != ref.id {
			// The task is gone (its queue was deleted): drop it from the index.
			res.done = true
			return deleteActive(tx, ref)
		}
		res.rate = t.Rate
		finish := func(status, reason string) error {
			t.Status, t.Failure, res.done = status, reason, true
			if err := store.PutJSON(tx, taskKey, &t); err != nil {
				return err
			}
			return deleteActive(tx, ref)
		}
		switch t.Status {
		case taskCancelling:
			return finish(taskCancelled, "")
		case taskRunning:
		default:
			res.done = true
			return deleteActive(tx, ref)
		}
		q, err := r.queue(ref.queue.name)
		if err != nil {
			return err
		}
		if q == nil {
			return finish(taskFailed, "AWS.SimpleQueueService.NonExistentQueue")
		}
		m, next, err := r.nextToMove(q, t.Until)
		if err != nil {
			return err
		}
		if m == nil {
			if next == 0 {
				return finish(taskCompleted, "")
			}
			res.nextVisible = next
			return nil
		}
		dest := t.Dest
		if dest == "" {
			if dest = m.DLQSource; dest == "" {
				// kiri's reason: the message was sent to the dead-letter queue
				// directly, so there is no queue to return it to.
				return finish(taskFailed, "The message "+m.ID+" has no DeadLetterQueueSourceArn to return to; specify a DestinationArn.")
			}
		}
		dref, _ := parseArn(dest)
		dr := r
		if dref.account != r.account || dref.region != r.name {
			dr = s.open(tx, dref.account, dref.region)
		}
		dq, err := dr.queue(dref.name)
		if err != nil {
			return err
		}
		if dq == nil {
			// The reason AWS reports when the destination is deleted mid-task.
			return finish(taskFailed, "AWS.SimpleQueueService.NonExistentQueue")
		}
		if err := r.deleteMsg(q.Name, m.seq); err != nil {
			return err
		}
		if err := dr.redriven(dq, m.msgRec); err != nil {
			return err
		}
		t.Moved++
		res.moved = true
		woken = r.woken
		if dr != r {
			woken = append(woken, dr.woken...)
		}
		return store.PutJSON(tx, taskKey, &t)
	})
	if err != nil {
		return stepResult{}, err
	}
	for _, w := range woken {
		s.notify(w)
	}
	return res, nil
}

func deleteActive(tx store.Tx, ref taskRef) error {
	if v, ok := tx.Get(ref.activeKey()); ok && string(v) == ref.id {
		return tx.Delete(ref.activeKey())
	}
	return nil
}

// nextToMove finds the oldest visible, unexpired message of q up to the key
// until. When there is none, next is the earliest visibility of a hidden
// one, 0 when none is left at all.
func (r *region) nextToMove(q *queueRec, until string) (found *storedMsg, next int64, err error) {
	retention := r.retentionMillis(q)
	err = r.scanMsgs(q.Name, func(m storedMsg) error {
		switch {
		case m.seq > until:
			return store.ErrStop
		case r.now-m.Sent >= retention:
		case m.VisibleAt > r.now:
			if next == 0 || m.VisibleAt < next {
				next = m.VisibleAt
			}
		default:
			found = &m
			return store.ErrStop
		}
		return nil
	})
	return found, next, err
}

// redriven stores m in q as a new message (see the package comment above
// for what is kept).
func (r *region) redriven(q *queueRec, m *msgRec) error {
	q.Seq++
	rec := &msgRec{
		ID: request.NewID(), Body: m.Body, Attrs: m.Attrs, TraceHeader: m.TraceHeader, MD5Body: m.MD5Body,
		Sent: r.now, VisibleAt: r.now + r.intAttr(q, attrDelay, 0)*1000, SenderID: m.SenderID,
	}
	if q.fifo() {
		rec.GroupID, rec.DedupID, rec.SeqNumber = m.GroupID, m.DedupID, sequenceNumber(q.Seq)
	}
	if err := r.putMsg(q.Name, seqKey(q.Seq), rec); err != nil {
		return err
	}
	if rec.VisibleAt <= r.now {
		r.woken = append(r.woken, r.ref(q.Name))
	}
	return r.putQueue(q)
}
