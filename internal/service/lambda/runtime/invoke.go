package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// How long to wait for a process's output to reach the log before writing
// END: bounded so a chatty process cannot stall its invocation.
const (
	outputSyncLimit = 50 * time.Millisecond
	deathLogLimit   = 200 * time.Millisecond
)

type ending int

const (
	endDone ending = iota
	endCrash
	endTimeout
	endCancel
	endInitError
	endInitTimeout
	endGone // the process exited before it took the invocation
)

// errEnvGone is run's answer when a warm environment's process had exited
// (say, a Node runtime ending itself after an unhandled rejection) before
// it took the invocation: nothing ran, so Invoke tries another environment,
// as AWS resets a sandbox whose runtime exited.
var errEnvGone = errors.New("runtime: environment exited before the invocation")

// run performs one invocation on e: the init phase first when e is new,
// then the request. keep says whether e may serve further invocations.
func (eng *Engine) run(ctx context.Context, e *env, fn *Function, inv Invocation) (res Result, keep bool, err error) {
	id := inv.RequestID
	if id == "" {
		id = newRequestID()
	}
	version := fn.Version
	if version == "" {
		version = "$LATEST"
	}
	timeout := fn.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	eng.mu.Lock()
	cold := !e.warm
	eng.mu.Unlock()

	var (
		how     ending
		out     outcome
		initErr []byte
		maxMem  int
	)
	if cold {
		how, initErr = eng.awaitInit(ctx, e)
		res.InitDuration = time.Since(e.started)
		if how == endCancel {
			e.kill()
			e.logs.flush(false)
			return Result{}, false, ctx.Err()
		}
		// What init printed is in the pipe before the bootstrap asked for
		// work: read it now so that it precedes START, as on AWS.
		e.logs.sync(outputSyncLimit)
	}
	startLine := "START RequestId: " + id + " Version: " + version
	start := time.Now()
	if !cold || how == endDone {
		p := &pending{
			id:            id,
			arn:           invokedARN(fn),
			traceID:       traceID(),
			clientContext: decodeClientContext(inv.ClientContext),
			payload:       inv.Payload,
			deadline:      start.Add(timeout),
			done:          make(chan outcome, 1),
			// START is logged when the process takes the invocation, so
			// that it precedes whatever the handler prints.
			announce: func() { e.logs.add(startLine) },
		}
		if len(p.payload) == 0 {
			p.payload = []byte("{}")
		}
		how, out = e.await(ctx, p, timeout)
		if how == endGone && !cold {
			e.logs.waitEOF(deathLogLimit)
			e.logs.flush(false)
			return Result{}, false, errEnvGone
		}
		p.announceOnce()
		if how == endGone {
			how = endCrash
		}
		if how == endDone || how == endTimeout {
			// Measured before a kill: /proc forgets dead processes and
			// the memory group goes with the environment.
			maxMem = e.maxMemoryMB()
		}
	} else {
		e.logs.add(startLine)
	}
	res.Duration = time.Since(start)

	status := ""
	switch how {
	case endDone:
		keep = true
		e.logs.sync(outputSyncLimit)
		res.Payload = out.payload
		if out.err {
			res.FunctionError = "Unhandled"
		}
	case endCrash:
		// The kernel's OOM kill looks like any SIGKILL from outside; only
		// the group's counter tells, and it goes with the kill below.
		typ := "Runtime.ExitError"
		if e.oomKilled() {
			typ, maxMem = "Runtime.OutOfMemory", memoryMB(fn)
		}
		e.kill()
		e.logs.waitEOF(deathLogLimit)
		msg := fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", id, exitMessage(e.exitErr))
		if e.exitErr == nil {
			msg = fmt.Sprintf("RequestId: %s Error: Runtime exited without providing a reason", id)
		}
		e.logs.add(msg + "\n" + typ)
		res.Payload, res.FunctionError = errorPayload(typ, msg), "Unhandled"
		status = "error\tError Type: " + typ
	case endTimeout, endInitTimeout:
		e.kill()
		waitExit(e, time.Second)
		e.logs.waitEOF(deathLogLimit)
		limit := timeout
		if how == endInitTimeout {
			limit = eng.cfg.InitTimeout
		}
		secs := fmt.Sprintf("%.2f seconds", limit.Seconds())
		e.logs.add(time.Now().UTC().Format("2006-01-02T15:04:05.000Z") + " " + id + " Task timed out after " + secs)
		res.Payload = errorPayload("Sandbox.Timedout", "RequestId: "+id+" Error: Task timed out after "+secs)
		res.FunctionError = "Unhandled"
		status = "timeout"
	case endInitError:
		e.kill()
		e.logs.waitEOF(deathLogLimit)
		res.Payload, res.FunctionError = initErr, "Unhandled"
		status = "error"
		var body struct{ ErrorType string }
		if json.Unmarshal(initErr, &body) == nil && body.ErrorType != "" {
			status += "\tError Type: " + body.ErrorType
		}
	case endCancel:
		e.kill()
		e.logs.add("END RequestId: " + id)
		e.logs.flush(false)
		return Result{}, false, ctx.Err()
	}
	res.MaxMemoryUsed = maxMem
	gran := eng.cfg.BillingGranularity
	res.BilledDuration = (res.Duration + gran - 1) / gran * gran
	if res.BilledDuration < gran {
		res.BilledDuration = gran
	}
	e.logs.add("END RequestId: " + id)
	e.logs.add(reportLine(id, res.Duration, res.BilledDuration, memoryMB(fn), maxMem, res.InitDuration, status))
	res.LogTail = e.logs.flush(inv.TailLog)
	return res, keep, nil
}

