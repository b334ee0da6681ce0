package sns

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

const queueArn = "arn:aws:sqs:us-east-1:123456789012:mailsendqueue000"

func strAttr(v string) snsapi.MessageAttributeValue {
	return snsapi.MessageAttributeValue{DataType: api.Ptr("String"), StringValue: api.Ptr(v)}
}

func TestPublishToSQS(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", nil)
	sub := e.subscribe(t, topic, "sqs", queueArn, nil)
	out := e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("mailsendqueue000"),
		MessageAttributes: map[string]snsapi.MessageAttributeValue{
			"store": strAttr("example_corp"),
			"bin":   {DataType: api.Ptr("Binary"), BinaryValue: []byte("hi")},
		}})
	if out.SequenceNumber != nil || len(*out.MessageId) != 36 {
		t.Fatalf("Publish = %+v", out)
	}
	sent := e.sqs.sent()
	if len(sent) != 1 || sent[0].QueueArn != queueArn || sent[0].Attrs != nil || sent[0].GroupID != "" {
		t.Fatalf("sent = %+v", sent)
	}
	if info := request.From(sent[0].Ctx); info.Account != testAccount || info.Region != testRegion {
		t.Fatalf("delivery acts in %s/%s", info.Account, info.Region)
	}
	d := parseDoc(t, sent[0].Body)
	// No Subject: the key is left out.
	want := []string{"Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"}
	if !reflect.DeepEqual(d.keys, want) {
		t.Fatalf("keys = %v", d.keys)
	}
	if d.str("Type") != "Notification" || d.str("MessageId") != *out.MessageId || d.str("TopicArn") != topic || d.str("Message") != "mailsendqueue000" ||
		!strings.Contains(d.str("UnsubscribeURL"), "SubscriptionArn="+sub) {
		t.Fatalf("body = %s", sent[0].Body)
	}
	ts := d.str("Timestamp")
	if len(ts) != len("2017-08-15T17:19:12.905Z") || ts[10] != 'T' || ts[19] != '.' || !strings.HasSuffix(ts, "Z") {
		t.Fatalf("Timestamp = %s", ts)
	}
	attrs := d.fields["MessageAttributes"].(map[string]any)
	if !reflect.DeepEqual(attrs["store"], map[string]any{"Type": "String", "Value": "example_corp"}) ||
		!reflect.DeepEqual(attrs["bin"], map[string]any{"Type": "Binary", "Value": "aGk="}) {
		t.Fatalf("MessageAttributes = %v", attrs)
	}
	if err := verifyDoc(e.s.SigningCertPEM(), d); err != nil {
		t.Fatalf("signature: %v", err)
	}
}

func TestPublishRawToSQS(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", nil)
	e.subscribe(t, topic, "sqs", queueArn, map[string]string{"RawMessageDelivery": "true"})
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("plain"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"n": {DataType: api.Ptr("Number"), StringValue: api.Ptr("42")}}})
	sent := e.sqs.sent()
	if len(sent) != 1 || sent[0].Body != "plain" || !reflect.DeepEqual(sent[0].Attrs, map[string]MessageAttribute{"n": {DataType: "Number", StringValue: "42"}}) {
		t.Fatalf("sent = %+v", sent)
	}
}

