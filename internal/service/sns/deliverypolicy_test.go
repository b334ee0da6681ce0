package sns

import (
	"reflect"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
)

// TestRetryWaits: the schedule of each backoff function and phase.
func TestRetryWaits(t *testing.T) {
	s := func(secs ...int) []time.Duration {
		out := []time.Duration{}
		for _, n := range secs {
			out = append(out, time.Duration(n)*time.Second)
		}
		return out
	}
	backoff := func(fn string) retryPolicy {
		return retryPolicy{MinDelayTarget: 1, MaxDelayTarget: 101, NumRetries: 4, BackoffFunction: fn}
	}
	tests := []struct {
		name   string
		policy retryPolicy
		want   []time.Duration
	}{
		{"AWS's default", defaultRetryPolicy, s(20, 20, 20)},
		{"no retries", retryPolicy{MinDelayTarget: 5, MaxDelayTarget: 5}, s()},
		{"linear", backoff("linear"), s(26, 51, 76, 101)},
		{"arithmetic", backoff("arithmetic"), s(7, 26, 57, 101)},
		{"geometric", backoff("geometric"), s(3, 14, 43, 101)},
		{"exponential", backoff("exponential"), s(1, 4, 19, 101)},
		{"unnamed is linear", backoff(""), s(26, 51, 76, 101)},
		{"immediate phase", retryPolicy{MinDelayTarget: 3, MaxDelayTarget: 3, NumRetries: 3, NumNoDelayRetries: 2}, s(0, 0, 3)},
		{"pre-backoff phase", retryPolicy{MinDelayTarget: 2, MaxDelayTarget: 8, NumRetries: 3, NumMinDelayRetries: 2}, s(2, 2, 8)},
		{"post-backoff phase", retryPolicy{MinDelayTarget: 2, MaxDelayTarget: 8, NumRetries: 3, NumMaxDelayRetries: 2}, s(8, 8, 8)},
		{"all four phases", retryPolicy{MinDelayTarget: 10, MaxDelayTarget: 30, NumRetries: 8,
			NumNoDelayRetries: 1, NumMinDelayRetries: 2, NumMaxDelayRetries: 3, BackoffFunction: "linear"},
			s(0, 10, 10, 20, 30, 30, 30, 30)},
		{"inconsistent counts are cut to numRetries", retryPolicy{MinDelayTarget: 1, MaxDelayTarget: 1, NumRetries: 2, NumNoDelayRetries: 5}, s(0, 0)},
	}
	for _, tt := range tests {
		if got := tt.policy.waits(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: waits = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestEffectiveHTTPPolicy: the topic's policy over AWS's default, the
// subscription's parts over the topic's unless overrides are disabled.
func TestEffectiveHTTPPolicy(t *testing.T) {
	topic := `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,"numRetries":2},"defaultThrottlePolicy":{"maxReceivesPerSecond":3}}}`
	sub := `{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":7,"backoffFunction":"geometric"},"requestPolicy":{"headerContentType":"application/json"}}`
	locked := `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,"numRetries":2},"disableSubscriptionOverrides":true}}`

	p := effectiveHTTPPolicy("", "")
	if *p.Retry != defaultRetryPolicy || p.Throttle != nil || p.Request.HeaderContentType != defaultContentType {
		t.Fatalf("default = %+v", p)
	}
	p = effectiveHTTPPolicy(topic, "")
	want := retryPolicy{MinDelayTarget: 5, MaxDelayTarget: 10, NumRetries: 2, BackoffFunction: "linear"}
	if *p.Retry != want || p.Throttle.MaxReceivesPerSecond != 3 || p.Request.HeaderContentType != defaultContentType {
		t.Fatalf("topic's = %+v", p)
	}
	p = effectiveHTTPPolicy(topic, sub)
	if p.Retry.NumRetries != 7 || p.Retry.BackoffFunction != "geometric" || p.Throttle.MaxReceivesPerSecond != 3 || p.Request.HeaderContentType != "application/json" {
		t.Fatalf("overridden = %+v", p)
	}
	p = effectiveHTTPPolicy(locked, sub)
	if *p.Retry != want || p.Request.HeaderContentType != defaultContentType {
		t.Fatalf("overrides disabled = %+v", p)
	}
}

func TestDeliveryPolicyValidation(t *testing.T) {
	const retry = `"minDelayTarget":1,"maxDelayTarget":5,"numRetries":3`
	tests := []struct {
		topic  bool
		policy string
		want   string
	}{
		{true, defaultEffectiveDeliveryPolicy, ""},
		{true, `{"http":{"defaultHealthyRetryPolicy":{` + retry + `,"backoffFunction":"exponential"},"defaultThrottlePolicy":{"maxReceivesPerSecond":2}}}`, ""},
		{true, `{"sqs":{"whatever":1}}`, ""},
		{false, `{"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":20,"numRetries":5,"numMaxDelayRetries":null,"backoffFunction":null},"sicklyRetryPolicy":null,"throttlePolicy":null,"guaranteed":false}`, ""},
		{true, `{"http":`, "DeliveryPolicy: failed to parse JSON."},
		{true, `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":"20","maxDelayTarget":20,"numRetries":3}}}`,
			"DeliveryPolicy: http.defaultHealthyRetryPolicy.minDelayTarget type mismatch, expecting integer, received a string"},
		{true, `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":5,"numRetries":101}}}`,
			"DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100"},
		{true, `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":3601,"numRetries":1}}}`,
			"DeliveryPolicy: http.defaultHealthyRetryPolicy.maxDelayTarget must be less than or equal to 3600"},
		{true, `{"http":{"disableSubscriptionOverrides":"yes"}}`,
			"DeliveryPolicy: http.disableSubscriptionOverrides type mismatch, expecting boolean, received a string"},
		{false, `{"healthyRetryPolicy":{"minDelayTarget":0,"maxDelayTarget":0,"numRetries":0}}`,
			"DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1"},
		{false, `{"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":3,"numRetries":1}}`,
			"DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be greater than or equal to minDelayTarget"},
		{false, `{"healthyRetryPolicy":{"minDelayTarget":5,"numRetries":1}}`,
			"DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be specified"},
		{false, `{"healthyRetryPolicy":{` + retry + `,"numNoDelayRetries":2,"numMaxDelayRetries":2}}`,
			"DeliveryPolicy: healthyRetryPolicy.numRetries must be greater than or equal to total of numMinDelayRetries, numNoDelayRetries and numMaxDelayRetries"},
		{false, `{"healthyRetryPolicy":{` + retry + `,"numMinDelayRetries":-1}}`,
			"DeliveryPolicy: healthyRetryPolicy.numMinDelayRetries must be greater than or equal to 0"},
		{false, `{"healthyRetryPolicy":{` + retry + `,"numNoDelayRetries":1.5}}`,
			"DeliveryPolicy: healthyRetryPolicy.numNoDelayRetries type mismatch, expecting integer, received a number"},
		{false, `{"healthyRetryPolicy":{` + retry + `,"backoffFunction":"cubic"}}`,
			"DeliveryPolicy: healthyRetryPolicy.backoffFunction must be one of linear, arithmetic, geometric, exponential"},
		{false, `{"throttlePolicy":{"maxReceivesPerSecond":0}}`,
			"DeliveryPolicy: throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1"},
		{false, `{"requestPolicy":{"headerContentType":1}}`,
			"DeliveryPolicy: requestPolicy.headerContentType type mismatch, expecting string, received a number"},
	}
	for _, tt := range tests {
		if got := checkDeliveryPolicy(tt.policy, tt.topic); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.policy, got, tt.want)
		}
	}
}

// TestDeliveryPolicyErrors: the four calls that take a DeliveryPolicy
// reject a bad one as AWS does, naming Attributes where they came in it.
func TestDeliveryPolicyErrors(t *testing.T) {
	e := newEnv(t)
	bad := `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":5,"numRetries":101}}}`
	reason := "DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100"
	_, err := e.s.CreateTopic(bg, &snsapi.CreateTopicInput{Name: api.Ptr("t"), Attributes: map[string]string{"DeliveryPolicy": bad}})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Attributes Reason: "+reason)
	topic := e.topic(t, "t", nil)
	_, err = e.s.SetTopicAttributes(bg, &snsapi.SetTopicAttributesInput{TopicArn: &topic, AttributeName: api.Ptr("DeliveryPolicy"), AttributeValue: &bad})
	wantError(t, err, "InvalidParameter", "Invalid parameter: "+reason)

	badSub := `{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":5}}`
	subReason := "DeliveryPolicy: healthyRetryPolicy.numRetries must be specified"
	_, err = e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: api.Ptr("http"), Endpoint: api.Ptr("http://example.com/"),
		Attributes: map[string]string{"DeliveryPolicy": badSub}})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Attributes Reason: "+subReason)
	sub := e.subscribe(t, topic, "sqs", queueArn, nil)
	_, err = e.s.SetSubscriptionAttributes(bg, &snsapi.SetSubscriptionAttributesInput{SubscriptionArn: &sub, AttributeName: api.Ptr("DeliveryPolicy"), AttributeValue: &badSub})
	wantError(t, err, "InvalidParameter", "Invalid parameter: "+subReason)
}

