// Package model holds AWS API models — the shapes and operations of the
// api-2.json files that ship with the AWS SDKs — in a form the codecs and the
// generator can walk.
//
// Every codec decodes a request into, and encodes a response from, a dynamic
// value tree whose form is fixed by the shape it belongs to:
//
//	structure        map[string]any, keyed by member name; absent members are omitted
//	list             []any
//	map              map[string]any
//	string, enum     string (a jsonvalue member holds the decoded JSON value instead)
//	character        string
//	integer, long    int64
//	float, double    float64
//	boolean          bool
//	timestamp        time.Time
//	blob             []byte (a streaming payload too)
//	document         any JSON value (nil, bool, float64, string, []any, map[string]any)
//
// The generated Go types of each service convert to and from this tree
// (package convert), so the codecs and AWS's protocol test suites share one
// path, and a service never sees the wire.
package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// API is one service's model.
type API struct {
	Metadata   Metadata              `json:"metadata"`
	Operations map[string]*Operation `json:"operations"`
	Shapes     map[string]*Shape     `json:"shapes"`
}

// Metadata is the service-wide part of a model.
type Metadata struct {
	APIVersion         string          `json:"apiVersion,omitempty"`
	EndpointPrefix     string          `json:"endpointPrefix,omitempty"`
	JSONVersion        string          `json:"jsonVersion,omitempty"`
	Protocol           string          `json:"protocol,omitempty"`
	ServiceAbbrev      string          `json:"serviceAbbreviation,omitempty"`
	ServiceFullName    string          `json:"serviceFullName,omitempty"`
	ServiceID          string          `json:"serviceId,omitempty"`
	SignatureVersion   string          `json:"signatureVersion,omitempty"`
	SigningName        string          `json:"signingName,omitempty"`
	TargetPrefix       string          `json:"targetPrefix,omitempty"`
	UID                string          `json:"uid,omitempty"`
	XMLNamespace       string          `json:"xmlNamespace,omitempty"`
	GlobalEndpoint     string          `json:"globalEndpoint,omitempty"`
	AWSQueryCompatible json.RawMessage `json:"awsQueryCompatible,omitempty"`
}

// Operation is one API call.
type Operation struct {
	Name       string      `json:"name"`
	HTTP       HTTPBinding `json:"http"`
	Input      *ShapeRef   `json:"input,omitempty"`
	Output     *ShapeRef   `json:"output,omitempty"`
	Errors     []*ShapeRef `json:"errors,omitempty"`
	Endpoint   *Endpoint   `json:"endpoint,omitempty"`
	AuthType   string      `json:"authtype,omitempty"`
	Deprecated bool        `json:"deprecated,omitempty"`
}

// HTTPBinding says where an operation lives on the REST protocols.
type HTTPBinding struct {
	Method       string `json:"method,omitempty"`
	RequestURI   string `json:"requestUri,omitempty"`
	ResponseCode int    `json:"responseCode,omitempty"`
}

// Endpoint is an operation's host prefix (e.g. "data-" for some IoT calls).
type Endpoint struct {
	HostPrefix string `json:"hostPrefix,omitempty"`
}

// XMLNamespace is an xmlns declaration on an element.
type XMLNamespace struct {
	Prefix string `json:"prefix,omitempty"`
	URI    string `json:"uri,omitempty"`
}

// ShapeRef is a reference to a shape from a member, a list or map element,
// or an operation's input/output, with the serialisation traits that the
// reference adds.
type ShapeRef struct {
	ShapeName        string        `json:"shape"`
	Shape            *Shape        `json:"-"`
	Location         string        `json:"location,omitempty"` // header, headers, querystring, uri, statusCode
	LocationName     string        `json:"locationName,omitempty"`
	QueryName        string        `json:"queryName,omitempty"`
	Flattened        bool          `json:"flattened,omitempty"`
	XMLNamespace     *XMLNamespace `json:"xmlNamespace,omitempty"`
	XMLAttribute     bool          `json:"xmlAttribute,omitempty"`
	TimestampFormat  string        `json:"timestampFormat,omitempty"`
	JSONValue        bool          `json:"jsonvalue,omitempty"`
	IdempotencyToken bool          `json:"idempotencyToken,omitempty"`
	HostLabel        bool          `json:"hostLabel,omitempty"`
	Streaming        bool          `json:"streaming,omitempty"`
	EventPayload     bool          `json:"eventpayload,omitempty"`
	ResultWrapper    string        `json:"resultWrapper,omitempty"`
	Deprecated       bool          `json:"deprecated,omitempty"`
}

// Shape is a named type of the model.
type Shape struct {
	Name            string        `json:"-"`
	Type            string        `json:"type"`
	Members         Members       `json:"members,omitempty"`
	Required        []string      `json:"required,omitempty"`
	Member          *ShapeRef     `json:"member,omitempty"`
	Key             *ShapeRef     `json:"key,omitempty"`
	Value           *ShapeRef     `json:"value,omitempty"`
	Enum            []string      `json:"enum,omitempty"`
	Min             *float64      `json:"min,omitempty"`
	Max             *float64      `json:"max,omitempty"`
	Pattern         string        `json:"pattern,omitempty"`
	Flattened       bool          `json:"flattened,omitempty"`
	Payload         string        `json:"payload,omitempty"`
	LocationName    string        `json:"locationName,omitempty"`
	XMLNamespace    *XMLNamespace `json:"xmlNamespace,omitempty"`
	TimestampFormat string        `json:"timestampFormat,omitempty"`
	Error           *ErrorInfo    `json:"error,omitempty"`
	Exception       bool          `json:"exception,omitempty"`
	Fault           bool          `json:"fault,omitempty"`
	Streaming       bool          `json:"streaming,omitempty"`
	RequiresLength  bool          `json:"requiresLength,omitempty"`
	Document        bool          `json:"document,omitempty"`
	Event           bool          `json:"event,omitempty"`
	EventStream     bool          `json:"eventstream,omitempty"`
	Sensitive       bool          `json:"sensitive,omitempty"`
	Union           bool          `json:"union,omitempty"`
	Wrapper         bool          `json:"wrapper,omitempty"`
	Deprecated      bool          `json:"deprecated,omitempty"`
}

