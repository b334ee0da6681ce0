package sns

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Delivery policies (the DeliveryPolicy attribute) say how SNS retries
// deliveries to http/https endpoints, how fast it may send to them and
// with what Content-Type. A topic's policy holds the defaults for its
// subscriptions under "http":
//
//	{"http": {"defaultHealthyRetryPolicy": {...}, "disableSubscriptionOverrides": false,
//	          "defaultThrottlePolicy": {"maxReceivesPerSecond": 10},
//	          "defaultRequestPolicy": {"headerContentType": "application/json"}}}
//
// A subscription's policy ({"healthyRetryPolicy", "throttlePolicy",
// "requestPolicy"}) replaces the topic's parts it names, unless the topic
// sets disableSubscriptionOverrides.

const (
	defaultContentType = "text/plain; charset=UTF-8"
	maxPolicyRetries   = 100  // numRetries
	maxPolicyDelay     = 3600 // seconds, minDelayTarget and maxDelayTarget
)

// retryPolicy is a healthyRetryPolicy, delays in seconds. The field order
// is the one AWS reports in EffectiveDeliveryPolicy.
type retryPolicy struct {
	MinDelayTarget     int    `json:"minDelayTarget"`
	MaxDelayTarget     int    `json:"maxDelayTarget"`
	NumRetries         int    `json:"numRetries"`
	NumMaxDelayRetries int    `json:"numMaxDelayRetries"`
	NumNoDelayRetries  int    `json:"numNoDelayRetries"`
	NumMinDelayRetries int    `json:"numMinDelayRetries"`
	BackoffFunction    string `json:"backoffFunction"`
}

// defaultRetryPolicy is AWS's for http/https: three retries 20 s apart.
var defaultRetryPolicy = retryPolicy{MinDelayTarget: 20, MaxDelayTarget: 20, NumRetries: 3, BackoffFunction: "linear"}

type throttlePolicy struct {
	MaxReceivesPerSecond int `json:"maxReceivesPerSecond"`
}

type requestPolicy struct {
	HeaderContentType string `json:"headerContentType"`
}

// topicPolicy is a topic's DeliveryPolicy, read from the attribute and
// written as its EffectiveDeliveryPolicy.
type topicPolicy struct {
	HTTP httpDefaults `json:"http"`
}

type httpDefaults struct {
	Retry                        *retryPolicy    `json:"defaultHealthyRetryPolicy,omitempty"`
	DisableSubscriptionOverrides bool            `json:"disableSubscriptionOverrides"`
	Throttle                     *throttlePolicy `json:"defaultThrottlePolicy,omitempty"`
	Request                      *requestPolicy  `json:"defaultRequestPolicy,omitempty"`
}

// subPolicy is a subscription's DeliveryPolicy, read from the attribute
// and written as its EffectiveDeliveryPolicy in AWS's form, which always
// shows sicklyRetryPolicy and guaranteed (kiri has no use for either).
type subPolicy struct {
	Retry      *retryPolicy    `json:"healthyRetryPolicy"`
	Sickly     *struct{}       `json:"sicklyRetryPolicy"`
	Throttle   *throttlePolicy `json:"throttlePolicy"`
	Request    *requestPolicy  `json:"requestPolicy,omitempty"`
	Guaranteed bool            `json:"guaranteed"`
}

// topicHTTPPolicy is a topic's http policy over AWS's default. Stored
// policies were validated, so a part that does not decode (one stored by
// an older kiri) is left at its default.
func topicHTTPPolicy(deliveryPolicy string) httpDefaults {
	var p topicPolicy
	if deliveryPolicy != "" {
		_ = json.Unmarshal([]byte(deliveryPolicy), &p)
	}
	h := p.HTTP
	h.Retry = withRetryDefaults(h.Retry)
	if h.Request == nil || h.Request.HeaderContentType == "" {
		h.Request = &requestPolicy{HeaderContentType: defaultContentType}
	}
	if h.Throttle != nil && h.Throttle.MaxReceivesPerSecond <= 0 {
		h.Throttle = nil
	}
	return h
}

// withRetryDefaults is r, or AWS's default without one, with the default
// backoff function when it names none.
func withRetryDefaults(r *retryPolicy) *retryPolicy {
	out := defaultRetryPolicy
	if r != nil {
		out = *r
	}
	if out.BackoffFunction == "" {
		out.BackoffFunction = "linear"
	}
	return &out
}