// TestEffectiveDeliveryPolicy: a topic reports its policy over the
// default; an http subscription the policy its deliveries follow.
func TestEffectiveDeliveryPolicy(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", map[string]string{"DeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,"numRetries":4,"backoffFunction":"exponential"},"defaultThrottlePolicy":{"maxReceivesPerSecond":2}}}`})
	attrs := must(e.s.GetTopicAttributes(bg, &snsapi.GetTopicAttributesInput{TopicArn: &topic}))(t).Attributes
	want := `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,"numRetries":4,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"exponential"},"disableSubscriptionOverrides":false,"defaultThrottlePolicy":{"maxReceivesPerSecond":2},"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`
	if got := attrs["EffectiveDeliveryPolicy"]; got != want {
		t.Fatalf("topic's EffectiveDeliveryPolicy =\n%s\nwant\n%s", got, want)
	}
	if got := topicEffectivePolicy(""); got != defaultEffectiveDeliveryPolicy {
		t.Fatalf("default = %s", got)
	}

	sub := e.subscribe(t, topic, "http", "http://example.com/", map[string]string{"DeliveryPolicy": `{"requestPolicy":{"headerContentType":"application/json"}}`})
	sa := must(e.s.GetSubscriptionAttributes(bg, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &sub}))(t).Attributes
	want = `{"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,"numRetries":4,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"exponential"},"sicklyRetryPolicy":null,"throttlePolicy":{"maxReceivesPerSecond":2},"requestPolicy":{"headerContentType":"application/json"},"guaranteed":false}`
	if got := sa["EffectiveDeliveryPolicy"]; got != want {
		t.Fatalf("subscription's EffectiveDeliveryPolicy =\n%s\nwant\n%s", got, want)
	}
}