// ErrorInfo is the wire identity of an error shape.
type ErrorInfo struct {
	Code           string `json:"code,omitempty"`
	HTTPStatusCode int    `json:"httpStatusCode,omitempty"`
	SenderFault    bool   `json:"senderFault,omitempty"`
}

// Member is one named member of a structure.
type Member struct {
	Name string
	*ShapeRef
}

// Members keeps a structure's members in model order: the XML and query
// encodings emit elements in that order, and Go maps would lose it.
type Members []Member

// Get returns the named member, or nil.
func (ms Members) Get(name string) *ShapeRef {
	for i := range ms {
		if ms[i].Name == name {
			return ms[i].ShapeRef
		}
	}
	return nil
}

// UnmarshalJSON reads a JSON object while keeping its key order.
func (ms *Members) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("model: members must be an object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		ref := new(ShapeRef)
		if err := dec.Decode(ref); err != nil {
			return err
		}
		*ms = append(*ms, Member{Name: t.(string), ShapeRef: ref})
	}
	_, err := dec.Token()
	return err
}

// MarshalJSON writes members as an object in model order.
func (ms Members) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.Name)
		v, err := json.Marshal(m.ShapeRef)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Load parses an api-2.json document and resolves its references.
func Load(data []byte) (*API, error) {
	api := new(API)
	if err := json.Unmarshal(data, api); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if err := api.Resolve(); err != nil {
		return nil, err
	}
	return api, nil
}

// Resolve links every ShapeRef to its Shape and names shapes and operations.
// Call it after building an API by hand (the protocol test suites do).
func (a *API) Resolve() error {
	for name, s := range a.Shapes {
		s.Name = name
	}
	for name, op := range a.Operations {
		if op.Name == "" {
			op.Name = name
		}
		refs := append([]*ShapeRef{op.Input, op.Output}, op.Errors...)
		for _, r := range refs {
			if err := a.resolveRef(r); err != nil {
				return fmt.Errorf("model: operation %s: %w", name, err)
			}
		}
	}
	for name, s := range a.Shapes {
		for _, m := range s.Members {
			if err := a.resolveRef(m.ShapeRef); err != nil {
				return fmt.Errorf("model: shape %s.%s: %w", name, m.Name, err)
			}
		}
		for _, r := range []*ShapeRef{s.Member, s.Key, s.Value} {
			if err := a.resolveRef(r); err != nil {
				return fmt.Errorf("model: shape %s: %w", name, err)
			}
		}
	}
	return nil
}

func (a *API) resolveRef(r *ShapeRef) error {
	if r == nil {
		return nil
	}
	s, ok := a.Shapes[r.ShapeName]
	if !ok {
		return fmt.Errorf("unknown shape %q", r.ShapeName)
	}
	r.Shape = s
	return nil
}

// OperationNames returns the operation names in sorted order.
func (a *API) OperationNames() []string {
	names := make([]string, 0, len(a.Operations))
	for n := range a.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// IsRequired reports whether the structure requires the named member.
func (s *Shape) IsRequired(member string) bool {
	for _, r := range s.Required {
		if r == member {
			return true
		}
	}
	return false
}

// ErrorCode is the code an error shape travels under: the model's explicit
// code when it has one (query services), else the shape name.
func (s *Shape) ErrorCode() string {
	if s.Error != nil && s.Error.Code != "" {
		return s.Error.Code
	}
	return s.Name
}

// ErrorStatus is the HTTP status of an error shape (400 unless modelled).
func (s *Shape) ErrorStatus() int {
	if s.Error != nil && s.Error.HTTPStatusCode != 0 {
		return s.Error.HTTPStatusCode
	}
	if s.Fault {
		return 500
	}
	return 400
}

// TimestampFormatOf picks the timestamp format the reference asks for, then
// the shape's, then def (each protocol has its own default).
func (r *ShapeRef) TimestampFormatOf(def string) string {
	if r.TimestampFormat != "" {
		return r.TimestampFormat
	}
	if r.Shape != nil && r.Shape.TimestampFormat != "" {
		return r.Shape.TimestampFormat
	}
	return def
}

// NameOr returns the reference's locationName, else its shape's (SQS's
// query model names TagMap "Tag" on the shape), else def. AWS's SDKs
// resolve a member's serialised name the same way.
func (r *ShapeRef) NameOr(def string) string {
	if r.LocationName != "" {
		return r.LocationName
	}
	if r.Shape != nil && r.Shape.LocationName != "" {
		return r.Shape.LocationName
	}
	return def
}

// IsFlattened reports whether a list or map is serialised flattened, a
// trait that may sit on the reference or on the shape.
func (r *ShapeRef) IsFlattened() bool {
	return r.Flattened || (r.Shape != nil && r.Shape.Flattened)
}

// LowerFirst lowers the first letter, as AWS's validation messages name
// members ('tableName').
func LowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// MessageMember is the member of an error shape that carries its message
// ("message" in most services, "Message" in some), or "" when the shape
// has none in its body.
func (s *Shape) MessageMember() string {
	for _, m := range s.Members {
		if strings.EqualFold(m.Name, "message") && m.Location == "" {
			return m.Name
		}
	}
	return ""
}
