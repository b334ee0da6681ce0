// Package protocol is the contract between the gateway, the wire codecs and
// the services: a Codec turns an HTTP request into an operation and a dynamic
// input value (see package model for the value forms), and encodes a dynamic
// output value or an *Error back onto the wire as the AWS protocol does.
//
// The codecs live in subpackages, one per AWS protocol family; services never
// import them.
package protocol

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/kiricloud/kiri/internal/model"
)

// Codec speaks one AWS wire protocol in the server direction.
type Codec interface {
	// Operation finds the operation a request calls: from X-Amz-Target for
	// the JSON protocols, the Action field for query and ec2, and the HTTP
	// method and path for the REST protocols. It returns an *Error when the
	// request names nothing the model knows.
	Operation(api *model.API, r *http.Request, body []byte) (*model.Operation, error)
	// Decode reads the operation's input from the request and validates it
	// against the model. Errors are *Error, already phrased as the service
	// phrases them (e.g. DynamoDB's ValidationException).
	Decode(api *model.API, op *model.Operation, r *http.Request, body []byte) (map[string]any, error)
	// EncodeOutput writes a successful response.
	EncodeOutput(w http.ResponseWriter, api *model.API, op *model.Operation, out map[string]any, requestID string)
	// EncodeError writes an error response.
	EncodeError(w http.ResponseWriter, api *model.API, op *model.Operation, e *Error, requestID string)
}

// Handler runs one operation of a service on a decoded input value.
type Handler func(ctx context.Context, input map[string]any) (map[string]any, error)

// Error is an AWS error as every codec can encode it.
type Error struct {
	// Type is the error's name in the JSON protocols (the "__type" and
	// X-Amzn-ErrorType): the model's shape name, e.g. "NoSuchEntityException".
	Type string
	// Code is its code in the XML protocols (query, ec2, rest-xml), e.g.
	// "NoSuchEntity"; also the x-amzn-query-error code of query-compatible
	// JSON services such as SQS. Empty means the same as Type.
	Code    string
	Message string
	Status  int
	// Sender is true for client faults (query's <Type>Sender</Type>).
	Sender bool
	// Fields holds further members of a modelled error shape, keyed by
	// member name (S3's BucketName, for instance).
	Fields map[string]any
}

func (e *Error) Error() string { return e.WireCode() + ": " + e.Message }

// WireCode is the code the XML protocols put on the wire.
func (e *Error) WireCode() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Type
}

// Errorf builds an error that is not a modelled shape (ValidationError,
// InvalidAction…), with the same name in every protocol.
func Errorf(code string, status int, format string, args ...any) *Error {
	return &Error{Type: code, Code: code, Status: status, Sender: status < 500, Message: fmt.Sprintf(format, args...)}
}

// ModelError builds an error from a modelled error shape, taking its code
// and status from the model.
func ModelError(s *model.Shape, message string) *Error {
	return &Error{Type: s.Name, Code: s.ErrorCode(), Status: s.ErrorStatus(), Sender: s.ErrorStatus() < 500, Message: message}
}

// AsError turns any error a service returns into an *Error; an unexpected
// one becomes an InternalFailure rather than leaking a Go message shape.
func AsError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Type: "InternalFailure", Code: "InternalFailure", Status: 500, Message: err.Error()}
}

// validationErrors names the error each service returns when input breaks
// the model's constraints; the JSON services default to ValidationException
// and the query services to ValidationError.
var validationErrors = map[string]string{
	"SQS": "ValidationException",
	"EC2": "InvalidParameterValue",
	"S3":  "InvalidArgument",
}

// ValidationError phrases model violations as the service would. SQS,
// whichever protocol it speaks, reports an absent required parameter as
// its query-era front end did: MissingParameter, naming the parameter.
func ValidationError(api *model.API, vs []model.Violation) *Error {
	if api.Metadata.ServiceID == "SQS" {
		if name, ok := missingTopLevel(vs); ok {
			return Errorf("MissingParameter", http.StatusBadRequest, "The request must contain the parameter %s.", name)
		}
	}
	code, ok := validationErrors[api.Metadata.ServiceID]
	if !ok {
		code = "ValidationException"
		switch api.Metadata.Protocol {
		case "query", "ec2":
			code = "ValidationError"
		}
	}
	return Errorf(code, http.StatusBadRequest, "%s", model.ValidationMessage(vs))
}

// missingTopLevel finds a violation that is an absent top-level member and
// returns the member's name (violation paths lower its first letter).
func missingTopLevel(vs []model.Violation) (string, bool) {
	for _, v := range vs {
		if v.Value == nil && v.Message == model.MustNotBeNull && !strings.ContainsAny(v.Path, ".[") {
			return strings.ToUpper(v.Path[:1]) + v.Path[1:], true
		}
	}
	return "", false
}

// SerializationError reports input that could not be parsed at all.
func SerializationError(api *model.API, format string, args ...any) *Error {
	switch api.Metadata.Protocol {
	case "query", "ec2":
		return Errorf("MalformedInput", http.StatusBadRequest, format, args...)
	case "rest-xml":
		return Errorf("MalformedXML", http.StatusBadRequest, format, args...)
	}
	return Errorf("SerializationException", http.StatusBadRequest, format, args...)
}
