// Package rest is the HTTP binding layer of AWS's REST protocols, shared by
// rest-json and rest-xml. It knows where each member of an operation's
// input and output travels — URI labels, query string, headers, host
// prefix, status code, payload or body — and nothing about the body format,
// which a BodyCodec supplies.
//
// A REST codec uses it in three steps:
//
//	op, _, err := rest.Match(api, r)                     // method + requestUri → operation
//	in, err := rest.DecodeInput(api, op, r, body, codec) // bindings + payload/body → value
//	err = rest.EncodeOutput(w, op, out, codec)           // value → status, headers, body
//
// and phrases errors itself (the error body is protocol specific), using
// EncodeMessage for error shapes that bind members to headers.
//
// The binding rules follow Smithy's HTTP binding traits as the api-2.json
// models express them (location, locationName, payload):
//
//   - uri: {Name} takes one path segment, {Name+} one or more with their '/';
//     both URL-decoded. Timestamps default to ISO 8601.
//   - querystring: a scalar takes its key's first value, a list all values of
//     its key, a map every parameter that no other member and no template
//     literal claims (a map of lists keeps repeated keys). Timestamps default
//     to ISO 8601.
//   - header: lists are comma-separated (quoted items may hold commas),
//     timestamps default to RFC 822 (http-date), blobs are base64, and a
//     jsonvalue string is base64 of its JSON text.
//   - headers: a map of every header with the member's prefix (compared
//     case-insensitively), keyed by the rest of the name in lower case.
//   - hostLabel: read from the request host through the operation's
//     endpoint.hostPrefix, when the host carries it.
//   - statusCode (output): the response status.
//   - payload: a blob or string payload member is the raw body; a structure
//     (or document) payload member is the whole body document. Without a
//     payload member, the members with no location form the body document.
package rest

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/kiricloud/kiri/internal/model"
)

// BodyCodec is the document format of a REST protocol (JSON for rest-json,
// XML for rest-xml).
type BodyCodec interface {
	// DecodeBody decodes a non-empty document into the dynamic value of
	// ref's shape (see package model). ref is either the payload member or
	// the operation's input reference; in the latter case the codec must
	// ignore members that have a Location, since those travel elsewhere.
	DecodeBody(ref *model.ShapeRef, body []byte) (any, error)
	// EncodeBody encodes a value of ref's shape, skipping members with a
	// Location as DecodeBody does. It may return no bytes to send an empty
	// body (rest-xml does for outputs without body members).
	EncodeBody(ref *model.ShapeRef, v any) ([]byte, error)
	// ContentType is the media type of the documents it writes.
	ContentType() string
}

// PayloadMember returns the member that s names as its payload, or "" and
// nil when the body is made of the members with no location.
func PayloadMember(s *model.Shape) (string, *model.ShapeRef) {
	if s == nil || s.Payload == "" {
		return "", nil
	}
	ref := s.Members.Get(s.Payload)
	if ref == nil {
		return "", nil
	}
	return s.Payload, ref
}

// DecodeInput reads an operation's whole input from a request: the members
// bound to the URI, query string, headers and host (DecodeBindings) and the
// payload or body members. It does not validate the value. Errors are a
// *BindingError for an unreadable header, query parameter or label, or
// whatever the BodyCodec returns; the codec phrases them for the wire.
func DecodeInput(api *model.API, op *model.Operation, r *http.Request, body []byte, bc BodyCodec) (map[string]any, error) {
	if op.Input == nil {
		return map[string]any{}, nil
	}
	labels, _ := RouterFor(api).Labels(op, r)
	in, err := DecodeBindings(op.Input.Shape, op, r, labels)
	if err != nil {
		return nil, err
	}
	if err := decodeBody(in, op.Input, body, bc); err != nil {
		return nil, err
	}
	return in, nil
}

