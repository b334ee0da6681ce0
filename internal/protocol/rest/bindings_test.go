package rest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
)

const bindingModel = `{
 "metadata": {"protocol": "rest-json"},
 "operations": {
  "Op": {"http": {"method": "POST", "requestUri": "/things/{Name}?mode=fast"},
         "endpoint": {"hostPrefix": "{Account}.data-"},
         "input": {"shape": "In"}, "output": {"shape": "Out"}}
 },
 "shapes": {
  "In": {"type": "structure", "required": ["Name"], "members": {
    "Name":     {"shape": "Str", "location": "uri", "locationName": "Name"},
    "Account":  {"shape": "Str", "hostLabel": true},
    "Limit":    {"shape": "Int", "location": "querystring", "locationName": "limit"},
    "Since":    {"shape": "Time", "location": "querystring", "locationName": "since"},
    "Ids":      {"shape": "StrList", "location": "querystring", "locationName": "id"},
    "Rest":     {"shape": "StrListMap", "location": "querystring"},
    "Tags":     {"shape": "StrList", "location": "header", "locationName": "X-Tags"},
    "Dates":    {"shape": "TimeList", "location": "header", "locationName": "X-Dates"},
    "Modified": {"shape": "Time", "location": "header", "locationName": "If-Modified-Since"},
    "Flag":     {"shape": "Bool", "location": "header", "locationName": "X-Flag"},
    "Ratio":    {"shape": "Dbl", "location": "header", "locationName": "X-Ratio"},
    "Blob":     {"shape": "Blob", "location": "header", "locationName": "X-Blob"},
    "Props":    {"shape": "Str", "jsonvalue": true, "location": "header", "locationName": "X-Props"},
    "Meta":     {"shape": "StrMap", "location": "headers", "locationName": "x-amz-meta-"}
  }},
  "Out": {"type": "structure", "members": {
    "Status":   {"shape": "Int", "location": "statusCode"},
    "Tags":     {"shape": "StrList", "location": "header", "locationName": "X-Tags"},
    "Dates":    {"shape": "TimeList", "location": "header", "locationName": "X-Dates"},
    "Modified": {"shape": "Time", "location": "header", "locationName": "Last-Modified"},
    "Epoch":    {"shape": "Time", "location": "header", "locationName": "X-Epoch", "timestampFormat": "unixTimestamp"},
    "Props":    {"shape": "Str", "jsonvalue": true, "location": "header", "locationName": "X-Props"},
    "Meta":     {"shape": "StrMap", "location": "headers", "locationName": "x-amz-meta-"}
  }},
  "Str": {"type": "string"}, "Int": {"type": "integer"}, "Bool": {"type": "boolean"},
  "Dbl": {"type": "double"}, "Time": {"type": "timestamp"}, "Blob": {"type": "blob"},
  "StrList": {"type": "list", "member": {"shape": "Str"}},
  "TimeList": {"type": "list", "member": {"shape": "Time"}},
  "StrMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Str"}},
  "StrListMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "StrList"}}
 }
}`

