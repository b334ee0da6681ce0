// Package restjson is the rest-json protocol (Lambda, IoT, IoT Data Plane,
// API Gateway…) in the server direction: package rest's HTTP bindings with
// JSON documents from package jsonbody.
//
// Every response carries x-amzn-RequestId. An error carries its name in
// x-amzn-ErrorType and a JSON body of the error shape's members, whose
// message member keeps the shape's spelling ("message" in most services,
// "Message" in Lambda's); an error the model does not define gets
// {"message": "..."}. Per-service habits are in the quirks table.
package restjson

import (
	"errors"
	"net/http"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/jsonbody"
	"github.com/kiricloud/kiri/internal/protocol/rest"
)

// Codec speaks rest-json. The zero value is ready to use.
type Codec struct{}

var _ protocol.Codec = Codec{}

// Body is the JSON BodyCodec of rest-json.
var Body rest.BodyCodec = jsonBody{}

type jsonBody struct{}

func (jsonBody) DecodeBody(ref *model.ShapeRef, body []byte) (any, error) {
	return jsonbody.Unmarshal(ref, body)
}

func (jsonBody) EncodeBody(ref *model.ShapeRef, v any) ([]byte, error) {
	return jsonbody.Marshal(ref, v)
}

func (jsonBody) ContentType() string { return "application/json" }

// Operation matches the request's method and path against the operations'
// requestUri templates (see rest.Router.Match).
func (Codec) Operation(api *model.API, r *http.Request, _ []byte) (*model.Operation, error) {
	op, _, err := rest.Match(api, r)
	return op, err
}

// Decode reads the input from the request's bindings and body and
// validates it against the model.
func (Codec) Decode(api *model.API, op *model.Operation, r *http.Request, body []byte) (map[string]any, error) {
	in, err := DecodeUnvalidated(api, op, r, body)
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

// DecodeUnvalidated reads the input without checking the model's
// constraints. Unreadable JSON, headers, query parameters or labels are a
// SerializationException.
func DecodeUnvalidated(api *model.API, op *model.Operation, r *http.Request, body []byte) (map[string]any, error) {
	in, err := rest.DecodeInput(api, op, r, body, Body)
	if err == nil {
		return in, nil
	}
	var be *rest.BindingError
	var je *jsonbody.Error
	switch {
	case errors.As(err, &be), errors.As(err, &je):
		return nil, protocol.SerializationError(api, "%s", err.Error())
	}
	return nil, protocol.AsError(err)
}

// EncodeOutput writes the output's headers, status and body, or an
// InternalFailure when the service returned a value that does not fit the
// model.
func (c Codec) EncodeOutput(w http.ResponseWriter, api *model.API, op *model.Operation, out map[string]any, requestID string) {
	status := op.HTTP.ResponseCode
	if status == 0 {
		status = http.StatusOK
	}
	msg, err := rest.EncodeMessage(op.Output, out, status, Body)
	if err != nil {
		c.EncodeError(w, api, op, protocol.AsError(err), requestID)
		return
	}
	setRequestID(msg.Header, requestID)
	msg.Write(w)
}

// EncodeError writes an error: x-amzn-ErrorType, the status, and a body
// (and headers, for error members bound to them) from the error shape.
func (Codec) EncodeError(w http.ResponseWriter, api *model.API, op *model.Operation, e *protocol.Error, requestID string) {
	if e == nil {
		e = protocol.Errorf("InternalFailure", http.StatusInternalServerError, "An internal error occurred")
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	msg, err := errorMessage(api, e, status)
	if err != nil {
		msg = plainError(e.Message, status)
	}
	msg.Header.Set("X-Amzn-ErrorType", e.Type)
	setRequestID(msg.Header, requestID)
	msg.Write(w)
}

func errorMessage(api *model.API, e *protocol.Error, status int) (*rest.Message, error) {
	shape := api.Shapes[e.Type]
	// Models that declare an error without a message member still send one.
	if shape == nil || !shape.Exception || shape.MessageMember() == "" {
		return plainError(e.Message, status), nil
	}
	v := make(map[string]any, len(e.Fields)+2)
	for k, x := range e.Fields {
		v[k] = x
	}
	if key := shape.MessageMember(); key != "" && e.Message != "" {
		v[key] = e.Message
	}
	quirksOf(api).fillError(shape, e, v)
	return rest.EncodeMessage(&model.ShapeRef{Shape: shape}, v, status, Body)
}

// plainError is the body of an error the model does not define.
func plainError(message string, status int) *rest.Message {
	body, _ := jsonbody.AppendAny([]byte(`{"message":`), message)
	msg := &rest.Message{Status: status, Header: make(http.Header), Body: append(body, '}')}
	msg.Header.Set("Content-Type", Body.ContentType())
	return msg
}

func setRequestID(h http.Header, requestID string) {
	if requestID != "" {
		h.Set("X-Amzn-RequestId", requestID)
	}
}

// quirks are the wire habits of one rest-json service that its model does
// not record, keyed by metadata.serviceId.
type quirks struct {
	// errorKind fills an error shape's "Type" member, which Lambda sets to
	// "User" for client faults and "Service" for its own
	// ({"Type":"User","Message":"Function not found: …"}).
	errorKind bool
}

var serviceQuirks = map[string]*quirks{
	"Lambda": {errorKind: true},
}

func quirksOf(api *model.API) *quirks {
	if q, ok := serviceQuirks[api.Metadata.ServiceID]; ok {
		return q
	}
	return &quirks{}
}

func (q *quirks) fillError(shape *model.Shape, e *protocol.Error, v map[string]any) {
	if !q.errorKind || shape.Members.Get("Type") == nil {
		return
	}
	if _, set := v["Type"]; set {
		return
	}
	if e.Sender {
		v["Type"] = "User"
	} else {
		v["Type"] = "Service"
	}
}
