package runtime

import (
	"io"
	"net/http"
	"strconv"
)

// The Lambda Runtime API (AWS: "Using the Lambda runtime API for custom
// runtimes"), served by each environment on its own loopback listener so
// every request is known to come from that environment's process.
const apiBase = "/2018-06-01/runtime"

// maxResponse is the synchronous response limit (6 MB).
const maxResponse = 6 * 1024 * 1024

func (e *env) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiBase+"/invocation/next", e.next)
	mux.HandleFunc("POST "+apiBase+"/invocation/{id}/response", e.response)
	mux.HandleFunc("POST "+apiBase+"/invocation/{id}/error", e.invocationError)
	mux.HandleFunc("POST "+apiBase+"/init/error", e.initError)
	return mux
}

// next blocks until the engine hands this environment an invocation. The
// first call marks the end of the init phase.
func (e *env) next(w http.ResponseWriter, r *http.Request) {
	e.readyOnce.Do(func() { close(e.ready) })
	select {
	case p := <-e.invokeCh:
		e.mu.Lock()
		e.current = p
		e.mu.Unlock()
		p.announceOnce()
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", p.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(p.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", p.arn)
		h.Set("Lambda-Runtime-Trace-Id", p.traceID)
		if p.clientContext != "" {
			h.Set("Lambda-Runtime-Client-Context", p.clientContext)
		}
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(p.payload)
	case <-e.closing:
		apiError(w, http.StatusInternalServerError, "Runtime.Stopped", "environment is shutting down")
	case <-r.Context().Done():
	}
}

// take returns the invocation the request names when it is the one in
// flight, answering the runtime with AWS's error otherwise.
func (e *env) take(w http.ResponseWriter, r *http.Request) *pending {
	id := r.PathValue("id")
	e.mu.Lock()
	p := e.current
	if p == nil || p.id != id {
		e.mu.Unlock()
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return nil
	}
	e.current = nil
	e.mu.Unlock()
	return p
}

func (e *env) response(w http.ResponseWriter, r *http.Request) {
	p := e.take(w, r)
	if p == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponse+1))
	switch {
	case err != nil:
		p.finish(outcome{err: true, payload: errorPayload("Runtime.ResponseError", err.Error())})
	case len(body) > maxResponse:
		p.finish(outcome{err: true, payload: errorPayload("Function.ResponseSizeTooLarge",
			"Response payload size exceeded maximum allowed payload size (6291556 bytes).")})
		apiError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response too large")
		return
	default:
		p.finish(outcome{payload: body})
	}
	accepted(w)
}

func (e *env) invocationError(w http.ResponseWriter, r *http.Request) {
	p := e.take(w, r)
	if p == nil {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponse))
	p.finish(outcome{err: true, payload: errorBody(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))})
	accepted(w)
}

func (e *env) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponse))
	select {
	case e.initErr <- errorBody(body, r.Header.Get("Lambda-Runtime-Function-Error-Type")):
	default:
	}
	accepted(w)
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorPayload(typ, msg))
}