// confirmedHTTP subscribes ep to topic and confirms the subscription,
// then forgets the confirmation request.
func confirmedHTTP(t *testing.T, e *env, ep *endpoint, topic string, attrs map[string]string) string {
	t.Helper()
	must(e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: api.Ptr("http"), Endpoint: api.Ptr(ep.URL), Attributes: attrs}))(t)
	e.s.wait()
	token := parseDoc(t, ep.requests()[0].body).str("Token")
	arn := *must(e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: &token}))(t).SubscriptionArn
	ep.mu.Lock()
	ep.got = nil
	ep.mu.Unlock()
	return arn
}

func (ep *endpoint) failNext(n int) {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	ep.fail = n
}

// TestHTTPDeliveryFollowsPolicy counts the attempts at deliveries to an
// endpoint that fails, under the topic's and the subscription's policies.
func TestHTTPDeliveryFollowsPolicy(t *testing.T) {
	twoRetries := `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":2,"numRetries":2,"numNoDelayRetries":1}}}`
	oneRetry := `{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":1},"requestPolicy":{"headerContentType":"application/json"}}`
	locked := `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":2,"numRetries":2},"disableSubscriptionOverrides":true}}`
	dlq := "arn:aws:sqs:us-east-1:123456789012:dlq"
	tests := []struct {
		name           string
		topicDP, subDP string
		fail           int
		attempts       int
		deadLettered   bool
		contentType    string
	}{
		{"default policy: a retry cures it", "", "", 2, 3, false, defaultContentType},
		{"default policy: given up after three retries", "", "", 100, 4, true, defaultContentType},
		{"topic's policy", twoRetries, "", 100, 3, true, defaultContentType},
		{"subscription's override", twoRetries, oneRetry, 100, 2, true, "application/json"},
		{"overrides disabled", locked, oneRetry, 100, 3, true, defaultContentType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ep := newEndpoint(t)
			attrs := map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlq + `"}`}
			if tt.subDP != "" {
				attrs["DeliveryPolicy"] = tt.subDP
			}
			var topicAttrs map[string]string
			if tt.topicDP != "" {
				topicAttrs = map[string]string{"DeliveryPolicy": tt.topicDP}
			}
			topic := e.topic(t, "t", topicAttrs)
			confirmedHTTP(t, e, ep, topic, attrs)
			ep.failNext(tt.fail)
			e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m")})
			reqs := ep.requests()
			if len(reqs) != tt.attempts {
				t.Fatalf("attempts = %d, want %d", len(reqs), tt.attempts)
			}
			for _, r := range reqs {
				if parseDoc(t, r.body).str("Message") != "m" || r.header.Get("Content-Type") != tt.contentType {
					t.Fatalf("request = %+v", r)
				}
			}
			if sent := e.sqs.sent(); tt.deadLettered != (len(sent) == 1 && sent[0].QueueArn == dlq) || len(sent) > 1 {
				t.Fatalf("dead letters = %+v", sent)
			}
			if p := pendingDeliveries(t, e.st); len(p) != 0 {
				t.Fatalf("pending = %+v", p)
			}
		})
	}
}

