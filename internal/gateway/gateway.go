// Package gateway is kiri's HTTP edge: it finds the service, operation,
// account and region of each request, checks its signature when asked to,
// hands the decoded input to the service and writes the answer with the
// service's wire codec. Services never see HTTP.
package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/auth"
	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
)

// Credentials resolves access keys that kiri itself issued (IAM users'
// keys, STS temporary credentials) to their account and secret.
type Credentials interface {
	LookupAccessKey(ctx context.Context, accessKey string) (account, secret string, ok bool)
}

// Config is what the gateway needs from the rest of kiri.
type Config struct {
	DefaultAccount string
	DefaultRegion  string
	// VerifySignatures turns on SigV4/SigV2 checking against Credentials.
	VerifySignatures bool
	Credentials      Credentials
	// Codecs by model protocol name: json, rest-json, rest-xml, query, ec2.
	Codecs   map[string]protocol.Codec
	Services []*Service
	Logger   *slog.Logger
	Version  string
	// MaxBodyBytes bounds a request body held in memory.
	MaxBodyBytes int64
	// Internal serves kiri's own endpoints under /_kiri/, by path prefix
	// (e.g. "/_kiri/lambda/code/"), besides the health endpoint.
	Internal map[string]http.Handler
	// FunctionURLs serves Lambda function URLs: requests whose host is
	// <url-id>.lambda-url.<region>.localhost (or .on.aws) and the path form
	// /_kiri/lambda-url/<url-id>/…. They are the function's own HTTP
	// traffic, so no AWS routing, signature check or kiri CORS applies.
	FunctionURLs http.Handler
}

// Gateway is the http.Handler serving every AWS API.
type Gateway struct {
	cfg      Config
	services *registry
	started  time.Time
}

// New builds a gateway for the given services.
func New(cfg Config) *Gateway {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 5 << 30
	}
	return &Gateway{cfg: cfg, services: newRegistry(cfg.Services), started: time.Now()}
}

// call is one request on its way through the gateway.
type call struct {
	info    request.Info
	service *Service
	api     *model.API
	codec   protocol.Codec
	op      *model.Operation
	body    []byte
	status  int
}

// ServeHTTP routes, authenticates, decodes, runs and encodes one request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{info: request.Info{ID: request.NewID(), Received: time.Now()}}
	defer g.logAccess(r, c)
	if g.cfg.FunctionURLs != nil && (FunctionURLID(r.Host) != "" || strings.HasPrefix(r.URL.Path, FunctionURLPathPrefix)) {
		c.info.Service = "lambda-url"
		rec := &statusRecorder{ResponseWriter: w}
		g.cfg.FunctionURLs.ServeHTTP(rec, r)
		c.status = rec.status
		return
	}
	allowCORS(w, r)
	if isPreflight(r) {
		writePreflight(w, r)
		c.status = http.StatusOK
		return
	}
	if strings.HasPrefix(r.URL.Path, "/_kiri/") {
		c.status = g.serveInternal(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	g.serveAPI(rec, r, c)
	c.status = rec.status
}

func (g *Gateway) serveAPI(w http.ResponseWriter, r *http.Request, c *call) {
	sig, authErr := auth.Parse(r)
	body, err := g.readBody(r)
	if err != nil {
		g.fail(w, r, c, err)
		return
	}
	c.body = body
	c.info.Path = r.URL.Path
	c.service = g.route(r, signingService(sig), formValues(r, body))
	if c.service == nil {
		g.fail(w, r, c, protocol.Errorf("UnknownService", http.StatusBadRequest, "kiri cannot tell which AWS service this request is for"))
		return
	}
	c.info.Service = c.service.Name
	if c.service.Name == "s3" {
		toPathStyle(r)
	}
	c.api, c.codec = g.modelFor(c.service, r)
	if authErr != nil {
		g.fail(w, r, c, authError(authErr))
		return
	}
	if err := g.identify(r, c, sig); err != nil {
		g.fail(w, r, c, err)
		return
	}
	g.invoke(w, r, c)
}

// invoke finds the operation, decodes its input, runs the handler and
// encodes its result.
func (g *Gateway) invoke(w http.ResponseWriter, r *http.Request, c *call) {
	op, err := c.codec.Operation(c.api, r, c.body)
	if err != nil {
		g.fail(w, r, c, err)
		return
	}
	c.op = op
	c.info.Operation = op.Name
	handler := c.service.Handlers[op.Name]
	if handler == nil {
		g.fail(w, r, c, notImplemented(c.service, op))
		return
	}
	input, err := c.codec.Decode(c.api, op, r, c.body)
	if err != nil {
		g.fail(w, r, c, err)
		return
	}
	ctx := request.With(r.Context(), &c.info)
	output, err := runHandler(ctx, handler, input)
	if err != nil {
		g.fail(w, r, c, err)
		return
	}
	c.codec.EncodeOutput(w, c.api, op, output, c.info.ID)
}

// runHandler runs a service handler, turning a panic into an internal
// error so one bad request cannot take kiri down.
func runHandler(ctx context.Context, h protocol.Handler, input map[string]any) (out map[string]any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = protocol.Errorf("InternalFailure", http.StatusInternalServerError, "kiri: internal error: %v", p)
		}
	}()
	return h(ctx, input)
}

