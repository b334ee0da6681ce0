// Package query speaks AWS's query protocol (IAM, STS, SNS, SES,
// CloudFormation, SQS's older mode) and its ec2 dialect in the server
// direction.
//
// Requests are form fields — a POST body of application/x-www-form-urlencoded
// or a GET query string — naming the operation in Action, with the input
// flattened into dotted names (Tags.member.1.Key). Responses are XML: query
// wraps the output in <OpNameResponse><OpNameResult>… with a
// <ResponseMetadata> trailer; ec2 puts the output members directly in
// <OpNameResponse> after a <requestId>.
package query

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
)

// Codec is the query protocol codec; with EC2 set it speaks the ec2 dialect,
// which names fields differently, always flattens lists, and has its own
// response and error envelopes. The zero value speaks query.
type Codec struct {
	EC2 bool
}

var _ protocol.Codec = Codec{}

// Operation finds the operation named by the Action field.
func (c Codec) Operation(api *model.API, r *http.Request, body []byte) (*model.Operation, error) {
	action := findField(r, body, "Action")
	if action == "" {
		return nil, protocol.Errorf("MissingAction", http.StatusBadRequest, "Missing Action")
	}
	op, ok := api.Operations[action]
	if !ok {
		return nil, protocol.Errorf("InvalidAction", http.StatusBadRequest, "The action %s is not valid for this web service.", action)
	}
	return op, nil
}

// Decode reads the operation's input from the form fields and validates it.
func (c Codec) Decode(api *model.API, op *model.Operation, r *http.Request, body []byte) (map[string]any, error) {
	in, err := c.decodeInput(api, op, r, body)
	if err != nil {
		return nil, err
	}
	if op.Input != nil {
		if err := c.validate(api, op.Input.Shape, in); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// decodeInput reads the input without validating it.
func (c Codec) decodeInput(api *model.API, op *model.Operation, r *http.Request, body []byte) (map[string]any, error) {
	values, err := formFields(r, body)
	if err != nil {
		return nil, protocol.SerializationError(api, "The request could not be parsed: %v", err)
	}
	if op.Input == nil {
		return map[string]any{}, nil
	}
	params, err := buildParams(values)
	if err != nil {
		return nil, protocol.SerializationError(api, "%v", err)
	}
	in, err := decoder{ec2: c.EC2}.structure(params, op.Input.Shape, "")
	if err != nil {
		return nil, c.malformed(api, err)
	}
	return in, nil
}

// malformed reports a field whose text does not parse as its type.
func (c Codec) malformed(api *model.API, err error) *protocol.Error {
	var fe *fieldError
	if !errors.As(err, &fe) {
		return protocol.SerializationError(api, "%v", err)
	}
	if c.EC2 {
		// EC2 phrases a bad value as "Value (x) for parameter y is invalid."
		return protocol.Errorf("InvalidParameterValue", http.StatusBadRequest,
			"Value (%s) for parameter %s is invalid.", fe.value, fe.name)
	}
	return protocol.SerializationError(api, "Value '%s' for parameter %s is invalid: %s", fe.value, fe.name, fe.reason)
}

// validate applies the model's constraints. EC2 reports a missing required
// parameter in its own words, before anything else is checked.
func (c Codec) validate(api *model.API, in *model.Shape, v map[string]any) error {
	if c.EC2 {
		for _, m := range in.Members {
			if in.IsRequired(m.Name) && v[m.Name] == nil {
				return protocol.Errorf("MissingParameter", http.StatusBadRequest,
					"The request must contain the parameter %s", fieldName(m.Name, m.ShapeRef, true))
			}
		}
	}
	if vs := model.Validate(in, v); len(vs) > 0 {
		return protocol.ValidationError(api, vs)
	}
	return nil
}

// formFields merges the query string and a form body: SDKs POST forms, but
// hand-written calls (and presigned URLs) put fields in the query string.
func formFields(r *http.Request, body []byte) (url.Values, error) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 || !isForm(r) {
		return values, nil
	}
	fromBody, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range fromBody {
		values[k] = append(vs, values[k]...)
	}
	return values, nil
}

// isForm accepts a missing Content-Type as a form, as AWS does for query
// requests from minimal clients (curl -d sends the form type anyway).
func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return ct == "" || strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded")
}

// findField reads one field without parsing the whole form, so routing an
// operation costs a scan rather than a map of every field.
func findField(r *http.Request, body []byte, name string) string {
	if len(body) > 0 && isForm(r) {
		if v, ok := scanField(string(body), name); ok {
			return v
		}
	}
	v, _ := scanField(r.URL.RawQuery, name)
	return v
}

func scanField(form, name string) (string, bool) {
	for form != "" {
		var field string
		field, form, _ = strings.Cut(form, "&")
		k, v, _ := strings.Cut(field, "=")
		if k != name {
			if uk, err := url.QueryUnescape(k); err != nil || uk != name {
				continue
			}
		}
		uv, err := url.QueryUnescape(v)
		if err != nil {
			return "", false
		}
		return uv, true
	}
	return "", false
}