// decodeBody adds the payload member, or the body members, to in. An empty
// body leaves them absent.
func decodeBody(in map[string]any, input *model.ShapeRef, body []byte, bc BodyCodec) error {
	name, payload := PayloadMember(input.Shape)
	if payload != nil {
		if len(body) == 0 {
			return nil
		}
		switch payload.Shape.Type {
		case "blob":
			in[name] = body
		case "string":
			in[name] = string(body)
		default:
			if len(bytes.TrimSpace(body)) == 0 {
				return nil
			}
			v, err := bc.DecodeBody(payload, body)
			if err != nil {
				return err
			}
			if v != nil {
				in[name] = v
			}
		}
		return nil
	}
	if !hasBodyMembers(input.Shape) || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	v, err := bc.DecodeBody(input, body)
	if err != nil {
		return err
	}
	members, _ := v.(map[string]any)
	for k, x := range members {
		if _, bound := in[k]; !bound {
			in[k] = x
		}
	}
	return nil
}

// hasBodyMembers reports whether any member of s travels in the body.
func hasBodyMembers(s *model.Shape) bool {
	for _, m := range s.Members {
		if m.Location == "" {
			return true
		}
	}
	return false
}

// Message is an encoded HTTP response that has not been written yet, so
// that an encoding failure can still become an error response.
type Message struct {
	Status int
	Header http.Header
	Body   []byte
}

// EncodeMessage encodes a structure value of ref's shape (an output or an
// error shape) as a response: bound members become headers and the status
// (defaultStatus unless a statusCode member says otherwise), the payload
// member or the body members become the body. A nil ref gives an empty
// response.
func EncodeMessage(ref *model.ShapeRef, v map[string]any, defaultStatus int, bc BodyCodec) (*Message, error) {
	msg := &Message{Status: defaultStatus, Header: make(http.Header)}
	if ref == nil || ref.Shape == nil {
		return msg, nil
	}
	status, err := EncodeHeaders(msg.Header, ref.Shape, v)
	if err != nil {
		return nil, err
	}
	if status != 0 {
		msg.Status = status
	}
	if err := msg.encodeBody(ref, v, bc); err != nil {
		return nil, err
	}
	return msg, nil
}

func (msg *Message) encodeBody(ref *model.ShapeRef, v map[string]any, bc BodyCodec) error {
	name, payload := PayloadMember(ref.Shape)
	if payload == nil {
		body, err := bc.EncodeBody(ref, v)
		msg.setBody(body, bc.ContentType())
		return err
	}
	pv, ok := v[name]
	if !ok || pv == nil {
		return nil
	}
	switch payload.Shape.Type {
	case "blob":
		b, _ := pv.([]byte)
		if s, isString := pv.(string); isString {
			b = []byte(s)
		}
		msg.setBody(b, "application/octet-stream")
	case "string":
		s, _ := pv.(string)
		msg.setBody([]byte(s), "text/plain")
	default:
		body, err := bc.EncodeBody(payload, pv)
		if err != nil {
			return err
		}
		msg.setBody(body, bc.ContentType())
	}
	return nil
}

// setBody sets the body and, unless a member already set it, its type.
func (msg *Message) setBody(body []byte, contentType string) {
	msg.Body = body
	if len(body) > 0 && msg.Header.Get("Content-Type") == "" {
		msg.Header.Set("Content-Type", contentType)
	}
}

// Write sends the message. Content-Length comes from the body unless a
// member set it (S3's HEAD responses report the object's length).
func (msg *Message) Write(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range msg.Header {
		h[k] = vs
	}
	noBody := msg.Status == http.StatusNoContent || msg.Status == http.StatusNotModified
	if h.Get("Content-Length") == "" && !noBody {
		h.Set("Content-Length", strconv.Itoa(len(msg.Body)))
	}
	w.WriteHeader(msg.Status)
	if !noBody && len(msg.Body) > 0 {
		w.Write(msg.Body)
	}
}

// EncodeOutput writes a successful response for op. The status is the
// output's statusCode member, else the operation's modelled responseCode,
// else 200. Nothing is written when encoding fails, so the caller can send
// an error instead.
func EncodeOutput(w http.ResponseWriter, op *model.Operation, out map[string]any, bc BodyCodec) error {
	status := op.HTTP.ResponseCode
	if status == 0 {
		status = http.StatusOK
	}
	msg, err := EncodeMessage(op.Output, out, status, bc)
	if err != nil {
		return err
	}
	msg.Write(w)
	return nil
}