// effectiveHTTPPolicy is the policy deliveries to an http/https
// subscription follow: the topic's, with the parts the subscription's own
// policy names in their place unless the topic disables overrides.
func effectiveHTTPPolicy(topicDP, subDP string) subPolicy {
	h := topicHTTPPolicy(topicDP)
	eff := subPolicy{Retry: h.Retry, Throttle: h.Throttle, Request: h.Request}
	if h.DisableSubscriptionOverrides || subDP == "" {
		return eff
	}
	var sp subPolicy
	_ = json.Unmarshal([]byte(subDP), &sp)
	if sp.Retry != nil {
		eff.Retry = withRetryDefaults(sp.Retry)
	}
	if sp.Throttle != nil && sp.Throttle.MaxReceivesPerSecond > 0 {
		eff.Throttle = sp.Throttle
	}
	if sp.Request != nil && sp.Request.HeaderContentType != "" {
		eff.Request = sp.Request
	}
	return eff
}

// topicEffectivePolicy is a topic's EffectiveDeliveryPolicy.
func topicEffectivePolicy(deliveryPolicy string) string {
	return mustJSON(topicPolicy{HTTP: topicHTTPPolicy(deliveryPolicy)})
}

// subEffectivePolicy is an http/https subscription's EffectiveDeliveryPolicy.
func subEffectivePolicy(topicDP, subDP string) string {
	return mustJSON(effectiveHTTPPolicy(topicDP, subDP))
}

func mustJSON(v any) string {
	b, err := marshalNoEscape(v)
	if err != nil {
		panic(err) // plain structs of ints, strings and bools
	}
	return string(b)
}

// backoffCurves shape the backoff phase: each rises from 0 to 1 as the
// phase goes from its start (x near 0) to its last retry (x = 1). AWS
// documents only their shapes (a chart in which linear is straight and
// arithmetic, geometric and exponential start ever slower and end ever
// steeper), not their formulas, so these are kiri's.
var backoffCurves = map[string]func(x float64) float64{
	"linear":      func(x float64) float64 { return x },
	"arithmetic":  func(x float64) float64 { return x * x },
	"geometric":   func(x float64) float64 { return x * x * x },
	"exponential": func(x float64) float64 { return (math.Exp2(10*x) - 1) / 1023 },
}

// waits returns the wait before each retry p allows, in AWS's four
// phases: numNoDelayRetries at once, numMinDelayRetries minDelayTarget
// apart, the backoff phase (the retries the others leave) rising along
// the backoff function to maxDelayTarget, then numMaxDelayRetries
// maxDelayTarget apart. AWS adds jitter; kiri does not, so tests and
// users see the policy as written.
func (p retryPolicy) waits() []time.Duration {
	lo, hi := float64(p.MinDelayTarget), float64(p.MaxDelayTarget)
	backoff := max(p.NumRetries-p.NumNoDelayRetries-p.NumMinDelayRetries-p.NumMaxDelayRetries, 0)
	curve := backoffCurves[p.BackoffFunction]
	if curve == nil {
		curve = backoffCurves["linear"]
	}
	out := make([]time.Duration, 0, max(p.NumRetries, 0))
	out = appendWaits(out, p.NumNoDelayRetries, 0)
	out = appendWaits(out, p.NumMinDelayRetries, lo)
	for k := 1; k <= backoff; k++ {
		out = append(out, seconds(lo+(hi-lo)*curve(float64(k)/float64(backoff))))
	}
	out = appendWaits(out, p.NumMaxDelayRetries, hi)
	if len(out) > max(p.NumRetries, 0) {
		out = out[:max(p.NumRetries, 0)] // an inconsistent policy an older kiri stored
	}
	return out
}

func appendWaits(out []time.Duration, n int, secs float64) []time.Duration {
	for range n {
		out = append(out, seconds(secs))
	}
	return out
}

// seconds rounds to whole seconds, the unit of AWS's delay targets.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s)) * time.Second }

// checkDeliveryPolicy validates a DeliveryPolicy, a topic's or a
// subscription's, and returns AWS's reason for rejecting it ("" if it is
// valid), such as "DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries
// must be less than or equal to 100".
func checkDeliveryPolicy(value string, topic bool) string {
	if value == "" {
		return ""
	}
	doc, ok := decodeObject(value)
	if !ok {
		return "DeliveryPolicy: failed to parse JSON."
	}
	var reason string
	if topic {
		reason = checkTopicPolicy(doc)
	} else {
		reason = checkParts(doc, "", "healthyRetryPolicy", "throttlePolicy", "requestPolicy")
	}
	if reason != "" {
		return "DeliveryPolicy: " + reason
	}
	return ""
}

