package app

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/auth"
	"github.com/kiricloud/kiri/internal/gateway"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	lambdaservice "github.com/kiricloud/kiri/internal/service/lambda"
)

// maxURLPayload is the function URL request and response payload quota.
const maxURLPayload = 6 * 1024 * 1024

// functionURLs serves Lambda function URLs, on their host
// (<url-id>.lambda-url.<region>.localhost) and under
// /_kiri/lambda-url/<url-id>/: the request becomes a payload format 2.0
// event, the function runs synchronously, and its result becomes the HTTP
// response, as Lambda does. RESPONSE_STREAM URLs are answered buffered.
type functionURLs struct {
	lambda      *lambdaservice.Service
	credentials gateway.Credentials
	verify      bool
	now         func() time.Time
}

// urlRequest is one request to a function URL.
type urlRequest struct {
	id, domain, rawPath string
}

func (h *functionURLs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, ok := parseURLRequest(r)
	if !ok {
		writeURLMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	fu, found, err := h.lambda.LookupFunctionURL(req.id)
	if err != nil {
		writeURLMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if !found {
		writeURLMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	if req.domain == "" {
		req.domain = req.id + ".lambda-url." + fu.Region + ".localhost"
	}
	if fu.Cors != nil && r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		preflight(w, r, fu.Cors)
		return
	}
	addCORS(w, r, fu.Cors)
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxURLPayload))
	if err != nil {
		writeURLMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	caller, status, msg := h.authorize(r, body, fu)
	if status != 0 {
		writeURLMessage(w, status, msg)
		return
	}
	requestID := request.NewID()
	event, err := json.Marshal(urlEvent(r, req, body, caller, requestID, h.now()))
	if err != nil {
		writeURLMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if len(event) > maxURLPayload {
		writeURLMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	ctx := request.With(r.Context(), &request.Info{ID: requestID, Service: "lambda", Operation: "InvokeFunctionUrl",
		Account: fu.Account, Region: fu.Region, Received: time.Now()})
	w.Header().Set("X-Amzn-RequestId", requestID)
	out, err := h.lambda.Invoke(ctx, &lambdaapi.InvocationRequest{FunctionName: api.Ptr(fu.ARN), Payload: event})
	if err != nil {
		if pe, ok := errors.AsType[*protocol.Error](err); ok && pe.Code == "TooManyRequestsException" {
			writeURLMessage(w, http.StatusTooManyRequests, "Rate Exceeded.")
			return
		}
		writeURLMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	if api.Deref(out.FunctionError) != "" {
		writeURLMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	if fu.InvokeMode == "RESPONSE_STREAM" {
		writeStreamedResponse(w, out.Payload)
		return
	}
	writeURLResponse(w, out.Payload)
}

// preludeEnd ends the JSON prelude (statusCode, headers, cookies) that a
// streaming handler writes first through awslambda.HttpResponseStream.
var preludeEnd = make([]byte, 8)

// writeStreamedResponse answers for a RESPONSE_STREAM URL (buffered in
// kiri): the body is what the handler wrote, after its prelude when it
// wrote one; without a prelude it is a 200 of application/octet-stream.
func writeStreamedResponse(w http.ResponseWriter, payload []byte) {
	prelude, body, found := bytes.Cut(payload, preludeEnd)
	var obj map[string]json.RawMessage
	if !found || json.Unmarshal(prelude, &obj) != nil {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(payload)
		return
	}
	if obj["statusCode"] == nil {
		obj["statusCode"] = json.RawMessage("200")
	}
	encoded, _ := json.Marshal(base64.StdEncoding.EncodeToString(body)) // any bytes survive
	obj["body"], obj["isBase64Encoded"] = encoded, json.RawMessage("true")
	writeStructuredResponse(w, obj)
}

// parseURLRequest finds the url-id and the function's path in the host
// form or the path form.
func parseURLRequest(r *http.Request) (urlRequest, bool) {
	raw := r.URL.EscapedPath()
	if id := gateway.FunctionURLID(r.Host); id != "" {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		return urlRequest{id: id, domain: strings.ToLower(host), rawPath: raw}, true
	}
	rest, ok := strings.CutPrefix(raw, gateway.FunctionURLPathPrefix)
	if !ok {
		return urlRequest{}, false
	}
	id, path, _ := strings.Cut(rest, "/")
	if id == "" {
		return urlRequest{}, false
	}
	return urlRequest{id: id, rawPath: "/" + path}, true
}

// authorize applies the URL's AuthType: NONE needs a resource policy
// statement letting "*" call lambda:InvokeFunctionUrl; AWS_IAM needs a
// SigV4-signed request, whose signature is checked with
// --verify-signatures. It returns the IAM caller for AWS_IAM, or an HTTP
// status and message to refuse with.
func (h *functionURLs) authorize(r *http.Request, body []byte, fu *lambdaservice.FunctionURL) (caller map[string]any, status int, msg string) {
	if fu.AuthType == lambdaapi.FunctionUrlAuthTypeNone {
		ok, err := h.lambda.AllowsPublicURLInvoke(fu)
		if err != nil {
			return nil, http.StatusInternalServerError, "Internal Server Error"
		}
		if !ok {
			return nil, http.StatusForbidden, "Forbidden"
		}
		return nil, 0, ""
	}
	sig, err := auth.Parse(r)
	if err != nil || sig == nil || sig.AccessKey == "" {
		return nil, http.StatusForbidden, "Forbidden"
	}
	account, secret, known := "", "", false
	if h.credentials != nil {
		account, secret, known = h.credentials.LookupAccessKey(r.Context(), sig.AccessKey)
	}
	if !known && request.IsAccountID(sig.AccessKey) {
		account = sig.AccessKey
	}
	if h.verify {
		if !known {
			return nil, http.StatusForbidden, "The security token included in the request is invalid."
		}
		if err := auth.Verify(r, body, sig, secret, h.now()); err != nil {
			return nil, http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
		}
	}
	if account == "" {
		account = fu.Account
	}
	return map[string]any{"iam": map[string]any{
		"accessKey": sig.AccessKey, "accountId": account, "callerId": sig.AccessKey,
		"cognitoIdentity": nil, "principalOrgId": nil,
		"userArn": "arn:aws:iam::" + account + ":root", "userId": account,
	}}, 0, ""
}

// urlEvent is the payload format version 2.0 event of a request.
func urlEvent(r *http.Request, req urlRequest, body []byte, caller map[string]any, requestID string, now time.Time) map[string]any {
	headers := map[string]string{}
	for name, values := range r.Header {
		if n := strings.ToLower(name); n != "cookie" {
			headers[n] = strings.Join(values, ",")
		}
	}
	headers["host"] = r.Host
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		headers["x-forwarded-port"] = port
	}
	headers["x-forwarded-proto"] = "http"
	headers["x-forwarded-for"] = sourceIP
	if _, ok := headers["content-length"]; !ok && len(body) > 0 {
		headers["content-length"] = strconv.Itoa(len(body))
	}
	path, err := url.PathUnescape(req.rawPath)
	if err != nil {
		path = req.rawPath
	}
	accountID := "anonymous"
	if caller != nil {
		accountID = caller["iam"].(map[string]any)["accountId"].(string)
	}
	requestContext := map[string]any{
		"accountId": accountID, "apiId": req.id, "domainName": req.domain, "domainPrefix": req.id,
		"http": map[string]any{
			"method": r.Method, "path": path, "protocol": r.Proto, "sourceIp": sourceIP, "userAgent": r.Header.Get("User-Agent"),
		},
		"authentication": nil, "requestId": requestID, "routeKey": "$default", "stage": "$default",
		"time": now.UTC().Format("02/Jan/2006:15:04:05 -0700"), "timeEpoch": now.UnixMilli(),
	}
	if caller != nil {
		requestContext["authorizer"] = caller
	}
	event := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": req.rawPath, "rawQueryString": r.URL.RawQuery,
		"headers": headers, "requestContext": requestContext, "isBase64Encoded": false,
		"pathParameters": nil, "stageVariables": nil,
	}
	var cookies []string
	for _, line := range r.Header.Values("Cookie") {
		for c := range strings.SplitSeq(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				cookies = append(cookies, c)
			}
		}
	}
	if len(cookies) > 0 {
		event["cookies"] = cookies
	}
	if r.URL.RawQuery != "" {
		params := map[string]string{}
		q, _ := url.ParseQuery(r.URL.RawQuery)
		for k, v := range q {
			params[k] = strings.Join(v, ",")
		}
		event["queryStringParameters"] = params
	}
	if len(body) > 0 {
		if isTextBody(r.Header.Get("Content-Type"), body) {
			event["body"] = string(body)
		} else {
			event["body"] = base64.StdEncoding.EncodeToString(body)
			event["isBase64Encoded"] = true
		}
	}
	return event
}

// isTextBody tells text bodies, passed as they are, from binary ones,
// which the event carries base64-encoded.
func isTextBody(contentType string, body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if strings.HasPrefix(mt, "text/") {
		return true
	}
	for _, s := range []string{"json", "xml", "javascript", "x-www-form-urlencoded", "yaml", "graphql"} {
		if strings.Contains(mt, s) {
			return true
		}
	}
	return false
}

// writeURLResponse maps the function's result to the HTTP response: an
// object with a statusCode is the response itself; any other valid JSON is
// a 200 application/json answer whose body is the result (a string's
// text, anything else as JSON).
func writeURLResponse(w http.ResponseWriter, payload []byte) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(payload, &obj) == nil && obj["statusCode"] != nil {
		writeStructuredResponse(w, obj)
		return
	}
	body := payload
	var s string
	if json.Unmarshal(payload, &s) == nil {
		body = []byte(s)
	} else if !json.Valid(payload) {
		writeURLMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func writeStructuredResponse(w http.ResponseWriter, obj map[string]json.RawMessage) {
	var out struct {
		StatusCode      int               `json:"statusCode"`
		Headers         map[string]string `json:"headers"`
		Cookies         []string          `json:"cookies"`
		Body            *string           `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
	}
	raw, _ := json.Marshal(obj)
	if err := json.Unmarshal(raw, &out); err != nil || out.StatusCode < 100 || out.StatusCode > 599 {
		writeURLMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	body := []byte(api.Deref(out.Body))
	if out.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(api.Deref(out.Body))
		if err != nil {
			writeURLMessage(w, http.StatusBadGateway, "Internal Server Error")
			return
		}
		body = decoded
	}
	h := w.Header()
	for k, v := range out.Headers {
		if isCORSHeader(k) && h.Get(k) != "" {
			continue // the URL's CORS configuration wins
		}
		h.Set(k, v)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	for _, c := range out.Cookies {
		h.Add("Set-Cookie", c)
	}
	w.WriteHeader(out.StatusCode)
	_, _ = w.Write(body)
}

func isCORSHeader(name string) bool {
	return strings.HasPrefix(strings.ToLower(name), "access-control-")
}

// writeURLMessage answers with Lambda's {"Message": …} error body.
func writeURLMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusForbidden {
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
	}
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]string{"Message": msg})
	_, _ = w.Write(body)
}

// allowedOrigin returns the Access-Control-Allow-Origin value for origin,
// or "" when the configuration does not allow it.
func allowedOrigin(cors *lambdaapi.Cors, origin string) string {
	if origin == "" {
		return ""
	}
	for _, o := range cors.AllowOrigins {
		if o == "*" {
			return "*"
		}
		if strings.EqualFold(strings.TrimSuffix(o, "/"), origin) || wildcardMatch(o, origin) {
			return origin
		}
	}
	return ""
}

// wildcardMatch matches origins such as https://*.example.com.
func wildcardMatch(pattern, origin string) bool {
	prefix, suffix, ok := strings.Cut(pattern, "*")
	return ok && len(origin) >= len(prefix)+len(suffix) && strings.HasPrefix(origin, prefix) && strings.HasSuffix(origin, suffix)
}

// preflight answers a CORS preflight from the URL's Cors configuration,
// without invoking the function, as Lambda does.
func preflight(w http.ResponseWriter, r *http.Request, cors *lambdaapi.Cors) {
	h := w.Header()
	if allow := allowedOrigin(cors, r.Header.Get("Origin")); allow != "" {
		h.Set("Access-Control-Allow-Origin", allow)
		method := r.Header.Get("Access-Control-Request-Method")
		if slices.Contains(cors.AllowMethods, "*") || slices.ContainsFunc(cors.AllowMethods, func(m string) bool { return strings.EqualFold(m, method) }) {
			h.Set("Access-Control-Allow-Methods", strings.Join(cors.AllowMethods, ","))
		}
		if len(cors.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(cors.AllowHeaders, ","))
		}
		if cors.MaxAge != nil {
			h.Set("Access-Control-Max-Age", strconv.FormatInt(*cors.MaxAge, 10))
		}
		if api.Deref(cors.AllowCredentials) {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if len(cors.ExposeHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(cors.ExposeHeaders, ","))
		}
		h.Add("Vary", "Origin")
	}
	w.WriteHeader(http.StatusOK)
}

// addCORS adds the Access-Control headers of an actual request.
func addCORS(w http.ResponseWriter, r *http.Request, cors *lambdaapi.Cors) {
	if cors == nil {
		return
	}
	allow := allowedOrigin(cors, r.Header.Get("Origin"))
	if allow == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", allow)
	if api.Deref(cors.AllowCredentials) {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(cors.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(cors.ExposeHeaders, ","))
	}
	h.Add("Vary", "Origin")
}