func bindingAPI(t *testing.T) *model.API {
	t.Helper()
	api, err := model.Load([]byte(bindingModel))
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func TestDecodeBindings(t *testing.T) {
	api := bindingAPI(t)
	r := httptest.NewRequest("POST", "/things/a%20b%2Fc?mode=fast&limit=5&since=2015-01-25T08%3A00%3A00Z&id=1&id=2&x=y&z=1&z=2", nil)
	r.Host = "123456789012.data-iot.us-east-1.amazonaws.com:443"
	r.Header.Set("X-Tags", `a, "b,c", "d\"e"`)
	r.Header.Add("X-Tags", "f")
	r.Header.Set("X-Dates", "Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT")
	r.Header.Set("If-Modified-Since", "Sun, 25 Jan 2015 08:00:00 GMT")
	r.Header.Set("X-Flag", "true")
	r.Header.Set("X-Ratio", "-Infinity")
	r.Header.Set("X-Blob", "aGk=")
	r.Header.Set("X-Props", "eyJGb28iOiJCYXIifQ==")
	r.Header.Set("X-Amz-Meta-Owner", "me")
	r.Header.Set("x-amz-meta-Camel-Case", "kept")
	op, labels, err := Match(api, r)
	if err != nil {
		t.Fatal(err)
	}
	in, err := DecodeInput(api, op, r, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	jan25 := time.Date(2015, 1, 25, 8, 0, 0, 0, time.UTC)
	want := map[string]any{
		"Name": "a b/c", "Account": "123456789012", "Limit": int64(5), "Since": jan25,
		"Ids":  []any{"1", "2"},
		"Rest": map[string]any{"x": []any{"y"}, "z": []any{"1", "2"}},
		"Tags": []any{"a", "b,c", `d"e`, "f"},
		"Dates": []any{time.Date(2019, 12, 16, 23, 48, 18, 0, time.UTC),
			time.Date(2019, 12, 17, 23, 48, 18, 0, time.UTC)},
		"Modified": jan25, "Flag": true, "Ratio": negInf, "Blob": []byte("hi"),
		"Props": map[string]any{"Foo": "Bar"},
		"Meta":  map[string]any{"owner": "me", "camel-case": "kept"},
	}
	if labels["Name"] != "a b/c" {
		t.Errorf("labels %v", labels)
	}
	for k, v := range want {
		if !equalValue(in[k], v) {
			t.Errorf("%s: got %#v, want %#v", k, in[k], v)
		}
	}
	if len(in) != len(want) {
		t.Errorf("extra members: %v", in)
	}
}

var negInf, _ = parseFloat("-Infinity")

func equalValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	if la, ok := a.([]any); ok {
		lb, ok := b.([]any)
		if !ok || len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !equalValue(la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func TestBadBindingIsBindingError(t *testing.T) {
	api := bindingAPI(t)
	for _, c := range []struct{ uri, header, value string }{
		{"/things/x?mode=fast&limit=ten", "", ""},
		{"/things/x?mode=fast&limit=99999999999", "", ""},
		{"/things/x?mode=fast", "X-Flag", "yes"},
		{"/things/x?mode=fast", "If-Modified-Since", "yesterday"},
		{"/things/x?mode=fast", "X-Props", "not base64!"},
	} {
		r := httptest.NewRequest("POST", c.uri, nil)
		if c.header != "" {
			r.Header.Set(c.header, c.value)
		}
		op, _, err := Match(api, r)
		if err != nil {
			t.Fatal(err)
		}
		_, err = DecodeInput(api, op, r, nil, nil)
		var be *BindingError
		if !errors.As(err, &be) {
			t.Errorf("%s %s=%s: got %v", c.uri, c.header, c.value, err)
		}
	}
}

func TestTemplateQueryLiteralIsRequired(t *testing.T) {
	api := bindingAPI(t)
	if _, _, err := Match(api, httptest.NewRequest("POST", "/things/x", nil)); err == nil {
		t.Fatal("matched without the template's query literal")
	}
	if _, _, err := Match(api, httptest.NewRequest("POST", "/things/x?mode=slow", nil)); err == nil {
		t.Fatal("matched with the wrong literal value")
	}
}

func TestEncodeHeaders(t *testing.T) {
	api := bindingAPI(t)
	h := http.Header{}
	jan25 := time.Date(2015, 1, 25, 8, 0, 0, 0, time.UTC)
	status, err := EncodeHeaders(h, api.Shapes["Out"], map[string]any{
		"Status": int64(201), "Tags": []any{"a", "b,c"},
		"Dates":    []any{jan25, jan25},
		"Modified": jan25, "Epoch": jan25, "Props": map[string]any{"Foo": "Bar"},
		"Meta": map[string]any{"owner": "me", "Content-Length": "1"},
	})
	if err != nil || status != 201 {
		t.Fatal(status, err)
	}
	want := http.Header{
		"X-Tags":           {`a, "b,c"`},
		"X-Dates":          {"Sun, 25 Jan 2015 08:00:00 GMT, Sun, 25 Jan 2015 08:00:00 GMT"},
		"Last-Modified":    {"Sun, 25 Jan 2015 08:00:00 GMT"},
		"X-Epoch":          {"1422172800"},
		"X-Props":          {"eyJGb28iOiJCYXIifQ=="},
		"X-Amz-Meta-Owner": {"me"},
		// x-amz-meta-Content-Length is not a framing header and stays.
		"X-Amz-Meta-Content-Length": {"1"},
	}
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("got  %v\nwant %v", h, want)
	}
	if _, err := EncodeHeaders(http.Header{}, api.Shapes["Out"], map[string]any{"Status": "ok"}); err == nil {
		t.Fatal("a string status was accepted")
	}
}

func TestEncodeMessagePayloads(t *testing.T) {
	shape := &model.Shape{Type: "structure", Payload: "Body", Members: model.Members{
		{Name: "Body", ShapeRef: &model.ShapeRef{Shape: &model.Shape{Type: "blob"}}},
		{Name: "Type", ShapeRef: &model.ShapeRef{Location: "header", LocationName: "Content-Type", Shape: &model.Shape{Type: "string"}}},
		{Name: "Length", ShapeRef: &model.ShapeRef{Location: "header", LocationName: "Content-Length", Shape: &model.Shape{Type: "long"}}},
	}}
	ref := &model.ShapeRef{Shape: shape}
	msg, err := EncodeMessage(ref, map[string]any{"Body": []byte("abc")}, 200, nil)
	if err != nil || string(msg.Body) != "abc" || msg.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("%v %+v", err, msg)
	}
	// A HEAD-style response reports a length with no body.
	msg, _ = EncodeMessage(ref, map[string]any{"Type": "image/png", "Length": int64(42)}, 200, nil)
	rec := httptest.NewRecorder()
	msg.Write(rec)
	if rec.Header().Get("Content-Length") != "42" || rec.Header().Get("Content-Type") != "image/png" || rec.Body.Len() != 0 {
		t.Fatalf("%v %q", rec.Header(), rec.Body)
	}
}

func TestHostLabels(t *testing.T) {
	op := &model.Operation{Endpoint: &model.Endpoint{HostPrefix: "foo-{Name}."}}
	if l := HostLabels(op, "foo-myname.service.region.amazonaws.com"); l["Name"] != "myname" {
		t.Errorf("got %v", l)
	}
	for _, host := range []string{"localhost:4566", "bar-myname.service", "foo-.service", "foo-myname"} {
		if l := HostLabels(op, host); l != nil {
			t.Errorf("%s: got %v", host, l)
		}
	}
	if l := HostLabels(&model.Operation{Endpoint: &model.Endpoint{HostPrefix: "data-"}}, "data-x"); l != nil {
		t.Errorf("static prefix gave %v", l)
	}
}
