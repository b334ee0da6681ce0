package query

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody"
)

// EncodeOutput writes a successful response.
//
// query: <OpResponse xmlns="…"><OpResult>…</OpResult><ResponseMetadata>
// <RequestId>…</RequestId></ResponseMetadata></OpResponse>, the Result
// element named by the output's resultWrapper and absent without one.
//
// ec2: <OpResponse xmlns="…"><requestId>…</requestId>…members…</OpResponse>,
// and <return>true</return> for an operation without output, as EC2 does.
func (c Codec) EncodeOutput(w http.ResponseWriter, api *model.API, op *model.Operation, out map[string]any, requestID string) {
	var x xmlbody.Writer
	x.Grow(1024)
	if c.EC2 {
		c.ec2Output(&x, api, op, out, requestID)
	} else {
		c.queryOutput(&x, api, op, out, requestID)
	}
	write(w, http.StatusOK, x.Bytes(), requestID)
}

func (c Codec) queryOutput(x *xmlbody.Writer, api *model.API, op *model.Operation, out map[string]any, requestID string) {
	response := op.Name + "Response"
	x.Start(response, xmlbody.Attr{Name: "xmlns", Value: Namespace(api)})
	if op.Output != nil {
		if wrapper := resultWrapper(api, op); wrapper != "" {
			x.Start(wrapper)
			x.Members(op.Output.Shape, out)
			x.End(wrapper)
		} else {
			x.Members(op.Output.Shape, out)
		}
	}
	x.Start("ResponseMetadata")
	x.Leaf("RequestId", requestID)
	x.End("ResponseMetadata")
	x.End(response)
}

func (c Codec) ec2Output(x *xmlbody.Writer, api *model.API, op *model.Operation, out map[string]any, requestID string) {
	response := op.Name + "Response"
	x.Raw(xmlbody.Declaration)
	x.Start(response, xmlbody.Attr{Name: "xmlns", Value: Namespace(api)})
	x.Leaf("requestId", requestID)
	if op.Output != nil {
		x.Members(op.Output.Shape, out)
	} else {
		x.Leaf("return", "true")
	}
	x.End(response)
}

// resultWrapper names the element around a query output. The query models
// give one for every output; a JSON model served in query mode (SQS, which
// the models mark awsQueryCompatible) has lost them, and its old clients
// expect <OpNameResult>.
func resultWrapper(api *model.API, op *model.Operation) string {
	if op.Output.ResultWrapper != "" {
		return op.Output.ResultWrapper
	}
	if len(api.Metadata.AWSQueryCompatible) > 0 {
		return op.Name + "Result"
	}
	return ""
}

// EncodeError writes an error response.
//
// query: <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code>
// <Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
//
// ec2: <Response><Errors><Error><Code>…</Code><Message>…</Message></Error>
// </Errors><RequestID>…</RequestID></Response>
func (c Codec) EncodeError(w http.ResponseWriter, api *model.API, op *model.Operation, e *protocol.Error, requestID string) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	var x xmlbody.Writer
	if c.EC2 {
		ec2Error(&x, e, requestID)
	} else {
		queryError(&x, api, e, status, requestID)
	}
	write(w, status, x.Bytes(), requestID)
}

func queryError(x *xmlbody.Writer, api *model.API, e *protocol.Error, status int, requestID string) {
	x.Start("ErrorResponse", xmlbody.Attr{Name: "xmlns", Value: Namespace(api)})
	x.Start("Error")
	fault := "Sender"
	if status >= 500 {
		fault = "Receiver"
	}
	x.Leaf("Type", fault)
	x.Leaf("Code", e.WireCode())
	x.Leaf("Message", e.Message)
	writeFields(x, e.Fields)
	x.End("Error")
	x.Leaf("RequestId", requestID)
	x.End("ErrorResponse")
}

func ec2Error(x *xmlbody.Writer, e *protocol.Error, requestID string) {
	x.Raw(xmlbody.Declaration)
	x.Start("Response")
	x.Start("Errors")
	x.Start("Error")
	x.Leaf("Code", e.WireCode())
	x.Leaf("Message", e.Message)
	x.End("Error")
	x.End("Errors")
	x.Leaf("RequestID", requestID)
	x.End("Response")
}

// writeFields adds the further members of a modelled error after its
// message, in name order (the error shapes of query services rarely have
// any, and their order is not significant to clients).
func writeFields(x *xmlbody.Writer, fields map[string]any) {
	names := make([]string, 0, len(fields))
	for k, v := range fields {
		if v != nil {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		x.Leaf(k, fieldText(fields[k]))
	}
}

func fieldText(v any) string {
	ref := &model.ShapeRef{Shape: &model.Shape{Type: "string"}}
	return xmlbody.FormatScalar(ref, v)
}

func write(w http.ResponseWriter, status int, body []byte, requestID string) {
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(status)
	w.Write(body)
}

// Namespace is the xmlns of a service's responses: the model's xmlNamespace,
// else https://<endpointPrefix>.amazonaws.com/doc/<apiVersion>/. EC2's model
// omits the trailing slash that its responses carry; SQS answered from its
// JSON model keeps its historical queue.amazonaws.com namespace.
func Namespace(api *model.API) string {
	md := api.Metadata
	ns := md.XMLNamespace
	switch {
	case ns != "":
	case md.EndpointPrefix == "sqs":
		ns = "http://queue.amazonaws.com/doc/" + md.APIVersion + "/"
	default:
		ns = "https://" + md.EndpointPrefix + ".amazonaws.com/doc/" + md.APIVersion + "/"
	}
	if md.Protocol == "ec2" && !strings.HasSuffix(ns, "/") {
		ns += "/"
	}
	return ns
}
