package runtime

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// tailLimit is how much of an invocation's log LogType=Tail returns.
const tailLimit = 4096

// logStream collects the log lines of one environment: the process's
// output, captured line by line from a single pipe shared by stdout and
// stderr (so their interleaving is kept), and the platform's own
// START/END/REPORT lines. Lines are buffered until the end of an invocation
// and then handed to the LogSink in one batch, which also yields the tail.
type logStream struct {
	sink                   LogSink
	account, region, group string
	name                   string // the CloudWatch stream name
	r                      *os.File
	mu                     sync.Mutex // guards the fields below and each read+parse of the pipe
	partial                []byte
	pending                []LogEvent
	done                   chan struct{} // closed when the pipe reached EOF
}

// newLogStream starts reading r (the read end of the process's output pipe).
func newLogStream(sink LogSink, account, region, group, name string, r *os.File) *logStream {
	s := &logStream{sink: sink, account: account, region: region, group: group, name: name, r: r, done: make(chan struct{})}
	go s.read()
	return s
}

// read consumes the pipe. Each read and the parsing of what it returned
// happen under mu, so sync can tell, race-free, that everything written to
// the pipe before a given moment has become log events: once the pipe is
// empty while sync holds mu, no byte can be in flight.
func (s *logStream) read() {
	defer close(s.done)
	rc, err := s.r.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 64*1024)
	for {
		eof := false
		err := rc.Read(func(fd uintptr) bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			n, again := readPipe(fd, buf)
			if again {
				return false
			}
			if n <= 0 {
				eof = true
				return true
			}
			s.feedLocked(buf[:n])
			return true
		})
		if err != nil || eof {
			s.mu.Lock()
			s.flushPartialLocked()
			s.mu.Unlock()
			_ = s.r.Close()
			return
		}
	}
}

func (s *logStream) feedLocked(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			s.partial = append(s.partial, b...)
			// A runaway line without newline must not grow without bound.
			if len(s.partial) >= 256*1024 {
				s.flushPartialLocked()
			}
			return
		}
		line := b[:i]
		if len(s.partial) > 0 {
			line = append(s.partial, line...)
			s.partial = nil
		}
		s.addLocked(string(line))
		b = b[i+1:]
	}
}

func (s *logStream) flushPartialLocked() {
	if len(s.partial) > 0 {
		s.addLocked(string(s.partial))
		s.partial = nil
	}
}

// addLocked records one line. The runtimes write a multi-line message (a
// traceback) as one line with carriage returns; it becomes one event with
// newlines, as in CloudWatch.
func (s *logStream) addLocked(line string) {
	line = strings.ReplaceAll(line, "\r", "\n")
	s.pending = append(s.pending, LogEvent{Time: time.Now(), Message: line})
}

// add records a platform line (START, END, REPORT, timeouts).
func (s *logStream) add(line string) {
	s.mu.Lock()
	s.pending = append(s.pending, LogEvent{Time: time.Now(), Message: line})
	s.mu.Unlock()
}

// sync waits, for at most limit, until everything the process wrote so far
// has been read from the pipe, so that an invocation's output precedes its
// END line. A process that keeps writing cannot hold the invocation up
// longer than limit.
func (s *logStream) sync(limit time.Duration) {
	deadline := time.Now().Add(limit)
	rc, err := s.r.SyscallConn()
	if err != nil {
		return
	}
	for {
		s.mu.Lock()
		n := 0
		cerr := rc.Control(func(fd uintptr) { n = pipeBuffered(fd) })
		if n == 0 || cerr != nil {
			s.flushPartialLocked()
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// waitEOF waits (bounded) for the reader to see the end of the pipe after the
// process died, so a crashing process's last words are kept.
func (s *logStream) waitEOF(limit time.Duration) {
	select {
	case <-s.done:
	case <-time.After(limit):
	}
}

// flush hands the buffered lines to the sink and returns the base64 tail
// of what it flushed when tail is set.
func (s *logStream) flush(tail bool) string {
	s.mu.Lock()
	events := s.pending
	s.pending = nil
	s.mu.Unlock()
	if len(events) == 0 {
		return ""
	}
	if s.sink != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		// A failing sink must not fail the invocation: on AWS, missing log
		// permissions silently drop logs too.
		_ = s.sink.PutLogs(ctx, s.account, s.region, s.group, s.name, events)
		cancel()
	}
	if !tail {
		return ""
	}
	var b strings.Builder
	for _, e := range events {
		b.WriteString(e.Message)
		b.WriteByte('\n')
	}
	out := b.String()
	if len(out) > tailLimit {
		out = out[len(out)-tailLimit:]
	}
	return base64.StdEncoding.EncodeToString([]byte(out))
}

// reportLine formats the REPORT line exactly as AWS does (tab separated,
// with a trailing tab).
func reportLine(id string, d, billed time.Duration, memMB, maxUsedMB int, init time.Duration, status string) string {
	line := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		id, float64(d)/float64(time.Millisecond), billed.Milliseconds(), memMB, maxUsedMB)
	if init > 0 {
		line += fmt.Sprintf("Init Duration: %.2f ms\t", float64(init)/float64(time.Millisecond))
	}
	if status != "" {
		line += "Status: " + status
	}
	return line
}