func TestPublishToLambda(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "bounce-notifications", nil)
	fn := "arn:aws:lambda:us-east-1:123456789012:function:bounce"
	sub := e.subscribe(t, topic, "lambda", fn, nil)
	// Publishing N times makes N invocations, one record each.
	for range 3 {
		e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("mailsendqueue000")})
	}
	calls := e.fns.invoked()
	if len(calls) != 3 || calls[0].Arn != fn {
		t.Fatalf("calls = %d", len(calls))
	}
	var ev struct {
		Records []struct {
			EventSource, EventVersion, EventSubscriptionArn string
			Sns                                             map[string]any
		}
	}
	if err := json.Unmarshal(calls[0].Payload, &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("payload = %s (%v)", calls[0].Payload, err)
	}
	r := ev.Records[0]
	if r.EventSource != "aws:sns" || r.EventVersion != "1.0" || r.EventSubscriptionArn != sub {
		t.Fatalf("record = %+v", r)
	}
	for _, k := range []string{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertUrl", "UnsubscribeUrl", "MessageAttributes"} {
		if _, ok := r.Sns[k]; !ok {
			t.Errorf("Sns.%s missing", k)
		}
	}
	if r.Sns["Subject"] != nil || r.Sns["Message"] != "mailsendqueue000" || r.Sns["Type"] != "Notification" || r.Sns["TopicArn"] != topic ||
		!reflect.DeepEqual(r.Sns["MessageAttributes"], map[string]any{}) || r.Sns["SigningCertUrl"] != testEndpoint+SigningCertPath {
		t.Fatalf("Sns = %v", r.Sns)
	}

	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), Subject: api.Ptr("S"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"Test": strAttr("TestString")}})
	calls = e.fns.invoked()
	_ = json.Unmarshal(calls[3].Payload, &ev)
	if sns := ev.Records[0].Sns; sns["Subject"] != "S" || !reflect.DeepEqual(sns["MessageAttributes"], map[string]any{"Test": map[string]any{"Type": "String", "Value": "TestString"}}) {
		t.Fatalf("Sns = %v", sns)
	}
}

func TestMessageStructureJSON(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", nil)
	e.subscribe(t, topic, "sqs", queueArn, map[string]string{"RawMessageDelivery": "true"})
	e.subscribe(t, topic, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:f", nil)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, MessageStructure: api.Ptr("json"), Message: api.Ptr(`{"default":"for all","sqs":"for queues"}`)})
	if sent := e.sqs.sent(); len(sent) != 1 || sent[0].Body != "for queues" {
		t.Fatalf("sqs = %+v", sent)
	}
	var ev struct {
		Records []struct{ Sns struct{ Message string } }
	}
	_ = json.Unmarshal(e.fns.invoked()[0].Payload, &ev)
	if ev.Records[0].Sns.Message != "for all" {
		t.Fatalf("lambda message = %q", ev.Records[0].Sns.Message)
	}
	_, err := e.s.Publish(bg, &snsapi.PublishInput{TopicArn: &topic, MessageStructure: api.Ptr("json"), Message: api.Ptr(`{"sqs":"x"}`)})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body")
	_, err = e.s.Publish(bg, &snsapi.PublishInput{TopicArn: &topic, MessageStructure: api.Ptr("json"), Message: api.Ptr(`not json`)})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Message Structure - JSON message body failed to parse")
}

func TestPublishValidation(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", nil)
	cases := []struct {
		in         *snsapi.PublishInput
		code, text string
	}{
		{&snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("")}, "InvalidParameter", "Invalid parameter: Empty message"},
		{&snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr(strings.Repeat("x", 256*1024+1))}, "InvalidParameter", "Invalid parameter: Message too long"},
		{&snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), Subject: api.Ptr(strings.Repeat("s", 101))}, "InvalidParameter", "Invalid parameter: Subject"},
		{&snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), Subject: api.Ptr("two\nlines")}, "InvalidParameter", "Invalid parameter: Subject"},
		{&snsapi.PublishInput{Message: api.Ptr("m")}, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"},
		{&snsapi.PublishInput{TopicArn: api.Ptr(topic + "x"), Message: api.Ptr("m")}, "NotFound", "Topic does not exist"},
		{&snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"a": {DataType: api.Ptr("Date"), StringValue: api.Ptr("x")}}},
			"ParameterValueInvalid", "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
		{&snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"a": {DataType: api.Ptr("Number"), StringValue: api.Ptr("x")}}},
			"ParameterValueInvalid", ""},
		{&snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"a": {DataType: api.Ptr("String.Array"), StringValue: api.Ptr("[1,")}}},
			"ParameterValueInvalid", ""},
		{&snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), MessageDeduplicationId: api.Ptr("d")}, "InvalidParameter", ""},
	}
	for i, c := range cases {
		_, err := e.s.Publish(bg, c.in)
		if err == nil {
			t.Fatalf("case %d: no error", i)
		}
		wantError(t, err, c.code, c.text)
	}
	// TargetArn works like TopicArn; String.Array and custom types pass.
	must(e.s.Publish(bg, &snsapi.PublishInput{TargetArn: &topic, Message: api.Ptr("m"), MessageAttributes: map[string]snsapi.MessageAttributeValue{
		"a": {DataType: api.Ptr("String.Array"), StringValue: api.Ptr(`["x",1]`)}, "b": {DataType: api.Ptr("Number.int"), StringValue: api.Ptr("7")}}}))(t)
}

