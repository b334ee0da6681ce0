package sqs

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

const arnPrefix = "arn:aws:sqs:us-east-1:123456789012:"

// eventually polls until cond holds. The limit only keeps a broken test
// from hanging; nothing depends on how long the wait is.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// deadLettered creates src with a RedrivePolicy (maxReceiveCount 1) to dlq
// and drives bodies into dlq: received once, left to time out, received
// again.
func deadLettered(t *testing.T, s *Service, c *clock, src, dlq string, bodies ...string) (srcURL, dlqURL string) {
	t.Helper()
	dlqURL = createQueue(t, s, dlq, nil)
	srcURL = createQueue(t, s, src, map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + arnPrefix + dlq + `","maxReceiveCount":1}`,
	})
	for _, b := range bodies {
		send(t, s, srcURL, b)
	}
	for got := 0; got < len(bodies); {
		got += len(receive(t, s, srcURL, 10))
	}
	c.Advance(31 * time.Second)
	if got := receive(t, s, srcURL, 10); len(got) != 0 {
		t.Fatalf("source still delivers %v", bodies)
	}
	if n := queueAttr(t, s, dlqURL, "ApproximateNumberOfMessages"); n != strconv.Itoa(len(bodies)) {
		t.Fatalf("dead-letter queue holds %s messages, want %d", n, len(bodies))
	}
	return srcURL, dlqURL
}

func listTasks(t *testing.T, s *Service, source string, max int64) []sqsapi.ListMessageMoveTasksResultEntry {
	t.Helper()
	return must(s.ListMessageMoveTasks(bg, &sqsapi.ListMessageMoveTasksRequest{SourceArn: api.Ptr(source), MaxResults: api.Ptr(max)}))(t).Results
}

func startTask(t *testing.T, s *Service, in *sqsapi.StartMessageMoveTaskRequest) string {
	t.Helper()
	return *must(s.StartMessageMoveTask(bg, in))(t).TaskHandle
}

// waitStatus waits for the newest task of source to have status.
func waitStatus(t *testing.T, s *Service, source, status string) sqsapi.ListMessageMoveTasksResultEntry {
	t.Helper()
	var last sqsapi.ListMessageMoveTasksResultEntry
	eventually(t, "task "+status, func() bool {
		last = listTasks(t, s, source, 1)[0]
		return *last.Status == status
	})
	return last
}

func messageCount(t *testing.T, s *Service, url string) int {
	t.Helper()
	n, _ := strconv.Atoi(queueAttr(t, s, url, "ApproximateNumberOfMessages"))
	m, _ := strconv.Atoi(queueAttr(t, s, url, "ApproximateNumberOfMessagesNotVisible"))
	return n + m
}

