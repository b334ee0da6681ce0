// Package restxml speaks AWS's rest-xml protocol (S3) in the server
// direction: package rest binds members to the method, URI, query string,
// headers and status code, and package xmlbody reads and writes the XML
// documents in the body.
package restxml

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/rest"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody"
)

// Codec is the rest-xml codec. The zero value is ready to use.
type Codec struct{}

var _ protocol.Codec = Codec{}

// Operation finds the operation by method, path and query string.
func (Codec) Operation(api *model.API, r *http.Request, body []byte) (*model.Operation, error) {
	op, _, err := rest.Match(api, r)
	if err != nil {
		return nil, err
	}
	return preferCurrent(api, op), nil
}

// preferCurrent swaps a deprecated operation for the current one that
// shares its method and requestUri: S3's PutBucketNotification and
// PutBucketNotificationConfiguration (and the Lifecycle pairs) are one
// endpoint, and today's clients send the current operation's document.
// This belongs in rest.Router's tie-breaking; it is harmless once there.
func preferCurrent(api *model.API, op *model.Operation) *model.Operation {
	if !op.Deprecated {
		return op
	}
	for _, name := range api.OperationNames() {
		alt := api.Operations[name]
		if !alt.Deprecated && alt.HTTP.Method == op.HTTP.Method && alt.HTTP.RequestURI == op.HTTP.RequestURI {
			return alt
		}
	}
	return op
}

// Decode reads the operation's input from the request and validates it.
func (c Codec) Decode(api *model.API, op *model.Operation, r *http.Request, body []byte) (map[string]any, error) {
	in, err := c.decodeInput(api, op, r, body)
	if err != nil {
		return nil, err
	}
	if op.Input == nil {
		return in, nil
	}
	if missingPayload(op.Input.Shape, in) {
		return nil, protocol.Errorf("MissingRequestBodyError", http.StatusBadRequest, "Request Body is empty")
	}
	if vs := model.Validate(op.Input.Shape, in); len(vs) > 0 {
		return nil, protocol.ValidationError(api, vs)
	}
	return in, nil
}

// missingPayload reports a required payload document (PutBucketTagging's
// Tagging, say) that the request did not send, which S3 answers with
// MissingRequestBodyError rather than a validation message.
func missingPayload(s *model.Shape, in map[string]any) bool {
	name, ref := rest.PayloadMember(s)
	return ref != nil && ref.Shape.Type == "structure" && s.IsRequired(name) && in[name] == nil
}

// decodeInput reads the input without validating it.
func (Codec) decodeInput(api *model.API, op *model.Operation, r *http.Request, body []byte) (map[string]any, error) {
	in, err := rest.DecodeInput(api, op, r, body, bodyCodec{api})
	if err == nil {
		return in, nil
	}
	var be *rest.BindingError
	if errors.As(err, &be) {
		return nil, protocol.Errorf("InvalidArgument", http.StatusBadRequest, "Invalid value for %s %s: %v", be.Location, be.Name, be.Err)
	}
	// S3's words for a body it cannot read.
	return nil, protocol.Errorf("MalformedXML", http.StatusBadRequest,
		"The XML you provided was not well-formed or did not validate against our published schema")
}

// EncodeOutput writes a successful response: bound members as headers and
// status, the payload or the body members as an XML document.
func (Codec) EncodeOutput(w http.ResponseWriter, api *model.API, op *model.Operation, out map[string]any, requestID string) {
	setRequestHeaders(w.Header(), requestID)
	if err := rest.EncodeOutput(w, op, out, bodyCodec{api}); err != nil {
		e := protocol.Errorf("InternalError", http.StatusInternalServerError, "We encountered an internal error. Please try again.")
		Codec{}.EncodeError(w, api, op, e, requestID)
	}
}

// EncodeError writes S3's error document:
//
//	<Error><Code>NoSuchBucket</Code><Message>…</Message><BucketName>…</BucketName>
//	<RequestId>…</RequestId><HostId>…</HostId></Error>
//
// with the error's Fields as the elements between Message and RequestId. A
// response to HEAD carries no body, as S3's do; the client reads the
// status alone.
func (Codec) EncodeError(w http.ResponseWriter, api *model.API, op *model.Operation, e *protocol.Error, requestID string) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	h := w.Header()
	setRequestHeaders(h, requestID)
	if op != nil && op.HTTP.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	var x xmlbody.Writer
	x.Raw(xmlbody.Declaration)
	x.Start("Error")
	x.Leaf("Code", e.WireCode())
	x.Leaf("Message", e.Message)
	writeFields(&x, api, e)
	x.Leaf("RequestId", requestID)
	x.Leaf("HostId", hostID(requestID))
	x.End("Error")
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", itoa(x.Len()))
	w.WriteHeader(status)
	w.Write(x.Bytes())
}

// writeFields writes an error's further members, in the order of the
// error shape's members when the model has the shape, then by name.
func writeFields(x *xmlbody.Writer, api *model.API, e *protocol.Error) {
	if len(e.Fields) == 0 {
		return
	}
	var shape *model.Shape
	if api != nil {
		shape = api.Shapes[e.Type]
	}
	for _, name := range fieldOrder(shape, e.Fields) {
		v := e.Fields[name]
		ref := stringRef
		if shape != nil {
			if m := shape.Members.Get(name); m != nil && m.Location == "" {
				ref = m
			}
		}
		x.Value(ref.NameOr(name), ref, v)
	}
}

var stringRef = &model.ShapeRef{ShapeName: "String", Shape: &model.Shape{Name: "String", Type: "string"}}

// setRequestHeaders sets the request id headers S3 puts on every response.
func setRequestHeaders(h http.Header, requestID string) {
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", hostID(requestID))
}

// hostID derives S3's extended request id (x-amz-id-2, <HostId>) from the
// request id, so the two always belong together.
func hostID(requestID string) string {
	sum := sha256.Sum256([]byte("kiri/" + requestID))
	return base64.StdEncoding.EncodeToString(sum[:])
}