func TestFilterPolicy(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", nil)
	e.subscribe(t, topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:a", map[string]string{"FilterPolicy": `{"kind":["a"]}`})
	e.subscribe(t, topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:body", map[string]string{"FilterPolicy": `{"kind":["b"]}`, "FilterPolicyScope": "MessageBody"})
	e.subscribe(t, topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:all", nil)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr(`{"kind":"b"}`), MessageAttributes: map[string]snsapi.MessageAttributeValue{"kind": strAttr("a")}})
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr(`{"kind":"c"}`)})
	got := map[string]int{}
	for _, c := range e.sqs.sent() {
		got[c.QueueArn[strings.LastIndexByte(c.QueueArn, ':')+1:]]++
	}
	if !reflect.DeepEqual(got, map[string]int{"a": 1, "body": 1, "all": 2}) {
		t.Fatalf("deliveries = %v", got)
	}
}

func TestPendingSubscriptionsGetNothing(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", nil)
	e.subscribe(t, topic, "email-json", "a@example.com", nil)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m")})
	if mails := must(e.mails.List(""))(t); len(mails) != 1 { // the confirmation only
		t.Fatalf("mails = %d", len(mails))
	}
}

func TestEmailJSON(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", nil)
	must(e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: api.Ptr("email-json"), Endpoint: api.Ptr("a@example.com")}))(t)
	mail := must(e.mails.List(""))(t)[0]
	token := must(urlQuery(findLink(t, mail.Text, testEndpoint)))(t).Get("Token")
	must(e.s.ConfirmSubscription(bg, &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: &token}))(t)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), Subject: api.Ptr("Hi")})
	mails := must(e.mails.List(""))(t)
	d := parseDoc(t, mails[1].Text)
	if mails[1].Subject != "Hi" || d.str("Type") != "Notification" || d.str("Message") != "m" {
		t.Fatalf("mail = %+v", mails[1])
	}
}

func TestFIFO(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "orders.fifo", map[string]string{"FifoTopic": "true"})
	cbd := e.topic(t, "cbd.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	fifoQueue := "arn:aws:sqs:us-east-1:123456789012:q.fifo"
	e.subscribe(t, topic, "sqs", fifoQueue, nil)
	e.subscribe(t, cbd, "sqs", fifoQueue, nil)
	_, err := e.s.Subscribe(bg, &snsapi.SubscribeInput{TopicArn: &topic, Protocol: api.Ptr("lambda"), Endpoint: api.Ptr("arn:aws:lambda:us-east-1:123456789012:function:f")})
	wantError(t, err, "InvalidParameter", "")

	_, err = e.s.Publish(bg, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), MessageDeduplicationId: api.Ptr("d")})
	wantError(t, err, "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
	_, err = e.s.Publish(bg, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), MessageGroupId: api.Ptr("g")})
	wantError(t, err, "InvalidParameter", "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")

	first := e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), MessageGroupId: api.Ptr("g"), MessageDeduplicationId: api.Ptr("d1")})
	dup := e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("other"), MessageGroupId: api.Ptr("g"), MessageDeduplicationId: api.Ptr("d1")})
	second := e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), MessageGroupId: api.Ptr("g"), MessageDeduplicationId: api.Ptr("d2")})
	if first.SequenceNumber == nil || len(*first.SequenceNumber) != 20 || *dup.MessageId != *first.MessageId || *dup.SequenceNumber != *first.SequenceNumber ||
		*second.SequenceNumber <= *first.SequenceNumber {
		t.Fatalf("first %+v dup %+v second %+v", first, dup, second)
	}
	e.publish(t, &snsapi.PublishInput{TopicArn: &cbd, Message: api.Ptr("same"), MessageGroupId: api.Ptr("g")})
	e.publish(t, &snsapi.PublishInput{TopicArn: &cbd, Message: api.Ptr("same"), MessageGroupId: api.Ptr("g")})
	sent := e.sqs.sent()
	if len(sent) != 3 {
		t.Fatalf("sent = %d", len(sent))
	}
	if sent[0].GroupID != "g" || sent[0].DedupID != "d1" || len(sent[2].DedupID) != 64 {
		t.Fatalf("sent = %+v", sent)
	}
	if d := parseDoc(t, sent[0].Body); d.str("SequenceNumber") != *first.SequenceNumber {
		t.Fatalf("body = %s", sent[0].Body)
	}
}