// Without a DestinationArn each message goes back to the queue it was
// dead-lettered from, as a new message.
func TestMoveTaskBackToSource(t *testing.T) {
	s, c := newTestService(t)
	srcURL, dlqURL := deadLettered(t, s, c, "orders", "orders-dlq", "a", "b", "c")
	originals := map[string]bool{}
	dlqMsgs := receive(t, s, dlqURL, 10)
	for _, m := range dlqMsgs {
		originals[*m.MessageId] = true
	}
	c.Advance(31 * time.Second) // visible in the DLQ again

	handle := startTask(t, s, &sqsapi.StartMessageMoveTaskRequest{SourceArn: api.Ptr(arnPrefix + "orders-dlq")})
	if handle == "" {
		t.Fatal("no TaskHandle")
	}
	done := waitStatus(t, s, arnPrefix+"orders-dlq", "COMPLETED")
	if *done.ApproximateNumberOfMessagesMoved != 3 || *done.ApproximateNumberOfMessagesToMove != 3 ||
		*done.SourceArn != arnPrefix+"orders-dlq" || done.DestinationArn != nil || done.TaskHandle != nil ||
		done.MaxNumberOfMessagesPerSecond != nil || done.FailureReason != nil || done.StartedTimestamp == nil {
		t.Fatalf("completed task: %+v", done)
	}
	got := receive(t, s, srcURL, 10)
	if b := bodies(got); !slices.Equal(sortedCopy(b), []string{"a", "b", "c"}) {
		t.Fatalf("source queue got %v", b)
	}
	for _, m := range got {
		if originals[*m.MessageId] {
			t.Errorf("message %s kept its MessageId", *m.MessageId)
		}
		if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["DeadLetterQueueSourceArn"] != "" {
			t.Errorf("redriven message attributes: %v", m.Attributes)
		}
	}
	if n := messageCount(t, s, dlqURL); n != 0 {
		t.Errorf("dead-letter queue still holds %d messages", n)
	}
	_, err := s.CancelMessageMoveTask(bg, &sqsapi.CancelMessageMoveTaskRequest{TaskHandle: api.Ptr(handle)})
	wantError(t, err, "ResourceNotFoundException", "Task does not exist.")
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// With a DestinationArn the messages go to that queue.
func TestMoveTaskToDestination(t *testing.T) {
	s, c := newTestService(t)
	srcURL, dlqURL := deadLettered(t, s, c, "orders", "orders-dlq", "x", "y")
	other := createQueue(t, s, "retry", nil)
	startTask(t, s, &sqsapi.StartMessageMoveTaskRequest{SourceArn: api.Ptr(arnPrefix + "orders-dlq"), DestinationArn: api.Ptr(arnPrefix + "retry")})
	done := waitStatus(t, s, arnPrefix+"orders-dlq", "COMPLETED")
	if *done.DestinationArn != arnPrefix+"retry" || *done.ApproximateNumberOfMessagesMoved != 2 {
		t.Fatalf("completed task: %+v", done)
	}
	if b := sortedCopy(bodies(receive(t, s, other, 10))); !slices.Equal(b, []string{"x", "y"}) {
		t.Fatalf("destination got %v", b)
	}
	if n := messageCount(t, s, srcURL) + messageCount(t, s, dlqURL); n != 0 {
		t.Errorf("%d messages left behind", n)
	}
}

// A rate-limited task cancelled midway stops, reports CANCELLED, and
// leaves the messages it had not moved in the source.
func TestMoveTaskCancel(t *testing.T) {
	s, c := newTestService(t)
	const n = 6
	var bs []string
	for i := range n {
		bs = append(bs, fmt.Sprint("m", i))
	}
	_, dlqURL := deadLettered(t, s, c, "orders", "orders-dlq", bs...)
	dest := createQueue(t, s, "retry", nil)
	source := arnPrefix + "orders-dlq"
	handle := startTask(t, s, &sqsapi.StartMessageMoveTaskRequest{SourceArn: api.Ptr(source), DestinationArn: api.Ptr(arnPrefix + "retry"), MaxNumberOfMessagesPerSecond: api.Ptr(int64(1))})

	running := waitStatus(t, s, source, "RUNNING")
	if *running.TaskHandle != handle || *running.MaxNumberOfMessagesPerSecond != 1 || *running.ApproximateNumberOfMessagesToMove != n {
		t.Fatalf("running task: %+v", running)
	}
	_, err := s.StartMessageMoveTask(bg, &sqsapi.StartMessageMoveTaskRequest{SourceArn: api.Ptr(source)})
	wantError(t, err, "InvalidParameterValue", "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")

	eventually(t, "a message moved", func() bool { return *listTasks(t, s, source, 1)[0].ApproximateNumberOfMessagesMoved >= 1 })
	out := must(s.CancelMessageMoveTask(bg, &sqsapi.CancelMessageMoveTaskRequest{TaskHandle: api.Ptr(handle)}))(t)
	if *out.ApproximateNumberOfMessagesMoved < 1 {
		t.Fatalf("cancel: moved %d", *out.ApproximateNumberOfMessagesMoved)
	}
	done := waitStatus(t, s, source, "CANCELLED")
	moved := int(*done.ApproximateNumberOfMessagesMoved)
	if moved >= n || done.TaskHandle != nil {
		t.Fatalf("cancelled task: %+v", done)
	}
	if got, left := messageCount(t, s, dest), messageCount(t, s, dlqURL); got != moved || left != n-moved {
		t.Fatalf("destination holds %d, source %d; task moved %d of %d", got, left, moved, n)
	}
	_, err = s.CancelMessageMoveTask(bg, &sqsapi.CancelMessageMoveTaskRequest{TaskHandle: api.Ptr(handle)})
	wantError(t, err, "ResourceNotFoundException", "Task does not exist.")

	// A new task may start now; the list shows the newest first.
	startTask(t, s, &sqsapi.StartMessageMoveTaskRequest{SourceArn: api.Ptr(source), DestinationArn: api.Ptr(arnPrefix + "retry")})
	waitStatus(t, s, source, "COMPLETED")
	all := listTasks(t, s, source, 10)
	if len(all) != 2 || *all[0].Status != "COMPLETED" || *all[1].Status != "CANCELLED" || *all[0].ApproximateNumberOfMessagesToMove != int64(n-moved) {
		t.Fatalf("tasks: %+v", all)
	}
	if got := messageCount(t, s, dest); got != n {
		t.Fatalf("destination holds %d of %d", got, n)
	}
}

// A message in flight in the source is moved once it is visible again.
func TestMoveTaskWaitsForInFlight(t *testing.T) {
	s, c := newTestService(t)
	srcURL, dlqURL := deadLettered(t, s, c, "orders", "orders-dlq", "p", "q")
	if len(receive(t, s, dlqURL, 1)) != 1 {
		t.Fatal("no message in the DLQ")
	}
	source := arnPrefix + "orders-dlq"
	startTask(t, s, &sqsapi.StartMessageMoveTaskRequest{SourceArn: api.Ptr(source)})
	eventually(t, "the visible message moved", func() bool { return *listTasks(t, s, source, 1)[0].ApproximateNumberOfMessagesMoved == 1 })
	if st := *listTasks(t, s, source, 1)[0].Status; st != "RUNNING" {
		t.Fatalf("status with a message in flight = %s", st)
	}
	c.Advance(31 * time.Second)
	waitStatus(t, s, source, "COMPLETED")
	if n := messageCount(t, s, srcURL); n != 2 {
		t.Fatalf("source holds %d messages, want 2", n)
	}
}

// A task running when the service stops resumes when it starts again.
func TestMoveTaskResumesAfterRestart(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)}
	st := newTestStore(t)
	s := New(Config{Store: st, Endpoint: testEndpoint, Now: c.Now})
	t.Cleanup(s.Close)
	srcURL, _ := deadLettered(t, s, c, "orders", "orders-dlq", "1", "2", "3", "4")
	source := arnPrefix + "orders-dlq"
	startTask(t, s, &sqsapi.StartMessageMoveTaskRequest{SourceArn: api.Ptr(source), MaxNumberOfMessagesPerSecond: api.Ptr(int64(2))})
	s.Close()
	if st := *listTasks(t, s, source, 1)[0].Status; st != "RUNNING" && st != "COMPLETED" {
		t.Fatalf("status after close = %s", st)
	}

	s2 := New(Config{Store: st, Endpoint: testEndpoint, Now: c.Now})
	t.Cleanup(s2.Close)
	done := waitStatus(t, s2, source, "COMPLETED")
	if *done.ApproximateNumberOfMessagesMoved != 4 || messageCount(t, s2, srcURL) != 4 {
		t.Fatalf("after restart: %+v, source holds %d", done, messageCount(t, s2, srcURL))
	}
}

