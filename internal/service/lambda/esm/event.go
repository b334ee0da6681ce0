package esm

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

// sqsRecord is one record of the event Lambda sends for SQS, field for
// field as in AWS's "Using Lambda with Amazon SQS" example event.
type sqsRecord struct {
	MessageID              string                         `json:"messageId"`
	ReceiptHandle          string                         `json:"receiptHandle"`
	Body                   string                         `json:"body"`
	Attributes             map[string]string              `json:"attributes"`
	MessageAttributes      map[string]sqsMessageAttribute `json:"messageAttributes"`
	MD5OfMessageAttributes string                         `json:"md5OfMessageAttributes,omitempty"`
	MD5OfBody              string                         `json:"md5OfBody"`
	EventSource            string                         `json:"eventSource"`
	EventSourceARN         string                         `json:"eventSourceARN"`
	AWSRegion              string                         `json:"awsRegion"`
}

// sqsMessageAttribute is a message attribute in the event. AWS always
// writes both list fields, empty; binary values are base64 (encoding/json's
// rendering of []byte).
type sqsMessageAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

// sqsEvent is the invocation payload for batch, received from queueArn.
func sqsEvent(batch []sqsapi.Message, queueArn string) ([]byte, error) {
	records := make([]sqsRecord, len(batch))
	for i, m := range batch {
		records[i] = newSQSRecord(m, queueArn)
	}
	return json.Marshal(map[string][]sqsRecord{"Records": records})
}

func newSQSRecord(m sqsapi.Message, queueArn string) sqsRecord {
	region, _, _, _ := splitQueueArn(queueArn)
	r := sqsRecord{
		MessageID: api.Deref(m.MessageId), ReceiptHandle: api.Deref(m.ReceiptHandle), Body: api.Deref(m.Body),
		Attributes: m.Attributes, MessageAttributes: messageAttributes(m.MessageAttributes),
		MD5OfMessageAttributes: api.Deref(m.MD5OfMessageAttributes), MD5OfBody: api.Deref(m.MD5OfBody),
		EventSource: "aws:sqs", EventSourceARN: queueArn, AWSRegion: region,
	}
	if r.Attributes == nil {
		r.Attributes = map[string]string{}
	}
	return r
}

// recordForFilter is m's event record as filter patterns see it: decoded
// JSON, with a body that is itself valid JSON decoded too.
func recordForFilter(m sqsapi.Message, queueArn string) map[string]any {
	b, _ := json.Marshal(newSQSRecord(m, queueArn))
	var record map[string]any
	_ = json.Unmarshal(b, &record)
	var body any
	if json.Unmarshal([]byte(api.Deref(m.Body)), &body) == nil {
		record["body"] = body
	}
	return record
}

func messageAttributes(in map[string]sqsapi.MessageAttributeValue) map[string]sqsMessageAttribute {
	out := make(map[string]sqsMessageAttribute, len(in))
	for name, v := range in {
		a := sqsMessageAttribute{StringValue: v.StringValue, BinaryValue: v.BinaryValue,
			StringListValues: v.StringListValues, BinaryListValues: v.BinaryListValues, DataType: api.Deref(v.DataType)}
		if a.StringListValues == nil {
			a.StringListValues = []string{}
		}
		if a.BinaryListValues == nil {
			a.BinaryListValues = [][]byte{}
		}
		out[name] = a
	}
	return out
}

// processed returns the messages of batch the function handled, which are
// to be deleted. A function error fails the whole batch. With
// ReportBatchItemFailures the response names the failures, read by AWS's
// rules: a null or empty response or list is complete success; invalid
// JSON, or an item whose itemIdentifier is missing, empty or not a message
// of the batch, is complete failure.
func processed(batch []sqsapi.Message, out *lambdaapi.InvocationResponse, reportFailures bool) []sqsapi.Message {
	if api.Deref(out.FunctionError) != "" {
		return nil
	}
	if !reportFailures {
		return batch
	}
	failed, ok := batchItemFailures(out.Payload, batch)
	if !ok {
		return nil
	}
	var done []sqsapi.Message
	for _, m := range batch {
		if !failed[api.Deref(m.MessageId)] {
			done = append(done, m)
		}
	}
	return done
}

// batchItemFailures parses a ReportBatchItemFailures response into the set
// of failed message ids; ok is false when the whole batch failed.
func batchItemFailures(payload []byte, batch []sqsapi.Message) (failed map[string]bool, ok bool) {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || string(payload) == "null" {
		return nil, true
	}
	var resp struct {
		BatchItemFailures []map[string]json.RawMessage `json:"batchItemFailures"`
	}
	if json.Unmarshal(payload, &resp) != nil {
		return nil, false
	}
	ids := make(map[string]bool, len(batch))
	for _, m := range batch {
		ids[api.Deref(m.MessageId)] = true
	}
	failed = map[string]bool{}
	for _, item := range resp.BatchItemFailures {
		var id string
		if json.Unmarshal(item["itemIdentifier"], &id) != nil || strings.TrimSpace(id) == "" || !ids[id] {
			return nil, false
		}
		failed[id] = true
	}
	return failed, true
}
