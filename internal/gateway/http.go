package gateway

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"
)

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// headOnly drops bodies: a HEAD answer carries status and headers only.
type headOnly struct{ http.ResponseWriter }

func (h headOnly) Write(b []byte) (int, error) { return len(b), nil }

// logAccess writes one line per request: service, operation, status, latency.
func (g *Gateway) logAccess(r *http.Request, c *call) {
	if !g.cfg.Logger.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	g.cfg.Logger.Info("request",
		"service", c.info.Service,
		"operation", c.info.Operation,
		"status", c.status,
		"latency", time.Since(c.info.Received).Round(time.Microsecond),
		"method", r.Method,
		"path", r.URL.Path,
		"account", c.info.Account,
		"region", c.info.Region,
		"request_id", c.info.ID)
}

// Browser clients (the AWS SDK for JavaScript in a page, the seeds' Ajax
// forms) need CORS on every answer and preflights answered.
func allowCORS(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, x-amz-request-id, x-amz-id-2, x-amz-version-id, ETag, Content-Length, Date, X-Amz-Function-Error, X-Amz-Log-Result")
	h.Add("Vary", "Origin")
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

func writePreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE, HEAD, PATCH, OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusOK)
}

// serveInternal answers kiri's own endpoints under /_kiri/.
func (g *Gateway) serveInternal(w http.ResponseWriter, r *http.Request) int {
	for prefix, h := range g.cfg.Internal {
		if strings.HasPrefix(r.URL.Path, prefix) {
			rec := &statusRecorder{ResponseWriter: w}
			h.ServeHTTP(rec, r)
			return rec.status
		}
	}
	if r.URL.Path != "/_kiri/health" {
		http.NotFound(w, r)
		return http.StatusNotFound
	}
	type serviceHealth struct {
		Implemented int `json:"implemented"`
		Operations  int `json:"operations"`
	}
	services := map[string]serviceHealth{}
	for _, s := range g.services.all {
		services[s.Name] = serviceHealth{Implemented: s.Implemented(), Operations: s.OperationCount}
	}
	body, _ := json.MarshalIndent(map[string]any{
		"status":   "running",
		"version":  g.cfg.Version,
		"uptime":   time.Since(g.started).Round(time.Second).String(),
		"services": services,
	}, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(body, '\n'))
	return http.StatusOK
}

// ServiceNames lists the registered services in order.
func (g *Gateway) ServiceNames() []string {
	names := make([]string, 0, len(g.services.all))
	for _, s := range g.services.all {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return names
}

func xmlEscape(w io.Writer, s string) error { return xml.EscapeText(w, []byte(s)) }