// decodeObject decodes a JSON object keeping numbers as written, so that
// 1.5 can be told from 1.
func decodeObject(s string) (map[string]any, bool) {
	if !isJSONObject(s) {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var doc map[string]any
	return doc, dec.Decode(&doc) == nil
}

func checkTopicPolicy(doc map[string]any) string {
	raw, ok := doc["http"]
	if !ok || raw == nil {
		return "" // other protocols' policies are AWS's own; kiri ignores them
	}
	h, ok := raw.(map[string]any)
	if !ok {
		return mismatch("http", "object", raw)
	}
	if v, ok := h["disableSubscriptionOverrides"]; ok && v != nil {
		if _, ok := v.(bool); !ok {
			return mismatch("http.disableSubscriptionOverrides", "boolean", v)
		}
	}
	return checkParts(h, "http.", "defaultHealthyRetryPolicy", "defaultThrottlePolicy", "defaultRequestPolicy")
}

// checkParts checks the retry, throttle and request parts of a policy
// under the names it gives them; path prefixes them in reasons.
func checkParts(doc map[string]any, path, retry, throttle, request string) string {
	checks := []struct {
		name  string
		check func(path string, m map[string]any) string
	}{{retry, checkRetryPolicy}, {throttle, checkThrottlePolicy}, {request, checkRequestPolicy}}
	for _, c := range checks {
		raw, ok := doc[c.name]
		if !ok || raw == nil {
			continue
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return mismatch(path+c.name, "object", raw)
		}
		if reason := c.check(path+c.name, m); reason != "" {
			return reason
		}
	}
	return ""
}

// checkRetryPolicy applies AWS's limits to a healthyRetryPolicy.
func checkRetryPolicy(path string, m map[string]any) string {
	for _, f := range []string{"minDelayTarget", "maxDelayTarget", "numRetries"} {
		if v, ok := m[f]; !ok || v == nil {
			return path + "." + f + " must be specified"
		}
	}
	n := map[string]int{}
	for _, f := range []string{"minDelayTarget", "maxDelayTarget", "numRetries", "numNoDelayRetries", "numMinDelayRetries", "numMaxDelayRetries"} {
		v, ok := m[f]
		if !ok || v == nil {
			continue
		}
		i, reason := intField(path+"."+f, v)
		if reason != "" {
			return reason
		}
		n[f] = i
	}
	limits := []struct {
		field  string
		lo, hi int
	}{
		{"minDelayTarget", 1, maxPolicyDelay},
		{"maxDelayTarget", 1, maxPolicyDelay},
		{"numRetries", 0, maxPolicyRetries},
		{"numNoDelayRetries", 0, math.MaxInt},
		{"numMinDelayRetries", 0, math.MaxInt},
		{"numMaxDelayRetries", 0, math.MaxInt},
	}
	for _, l := range limits {
		if n[l.field] < l.lo {
			return fmt.Sprintf("%s.%s must be greater than or equal to %d", path, l.field, l.lo)
		}
		if n[l.field] > l.hi {
			return fmt.Sprintf("%s.%s must be less than or equal to %d", path, l.field, l.hi)
		}
	}
	if n["maxDelayTarget"] < n["minDelayTarget"] {
		return path + ".maxDelayTarget must be greater than or equal to minDelayTarget"
	}
	if n["numRetries"] < n["numNoDelayRetries"]+n["numMinDelayRetries"]+n["numMaxDelayRetries"] {
		return path + ".numRetries must be greater than or equal to total of numMinDelayRetries, numNoDelayRetries and numMaxDelayRetries"
	}
	if v, ok := m["backoffFunction"]; ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return mismatch(path+".backoffFunction", "string", v)
		}
		if backoffCurves[s] == nil {
			return path + ".backoffFunction must be one of linear, arithmetic, geometric, exponential"
		}
	}
	return ""
}

func checkThrottlePolicy(path string, m map[string]any) string {
	v, ok := m["maxReceivesPerSecond"]
	if !ok || v == nil {
		return ""
	}
	n, reason := intField(path+".maxReceivesPerSecond", v)
	if reason == "" && n < 1 {
		reason = path + ".maxReceivesPerSecond must be greater than or equal to 1"
	}
	return reason
}

func checkRequestPolicy(path string, m map[string]any) string {
	if v, ok := m["headerContentType"]; ok && v != nil {
		if _, ok := v.(string); !ok {
			return mismatch(path+".headerContentType", "string", v)
		}
	}
	return ""
}

// intField reads an integer, or gives AWS's reason it is not one.
func intField(path string, v any) (int, string) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, mismatch(path, "integer", v)
	}
	i, err := strconv.Atoi(num.String())
	if err != nil {
		return 0, mismatch(path, "integer", v)
	}
	return i, ""
}

// mismatch is AWS's reason for a value of the wrong JSON type.
func mismatch(path, want string, got any) string {
	kind := "object"
	switch got.(type) {
	case string:
		kind = "string"
	case bool:
		kind = "boolean"
	case json.Number:
		kind = "number"
	case []any:
		kind = "array"
	}
	return fmt.Sprintf("%s type mismatch, expecting %s, received a %s", path, want, kind)
}