// TestPlanStoredWithDelivery: the schedule is fixed at publish and stored,
// so changing the policy later does not change a pending delivery's.
func TestPlanStoredWithDelivery(t *testing.T) {
	st := memoryStore(t)
	q := &gatedQueues{gate: make(chan struct{})}
	e := newEnvWith(t, st, q, 0, []time.Duration{time.Second, time.Minute})
	topic := e.topic(t, "t", map[string]string{"DeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":3,"maxDelayTarget":9,"numRetries":2},"defaultRequestPolicy":{"headerContentType":"application/json"}}}`})
	e.subscribe(t, topic, "sqs", queueArn, nil)
	must(e.s.Publish(bg, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m")}))(t)
	p := pendingDeliveries(t, st)
	if len(p) != 1 || !reflect.DeepEqual(p[0].Plan, &deliveryPlan{Waits: []int64{1000, 60000}}) {
		t.Fatalf("sqs plan = %+v", p[0].Plan)
	}
	close(q.gate)
	e.s.wait()

	sub := &subRec{Protocol: "https", Attrs: map[string]string{"DeliveryPolicy": `{"throttlePolicy":{"maxReceivesPerSecond":5}}`}}
	plan := e.s.plan(`{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":3,"maxDelayTarget":9,"numRetries":2},"defaultRequestPolicy":{"headerContentType":"application/json"}}}`, sub)
	if !reflect.DeepEqual(plan, &deliveryPlan{Waits: []int64{6000, 9000}, ContentType: "application/json", PerSecond: 5}) {
		t.Fatalf("https plan = %+v", plan)
	}
}

// TestThrottledDeliveries: a throttled subscription still gets every
// message (the spacing itself is scaled down to nothing in tests).
func TestThrottledDeliveries(t *testing.T) {
	e := newEnv(t)
	ep := newEndpoint(t)
	topic := e.topic(t, "t", nil)
	confirmedHTTP(t, e, ep, topic, map[string]string{"DeliveryPolicy": `{"throttlePolicy":{"maxReceivesPerSecond":1}}`})
	for range 3 {
		e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m")})
	}
	if n := len(ep.requests()); n != 3 {
		t.Fatalf("deliveries = %d", n)
	}
}