// modelFor picks the model and codec a request speaks. SQS answers both its
// JSON protocol (new SDKs send X-Amz-Target) and its older query protocol.
func (g *Gateway) modelFor(s *Service, r *http.Request) (*model.API, protocol.Codec) {
	api := s.Model()
	if s.QueryModel != nil && r.Header.Get("X-Amz-Target") == "" {
		api = s.QueryModel()
	}
	return api, g.cfg.Codecs[api.Metadata.Protocol]
}

// identify sets the account and region of the call and, when signature
// checking is on, verifies the signature against the key's secret.
func (g *Gateway) identify(r *http.Request, c *call, sig *auth.Signature) error {
	c.info.Account = g.cfg.DefaultAccount
	c.info.Region = g.cfg.DefaultRegion
	if sig == nil {
		if g.cfg.VerifySignatures {
			return protocol.Errorf("MissingAuthenticationToken", http.StatusForbidden, "Request is missing Authentication Token")
		}
		return nil
	}
	c.info.AccessKey = sig.AccessKey
	c.info.SessionToken = sig.SecurityToken
	if sig.Region != "" {
		c.info.Region = sig.Region
	}
	account, secret, known := g.lookupKey(r.Context(), sig.AccessKey)
	if account != "" {
		c.info.Account = account
	}
	if !g.cfg.VerifySignatures {
		return nil
	}
	if !known {
		return protocol.Errorf("InvalidClientTokenId", http.StatusForbidden, "The security token included in the request is invalid.")
	}
	if err := auth.Verify(r, c.body, sig, secret, time.Now()); err != nil {
		return authError(err)
	}
	return nil
}

// lookupKey resolves an access key to its account: a key kiri issued
// belongs to its owner, a 12-digit key names an account, any other key acts
// in the default account.
func (g *Gateway) lookupKey(ctx context.Context, key string) (account, secret string, known bool) {
	if g.cfg.Credentials != nil {
		if account, secret, ok := g.cfg.Credentials.LookupAccessKey(ctx, key); ok {
			return account, secret, true
		}
	}
	if request.IsAccountID(key) {
		return key, "", false
	}
	return "", "", false
}

// readBody reads the whole request body, undoing aws-chunked encoding.
// Reading it lets net/http answer "Expect: 100-continue" for us.
func (g *Gateway) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var body io.Reader = http.MaxBytesReader(nil, r.Body, g.cfg.MaxBodyBytes)
	if auth.IsChunked(r) {
		body = auth.NewChunkedReader(body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, protocol.Errorf("RequestEntityTooLarge", http.StatusRequestEntityTooLarge, "request body exceeds %d bytes", g.cfg.MaxBodyBytes)
		}
		var ae *auth.Error
		if errors.As(err, &ae) {
			return nil, authError(ae)
		}
		return nil, protocol.Errorf("IncompleteBody", http.StatusBadRequest, "could not read the request body: %v", err)
	}
	return data, nil
}

// formValues parses a query-protocol form body without consuming anything,
// for routing by the API Version field.
func formValues(r *http.Request, body []byte) url.Values {
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		v, _ := url.ParseQuery(string(body))
		return v
	}
	return r.URL.Query()
}

func signingService(sig *auth.Signature) string {
	if sig == nil {
		return ""
	}
	return sig.Service
}

// notImplemented names the operation kiri does not implement (yet).
func notImplemented(s *Service, op *model.Operation) *protocol.Error {
	return protocol.Errorf("NotImplemented", http.StatusNotImplemented,
		"kiri does not implement %s.%s yet (%d of %d %s operations are implemented)",
		s.Model().Metadata.ServiceID, op.Name, s.Implemented(), s.OperationCount, s.Name)
}

// authError maps an authentication failure to the error a client sees.
func authError(err error) *protocol.Error {
	var ae *auth.Error
	if !errors.As(err, &ae) {
		return protocol.AsError(err)
	}
	e := &protocol.Error{Type: ae.Code, Code: ae.Code, Message: ae.Message, Status: ae.Status, Sender: true}
	// The JSON protocols name a bad signature differently from the XML ones.
	if ae.Code == "SignatureDoesNotMatch" {
		e.Type = "InvalidSignatureException"
	}
	return e
}

// fail writes an error in the service's protocol, or as plain XML when the
// request never got as far as a service.
func (g *Gateway) fail(w http.ResponseWriter, r *http.Request, c *call, err error) {
	e := protocol.AsError(err)
	if c.codec == nil {
		writeBareError(w, e, c.info.ID)
		return
	}
	if r.Method == http.MethodHead {
		w = headOnly{w}
	}
	c.codec.EncodeError(w, c.api, c.op, e, c.info.ID)
}

// writeBareError answers requests that reached no service.
func writeBareError(w http.ResponseWriter, e *protocol.Error, requestID string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<ErrorResponse><Error><Code>%s</Code><Message>", e.WireCode())
	_ = xmlEscape(&b, e.Message)
	fmt.Fprintf(&b, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", requestID)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.WriteHeader(e.Status)
	_, _ = w.Write(b.Bytes())
}