func TestPublishBatch(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", nil)
	e.subscribe(t, topic, "sqs", queueArn, map[string]string{"RawMessageDelivery": "true"})
	out := must(e.s.PublishBatch(bg, &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snsapi.PublishBatchRequestEntry{
		{Id: api.Ptr("ok1"), Message: api.Ptr("one")},
		{Id: api.Ptr("bad"), Message: api.Ptr("x"), MessageStructure: api.Ptr("json")},
		{Id: api.Ptr("ok2"), Message: api.Ptr("two")},
	}}))(t)
	e.s.wait()
	if len(out.Successful) != 2 || *out.Successful[0].Id != "ok1" || *out.Successful[1].Id != "ok2" || out.Successful[0].MessageId == nil {
		t.Fatalf("Successful = %+v", out.Successful)
	}
	if len(out.Failed) != 1 || *out.Failed[0].Id != "bad" || *out.Failed[0].Code != "InvalidParameter" || !*out.Failed[0].SenderFault ||
		*out.Failed[0].Message != "Invalid parameter: Message Structure - JSON message body failed to parse" {
		t.Fatalf("Failed = %+v", out.Failed)
	}
	bodies := []string{}
	for _, c := range e.sqs.sent() {
		bodies = append(bodies, c.Body)
	}
	if len(bodies) != 2 {
		t.Fatalf("bodies = %v", bodies)
	}

	entry := func(id string) snsapi.PublishBatchRequestEntry {
		return snsapi.PublishBatchRequestEntry{Id: api.Ptr(id), Message: api.Ptr("m")}
	}
	_, err := e.s.PublishBatch(bg, &snsapi.PublishBatchInput{TopicArn: &topic})
	wantError(t, err, "EmptyBatchRequest", "")
	eleven := make([]snsapi.PublishBatchRequestEntry, 11)
	for i := range eleven {
		eleven[i] = entry(string(rune('a' + i)))
	}
	_, err = e.s.PublishBatch(bg, &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: eleven})
	wantError(t, err, "TooManyEntriesInBatchRequest", "")
	_, err = e.s.PublishBatch(bg, &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snsapi.PublishBatchRequestEntry{entry("a"), entry("a")}})
	wantError(t, err, "BatchEntryIdsNotDistinct", "")
	_, err = e.s.PublishBatch(bg, &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snsapi.PublishBatchRequestEntry{entry("no spaces")}})
	wantError(t, err, "InvalidBatchEntryId", "")
	_, err = e.s.PublishBatch(bg, &snsapi.PublishBatchInput{TopicArn: api.Ptr(topic + "x"), PublishBatchRequestEntries: []snsapi.PublishBatchRequestEntry{entry("a")}})
	wantError(t, err, "NotFound", "")
}

