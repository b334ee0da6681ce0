package jsonbody

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
)

// testShape builds a resolved structure shape from api-2.json-style shapes.
func testShape(t *testing.T, shapes string) *model.ShapeRef {
	t.Helper()
	api, err := model.Load([]byte(`{"metadata":{},"operations":{"Op":{"input":{"shape":"In"}}},"shapes":` + shapes + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return api.Operations["Op"].Input
}

const shapes = `{
 "In": {"type":"structure","members":{
   "Name": {"shape":"Str"},
   "Renamed": {"shape":"Str","locationName":"renamed_on_wire"},
   "Header": {"shape":"Str","location":"header","locationName":"X-Thing"},
   "Count": {"shape":"Int"},
   "Big": {"shape":"Long"},
   "Ratio": {"shape":"Dbl"},
   "Small": {"shape":"Flt"},
   "On": {"shape":"Bool"},
   "When": {"shape":"Time"},
   "WhenISO": {"shape":"Time","timestampFormat":"iso8601"},
   "Data": {"shape":"Blob"},
   "Tags": {"shape":"Tags"},
   "Items": {"shape":"Items"},
   "Policy": {"shape":"Str","jsonvalue":true},
   "Doc": {"shape":"Doc"},
   "Next": {"shape":"In"}
 }},
 "Str": {"type":"string"}, "Int": {"type":"integer"}, "Long": {"type":"long"},
 "Dbl": {"type":"double"}, "Flt": {"type":"float"}, "Bool": {"type":"boolean"},
 "Time": {"type":"timestamp"}, "Blob": {"type":"blob"},
 "Tags": {"type":"map","key":{"shape":"Str"},"value":{"shape":"Str"}},
 "Items": {"type":"list","member":{"shape":"In"}},
 "Doc": {"type":"structure","document":true}
}`

func TestRoundTrip(t *testing.T) {
	ref := testShape(t, shapes)
	when := time.Date(2015, 1, 25, 8, 0, 0, 123e6, time.UTC)
	v := map[string]any{
		"Name": "a \"quoted\" <tag> & \u00e9\n", "Renamed": "r", "Count": int64(-7),
		"Big": int64(9007199254740993), "Ratio": 1.5, "Small": 1.2, "On": false,
		"When": when, "WhenISO": when, "Data": []byte("hi!"),
		"Tags":   map[string]any{"b": "2", "a": "1"},
		"Items":  []any{map[string]any{"Name": "x"}, nil},
		"Policy": map[string]any{"Version": "2012-10-17"},
		"Doc":    map[string]any{"n": 1.5, "l": []any{true, nil, "s"}},
		"Next":   map[string]any{"Count": int64(1)},
	}
	b, err := Marshal(ref, v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Name":"a \"quoted\" <tag> & é\n","renamed_on_wire":"r","Count":-7,"Big":9007199254740993,` +
		`"Ratio":1.5,"Small":1.2,"On":false,"When":1422172800.123,"WhenISO":"2015-01-25T08:00:00.123Z",` +
		`"Data":"aGkh","Tags":{"a":"1","b":"2"},"Items":[{"Name":"x"},null],` +
		`"Policy":"{\"Version\":\"2012-10-17\"}","Doc":{"l":[true,null,"s"],"n":1.5},"Next":{"Count":1}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	got, err := Unmarshal(ref, b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, v) {
		t.Fatalf("round trip:\ngot  %#v\nwant %#v", got, v)
	}
}

func TestLocatedMembersStayOutOfTheBody(t *testing.T) {
	ref := testShape(t, shapes)
	b, _ := Marshal(ref, map[string]any{"Header": "h", "Name": "n"})
	if string(b) != `{"Name":"n"}` {
		t.Fatalf("got %s", b)
	}
	v, _ := Unmarshal(ref, []byte(`{"Header":"h","X-Thing":"h"}`))
	if len(v.(map[string]any)) != 0 {
		t.Fatalf("got %v", v)
	}
}

func TestDecodeLeniency(t *testing.T) {
	ref := testShape(t, shapes)
	v, err := Unmarshal(ref, []byte(` {"Unknown": {"deep": [1, {"x": null}]}, "Count": 5.0, "Big": 1e3,
		"When": "2015-01-25T08:00:00Z", "WhenISO": 1422172800, "Data": "aGk", "Ratio": "NaN",
		"Name": null, "Tags": {"k": null}, "Name2": "\ud83d\ude00 \u00e9 \/"} `))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["Count"] != int64(5) || m["Big"] != int64(1000) || string(m["Data"].([]byte)) != "hi" {
		t.Fatalf("numbers/blob: %v", m)
	}
	if !m["When"].(time.Time).Equal(time.Unix(1422172800, 0)) || !m["WhenISO"].(time.Time).Equal(time.Unix(1422172800, 0)) {
		t.Fatalf("timestamps: %v", m)
	}
	if !math.IsNaN(m["Ratio"].(float64)) {
		t.Fatalf("NaN: %v", m["Ratio"])
	}
	if _, ok := m["Name"]; ok {
		t.Fatal("null member kept")
	}
	if len(m["Tags"].(map[string]any)) != 0 {
		t.Fatal("null map value kept")
	}
}

func TestDecodeErrors(t *testing.T) {
	ref := testShape(t, shapes)
	for body, want := range map[string]string{
		``:                            "Unexpected end of JSON input",
		`{`:                           "Unexpected end of JSON input",
		`{"Name": "x",}`:              "Unexpected '}' after ','",
		`{"Name": "x"} x`:             "Unexpected character after the JSON value",
		`{"Name": 5}`:                 "NUMBER_VALUE cannot be converted to String",
		`{"Count": "5"}`:              "STRING_VALUE cannot be converted to Integer",
		`{"Count": 1.5}`:              "NUMBER_VALUE 1.5 cannot be converted to Integer",
		`{"Count": 2147483648}`:       "NUMBER_VALUE 2147483648 cannot be converted to Integer",
		`{"Name": {}}`:                "Start of structure or map found where not expected.",
		`{"Tags": []}`:                "Start of list found where not expected.",
		`{"On": "true"}`:              "STRING_VALUE cannot be converted to Boolean",
		`{"Data": "!!"}`:              "Base64 encoded value is not valid",
		`{"Name": "a` + "\x01" + `"}`: "Control character in a string",
		`{"Name": "\x"}`:              "Invalid escape in a string",
		`{"Count": 01}`:               "Expected ',' or '}'",
		`{"Count": -}`:                "Invalid number",
		`{"Policy": "{bad"}`:          "Invalid JSON in a jsonvalue string",
		`[1]`:                         "Start of list found where not expected.",
		`{"When": true}`:              "BOOLEAN_VALUE cannot be converted to Timestamp",
		`nul`:                         "Unexpected character 'n'",
	} {
		_, err := Unmarshal(ref, []byte(body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", body, err, want)
		}
	}
}

func TestDepthLimit(t *testing.T) {
	deep := strings.Repeat(`{"Next":`, maxDepth+1) + "{}" + strings.Repeat("}", maxDepth+1)
	if _, err := Unmarshal(testShape(t, shapes), []byte(deep)); err == nil || !strings.Contains(err.Error(), "too deeply") {
		t.Fatalf("got %v", err)
	}
	if _, err := UnmarshalAny([]byte(strings.Repeat("[", 100000))); err == nil {
		t.Fatal("deep array accepted")
	}
}

func TestInvalidUTF8BecomesReplacementChar(t *testing.T) {
	ref := testShape(t, shapes)
	v, err := Unmarshal(ref, []byte("{\"Name\": \"a\xffb\"}"))
	if err != nil || v.(map[string]any)["Name"] != "a\ufffdb" {
		t.Fatalf("got %v %v", v, err)
	}
	b, _ := Marshal(ref, map[string]any{"Name": "a\xffb\x01"})
	if string(b) != `{"Name":"a\ufffdb\u0001"}` {
		t.Fatalf("got %s", b)
	}
}

func TestEncodeErrorNamesThePath(t *testing.T) {
	ref := testShape(t, shapes)
	_, err := Marshal(ref, map[string]any{"Items": []any{map[string]any{"Count": "seven"}}})
	if err == nil || !strings.Contains(err.Error(), "value.Items[0].Count: a integer cannot hold a string") {
		t.Fatalf("got %v", err)
	}
}

func TestFloats(t *testing.T) {
	for f, want := range map[float64]string{1e21: "1e+21", 1e-7: "1e-7", 123456789: "123456789", 0: "0",
		math.Inf(1): `"Infinity"`, math.Inf(-1): `"-Infinity"`} {
		if got := string(appendFloat(nil, f, false)); got != want {
			t.Errorf("%v: got %s want %s", f, got, want)
		}
	}
}

// The decoder agrees with encoding/json on generic documents.
func TestUnmarshalAnyMatchesEncodingJSON(t *testing.T) {
	for _, doc := range []string{`{"a":[1,2.5,-3e2,"x",true,false,null,{"b":{}}],"c":"\u00e9\ud83d\ude00"}`, `[]`, `"s"`, `12`} {
		got, err := UnmarshalAny([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		var want any
		json.Unmarshal([]byte(doc), &want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v want %#v", doc, got, want)
		}
	}
}

// FuzzUnmarshalAny checks the decoder against encoding/json: both accept
// the same documents and read them alike, and nothing panics.
func FuzzUnmarshalAny(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2.5e3,"\u00e9",true,null]}`, `[{}]`, `"\ud83d\ude00"`, `-0.0`, `{"a":1,}`, `[`, "\"\xff\""} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, err := UnmarshalAny(doc)
		var want any
		wantErr := json.Unmarshal(doc, &want)
		if (err == nil) != (wantErr == nil) {
			// encoding/json rejects numbers out of float64 range; so do we.
			t.Fatalf("%q: our error %v, encoding/json's %v", doc, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, encoding/json %#v", doc, got, want)
		}
	})
}