// Deleting the destination mid-task fails the task with AWS's reason.
func TestMoveTaskDestinationDeleted(t *testing.T) {
	s, c := newTestService(t)
	deadLettered(t, s, c, "orders", "orders-dlq", "1", "2", "3")
	dest := createQueue(t, s, "retry", nil)
	source := arnPrefix + "orders-dlq"
	startTask(t, s, &sqsapi.StartMessageMoveTaskRequest{SourceArn: api.Ptr(source), DestinationArn: api.Ptr(arnPrefix + "retry"), MaxNumberOfMessagesPerSecond: api.Ptr(int64(1))})
	must(s.DeleteQueue(bg, &sqsapi.DeleteQueueRequest{QueueUrl: api.Ptr(dest)}))(t)
	failed := waitStatus(t, s, source, "FAILED")
	if api.Deref(failed.FailureReason) != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("failed task: %+v", failed)
	}
}

func TestMoveTaskErrors(t *testing.T) {
	s, c := newTestService(t)
	deadLettered(t, s, c, "orders", "orders-dlq", "m")
	createQueue(t, s, "plain", nil)
	createQueue(t, s, "jobs.fifo", map[string]string{"FifoQueue": "true"})
	start := func(source, dest string, rate int64) error {
		in := &sqsapi.StartMessageMoveTaskRequest{SourceArn: api.Ptr(source), DestinationArn: optional(dest)}
		if rate != 0 {
			in.MaxNumberOfMessagesPerSecond = &rate
		}
		_, err := s.StartMessageMoveTask(bg, in)
		return err
	}
	dlq := arnPrefix + "orders-dlq"
	wantError(t, start(arnPrefix+"plain", "", 0), "InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
	wantError(t, start(arnPrefix+"nope", "", 0), "ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.")
	wantError(t, start(dlq, arnPrefix+"nope", 0), "ResourceNotFoundException", "The resource that you specified for the DestinationArn parameter doesn't exist.")
	wantError(t, start(dlq, arnPrefix+"jobs.fifo", 0), "InvalidParameterValue", "")
	wantError(t, start(dlq, dlq, 0), "InvalidParameterValue", "")
	wantError(t, start("not-an-arn", "", 0), "InvalidParameterValue", "")
	wantError(t, start(dlq, "", 501), "InvalidParameterValue", "")
	wantError(t, start(dlq, "", -1), "InvalidParameterValue", "")

	_, err := s.ListMessageMoveTasks(bg, &sqsapi.ListMessageMoveTasksRequest{SourceArn: api.Ptr(dlq), MaxResults: api.Ptr(int64(11))})
	wantError(t, err, "InvalidParameterValue", "")
	_, err = s.ListMessageMoveTasks(bg, &sqsapi.ListMessageMoveTasksRequest{SourceArn: api.Ptr(arnPrefix + "nope")})
	wantError(t, err, "ResourceNotFoundException", "")
	if got := must(s.ListMessageMoveTasks(bg, &sqsapi.ListMessageMoveTasksRequest{SourceArn: api.Ptr(dlq)}))(t).Results; len(got) != 0 {
		t.Fatalf("tasks before any started: %+v", got)
	}

	cancel := func(handle string) error {
		_, err := s.CancelMessageMoveTask(bg, &sqsapi.CancelMessageMoveTaskRequest{TaskHandle: api.Ptr(handle)})
		return err
	}
	handle := func(id, source string) string {
		return base64.StdEncoding.EncodeToString([]byte(`{"taskId":"` + id + `","sourceArn":"` + source + `"}`))
	}
	wantError(t, cancel("garbage"), "InvalidParameterValue", "Value for parameter TaskHandle is invalid.")
	wantError(t, cancel(handle("no-such-task", dlq)), "ResourceNotFoundException", "Task does not exist.")
	wantError(t, cancel(handle("no-such-task", arnPrefix+"nope")), "ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.")
}

// A message sent to a dead-letter queue directly has no queue to return
// to: a task without a DestinationArn fails on it.
func TestMoveTaskNoOriginalSource(t *testing.T) {
	s, c := newTestService(t)
	_, dlqURL := deadLettered(t, s, c, "orders", "orders-dlq")
	send(t, s, dlqURL, "stray")
	startTask(t, s, &sqsapi.StartMessageMoveTaskRequest{SourceArn: api.Ptr(arnPrefix + "orders-dlq")})
	failed := waitStatus(t, s, arnPrefix+"orders-dlq", "FAILED")
	if failed.FailureReason == nil || messageCount(t, s, dlqURL) != 1 {
		t.Fatalf("failed task: %+v", failed)
	}
}