func TestPublishBatchFIFO(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	out := must(e.s.PublishBatch(bg, &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snsapi.PublishBatchRequestEntry{
		{Id: api.Ptr("a"), Message: api.Ptr("one"), MessageGroupId: api.Ptr("g")},
		{Id: api.Ptr("b"), Message: api.Ptr("two")},
		{Id: api.Ptr("c"), Message: api.Ptr("one"), MessageGroupId: api.Ptr("g")},
	}}))(t)
	if len(out.Successful) != 2 || len(out.Failed) != 1 || *out.Failed[0].Id != "b" ||
		*out.Successful[0].MessageId != *out.Successful[1].MessageId || out.Successful[0].SequenceNumber == nil {
		t.Fatalf("out = %+v", out)
	}
}

func TestFIFODedupWindow(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t.fifo", map[string]string{"FifoTopic": "true"})
	pub := func(dedup string) *snsapi.PublishResponse {
		return e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), MessageGroupId: api.Ptr("g"), MessageDeduplicationId: api.Ptr(dedup)})
	}
	first := pub("d1")
	pub("d2")
	e.advance(dedupWindow + time.Second)
	again := pub("d1")
	if *again.MessageId == *first.MessageId {
		t.Fatal("deduplicated after the window")
	}
	// d2's records are gone, d1's (renewed) remain.
	keys := 0
	_ = e.st.View(func(tx store.Tx) error {
		ns := store.NS("sns", testAccount, testRegion)
		for _, kind := range []string{"dedup", "dedupexp"} {
			_ = tx.Scan(ns.Prefix(kind, "t.fifo"), nil, func(_, _ []byte) error { keys++; return nil })
		}
		return nil
	})
	if keys != 2 {
		t.Fatalf("dedup keys = %d, want 2", keys)
	}
	if dup := pub("d1"); *dup.MessageId != *again.MessageId {
		t.Fatal("renewed id not deduplicated")
	}
}

func TestSignatureVersion2(t *testing.T) {
	e := newEnv(t)
	topic := e.topic(t, "t", map[string]string{"SignatureVersion": "2"})
	e.subscribe(t, topic, "sqs", queueArn, nil)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("m"), Subject: api.Ptr("s")})
	d := parseDoc(t, e.sqs.sent()[0].Body)
	if d.str("SignatureVersion") != "2" {
		t.Fatalf("body = %v", d.fields)
	}
	if err := verifyDoc(e.s.SigningCertPEM(), d); err != nil {
		t.Fatal(err)
	}
	// A tampered message does not verify.
	d.fields["Message"] = "n"
	if err := verifyDoc(e.s.SigningCertPEM(), d); err == nil {
		t.Fatal("tampered message verified")
	}
}

// slowQueues makes each send take a moment, so that unordered deliveries
// would overtake each other.
type slowQueues struct{ fakeQueues }

func (f *slowQueues) SendToArn(ctx context.Context, queueArn, body string, attrs map[string]MessageAttribute, groupID, dedupID string) (string, error) {
	time.Sleep(time.Duration(len(f.sent())%3) * time.Millisecond)
	return f.fakeQueues.SendToArn(ctx, queueArn, body, attrs, groupID, dedupID)
}

func TestFIFOOrder(t *testing.T) {
	e := newEnv(t)
	slow := &slowQueues{}
	e.s.cfg.Queues = slow
	topic := e.topic(t, "t.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	e.subscribe(t, topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:q.fifo", map[string]string{"RawMessageDelivery": "true"})
	for i := range 30 {
		must(e.s.Publish(bg, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr(fmt.Sprint(i)), MessageGroupId: api.Ptr("g")}))(t)
	}
	e.s.wait()
	sent := slow.sent()
	if len(sent) != 30 {
		t.Fatalf("sent = %d", len(sent))
	}
	for i, c := range sent {
		if c.Body != fmt.Sprint(i) {
			t.Fatalf("delivery %d is message %s", i, c.Body)
		}
	}
}