// awaitInit waits for a new environment's first GET /next, an init error,
// an early exit, the init time limit or cancellation.
func (eng *Engine) awaitInit(ctx context.Context, e *env) (ending, []byte) {
	t := time.NewTimer(eng.cfg.InitTimeout)
	defer t.Stop()
	select {
	case <-e.ready:
		return endDone, nil
	case body := <-e.initErr:
		return endInitError, body
	case <-e.exited:
		// An init error posted just before exiting explains the exit.
		select {
		case body := <-e.initErr:
			return endInitError, body
		case <-time.After(10 * time.Millisecond):
			select {
			case body := <-e.initErr:
				return endInitError, body
			default:
			}
			return endCrash, nil
		}
	case <-t.C:
		return endInitTimeout, nil
	case <-ctx.Done():
		return endCancel, nil
	}
}

// await hands p to the process and waits for its outcome.
func (e *env) await(ctx context.Context, p *pending, timeout time.Duration) (ending, outcome) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case e.invokeCh <- p:
	case <-e.exited:
		return endGone, outcome{}
	case <-t.C:
		return endTimeout, outcome{}
	case <-ctx.Done():
		return endCancel, outcome{}
	}
	select {
	case o := <-p.done:
		return endDone, o
	case <-e.exited:
		select {
		case o := <-p.done:
			return endDone, o
		default:
			return endCrash, outcome{}
		}
	case <-t.C:
		return endTimeout, outcome{}
	case <-ctx.Done():
		return endCancel, outcome{}
	}
}

func waitExit(e *env, limit time.Duration) {
	select {
	case <-e.exited:
	case <-time.After(limit):
	}
}

// invokedARN is the ARN the function was invoked with: qualified by the
// version unless it is $LATEST. (Aliases are not visible in Function.)
func invokedARN(fn *Function) string {
	if fn.Version == "" || fn.Version == "$LATEST" {
		return fn.ARN
	}
	return fn.ARN + ":" + fn.Version
}

// newRequestID returns a random (version 4) UUID.
func newRequestID() string {
	h := randomHex(16)
	b := []byte(h)
	b[12] = '4'
	b[16] = "89ab"[b[16]%4]
	return string(b[0:8]) + "-" + string(b[8:12]) + "-" + string(b[12:16]) + "-" + string(b[16:20]) + "-" + string(b[20:32])
}
