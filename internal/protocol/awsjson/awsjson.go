// Package awsjson is the awsJson 1.0 / 1.1 protocol (DynamoDB, SQS,
// Kinesis, CloudWatch Logs, EventBridge…) in the server direction.
//
// A request is POST / with X-Amz-Target "<targetPrefix>.<Operation>" and a
// JSON document body (Content-Type application/x-amz-json-1.0 or 1.1). A
// response carries x-amzn-RequestId and the output document; an error
// carries {"__type": "...", "message": "..."} plus x-amzn-ErrorType, and
// for query-compatible services (SQS) x-amzn-query-error "<Code>;Sender".
// The per-service differences (the __type namespaces, DynamoDB's
// X-Amz-Crc32, SQS's query codes) are in quirks.go.
package awsjson

import (
	"bytes"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/jsonbody"
)

// Codec speaks awsJson. The zero value is ready to use.
type Codec struct{}

var _ protocol.Codec = Codec{}

// Operation reads the operation from X-Amz-Target. A missing or foreign
// target, or an operation the model lacks, is UnknownOperationException,
// as AWS's JSON front end answers (400).
func (Codec) Operation(api *model.API, r *http.Request, _ []byte) (*model.Operation, error) {
	target := r.Header.Get("X-Amz-Target")
	// Target prefixes may contain dots ("com.amazonaws.foo"); the operation
	// is what follows the last one.
	i := strings.LastIndexByte(target, '.')
	if i < 0 {
		return nil, unknownOperation(target)
	}
	prefix, name := target[:i], target[i+1:]
	if want := api.Metadata.TargetPrefix; want != "" && prefix != want {
		return nil, unknownOperation(target)
	}
	op, ok := api.Operations[name]
	if !ok {
		return nil, unknownOperation(target)
	}
	return op, nil
}

func unknownOperation(target string) *protocol.Error {
	return protocol.Errorf("UnknownOperationException", http.StatusBadRequest, "Unknown operation %q", target)
}

// Decode reads and validates the input document. Like AWS it rejects an
// empty body and malformed JSON with SerializationException; constraint
// violations become the service's ValidationException.
func (c Codec) Decode(api *model.API, op *model.Operation, r *http.Request, body []byte) (map[string]any, error) {
	in, err := DecodeUnvalidated(api, op, body)
	if err != nil {
		return nil, err
	}
	if op.Input != nil {
		if vs := model.Validate(op.Input.Shape, in); len(vs) > 0 {
			return nil, protocol.ValidationError(api, vs)
		}
	}
	return in, nil
}

// DecodeUnvalidated reads the input document without checking the model's
// constraints (for tests and tools that need the raw value).
func DecodeUnvalidated(api *model.API, op *model.Operation, body []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, protocol.SerializationError(api, "The request body is empty")
	}
	ref := op.Input
	if ref == nil {
		ref = &model.ShapeRef{Shape: &model.Shape{Type: "structure"}}
	}
	v, err := jsonbody.Unmarshal(ref, body)
	if err != nil {
		return nil, protocol.SerializationError(api, "%s", err.Error())
	}
	in, ok := v.(map[string]any)
	if !ok {
		// A literal null body; AWS treats it as no members.
		in = map[string]any{}
	}
	return in, nil
}

// EncodeOutput writes the output document, or an InternalFailure when the
// service returned a value that does not fit the model.
func (c Codec) EncodeOutput(w http.ResponseWriter, api *model.API, op *model.Operation, out map[string]any, requestID string) {
	body := []byte("{}")
	if op.Output != nil {
		b, err := jsonbody.Marshal(op.Output, out)
		if err != nil {
			c.EncodeError(w, api, op, protocol.AsError(err), requestID)
			return
		}
		body = b
	}
	write(w, api, http.StatusOK, body, requestID)
}

// EncodeError writes an error document. Its members are the error shape's
// (Fields plus the message, under the shape's own spelling of "message")
// when the model defines the error, else just __type and message.
func (c Codec) EncodeError(w http.ResponseWriter, api *model.API, op *model.Operation, e *protocol.Error, requestID string) {
	if e == nil {
		e = protocol.Errorf("InternalFailure", http.StatusInternalServerError, "An internal error occurred")
	}
	q := quirksOf(api)
	h := w.Header()
	h.Set("X-Amzn-ErrorType", e.Type)
	if len(api.Metadata.AWSQueryCompatible) > 0 {
		fault := "Receiver"
		if e.Sender {
			fault = "Sender"
		}
		h.Set("X-Amzn-Query-Error", e.WireCode()+";"+fault)
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	write(w, api, status, errorBody(api, q, e), requestID)
}

// errorBody renders {"__type": …, "message": …, other fields…}.
func errorBody(api *model.API, q *quirks, e *protocol.Error) []byte {
	b, _ := jsonbody.AppendAny([]byte(`{"__type":`), q.wireType(api, e.Type))
	shape := api.Shapes[e.Type]
	// Some models (CloudWatch Logs) declare error shapes without members,
	// yet the service still sends its message.
	if shape == nil || !shape.Exception || shape.MessageMember() == "" {
		if e.Message != "" {
			b = append(b, `,"message":`...)
			b, _ = jsonbody.AppendAny(b, e.Message)
		}
		return append(b, '}')
	}
	fields := make(map[string]any, len(e.Fields)+1)
	for k, v := range e.Fields {
		fields[k] = v
	}
	if key := shape.MessageMember(); key != "" && e.Message != "" {
		fields[key] = e.Message
	}
	doc, err := jsonbody.Marshal(&model.ShapeRef{Shape: shape}, fields)
	if err != nil || len(doc) <= 2 {
		return append(b, '}')
	}
	b = append(b, ',')
	return append(b, doc[1:]...)
}

// write sends a JSON response with the headers every awsJson response has.
func write(w http.ResponseWriter, api *model.API, status int, body []byte, requestID string) {
	h := w.Header()
	h.Set("Content-Type", contentType(api))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if requestID != "" {
		h.Set("X-Amzn-RequestId", requestID)
	}
	if quirksOf(api).crc32 {
		h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	}
	w.WriteHeader(status)
	w.Write(body)
}

func contentType(api *model.API) string {
	if api.Metadata.JSONVersion == "1.0" {
		return "application/x-amz-json-1.0"
	}
	return "application/x-amz-json-1.1"
}
