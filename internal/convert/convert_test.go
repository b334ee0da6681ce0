package convert

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/protocol"
)

// The types below have the shape of generated code.

type AttributeValue struct {
	B    []byte                    `aws:"B"`
	BOOL *bool                     `aws:"BOOL"`
	BS   [][]byte                  `aws:"BS"`
	L    []AttributeValue          `aws:"L"`
	M    map[string]AttributeValue `aws:"M"`
	N    *string                   `aws:"N"`
	NS   []string                  `aws:"NS"`
	NULL *bool                     `aws:"NULL"`
	S    *string                   `aws:"S"`
	SS   []string                  `aws:"SS"`
}

type PutItemInput struct {
	TableName    *string                   `aws:"TableName"`
	Item         map[string]AttributeValue `aws:"Item"`
	ReturnValues *string                   `aws:"ReturnValues"`
}

type Tag struct {
	Key   *string `aws:"Key"`
	Value *string `aws:"Value"`
}

type Role struct {
	Path                     *string    `aws:"Path"`
	RoleName                 *string    `aws:"RoleName"`
	CreateDate               *time.Time `aws:"CreateDate"`
	MaxSessionDuration       *int64     `aws:"MaxSessionDuration"`
	Tags                     []Tag      `aws:"Tags"`
	RoleLastUsed             *RoleUsed  `aws:"RoleLastUsed"`
	AssumeRolePolicyDocument any        `aws:"AssumeRolePolicyDocument"`
	Ratio                    *float64   `aws:"Ratio"`
	Enabled                  *bool      `aws:"Enabled"`
}

type RoleUsed struct {
	LastUsedDate *time.Time `aws:"LastUsedDate"`
	Region       *string    `aws:"Region"`
}

type Everything struct {
	ListsOfStructs [][]Tag                     `aws:"ListsOfStructs"`
	MapOfLists     map[string][]string         `aws:"MapOfLists"`
	MapOfStructs   map[string]Tag              `aws:"MapOfStructs"`
	MapOfMaps      map[string]map[string]int64 `aws:"MapOfMaps"`
	Times          []time.Time                 `aws:"Times"`
	Blob           []byte                      `aws:"Blob"`
	Blobs          [][]byte                    `aws:"Blobs"`
	Doc            any                         `aws:"Doc"`
	unexported     string
	Untagged       *string
	Skipped        *string `aws:"-"`
	WeirdName      *string `aws:"weird-name"`
}

func ptr[T any](v T) *T { return &v }

func TestToValueStructure(t *testing.T) {
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	role := &Role{
		Path:               ptr("/"),
		RoleName:           ptr("r"),
		CreateDate:         &when,
		MaxSessionDuration: ptr(int64(3600)),
		Tags:               []Tag{{Key: ptr("k"), Value: ptr("v")}},
		Ratio:              ptr(0.5),
		Enabled:            ptr(false),
	}
	got := ToValue(role)
	want := map[string]any{
		"Path":               "/",
		"RoleName":           "r",
		"CreateDate":         when,
		"MaxSessionDuration": int64(3600),
		"Tags":               []any{map[string]any{"Key": "k", "Value": "v"}},
		"Ratio":              0.5,
		"Enabled":            false,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ToValue:\n got %#v\nwant %#v", got, want)
	}
}

func TestToValueKeepsEmptyButNotNil(t *testing.T) {
	got := ToValue(&Everything{MapOfLists: map[string][]string{"a": {}}, Times: []time.Time{}, Blob: []byte{}})
	want := map[string]any{"MapOfLists": map[string]any{"a": []any{}}, "Times": []any{}, "Blob": []byte{}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	if got := ToValue(&Everything{}); !reflect.DeepEqual(got, map[string]any{}) {
		t.Fatalf("zero struct: got %#v", got)
	}
	if got := ToValue((*Everything)(nil)); got != nil {
		t.Fatalf("nil pointer: got %#v", got)
	}
	if got := ToValue(nil); got != nil {
		t.Fatalf("nil: got %#v", got)
	}
}

func TestRoundTripRecursive(t *testing.T) {
	in := &PutItemInput{
		TableName: ptr("t"),
		Item: map[string]AttributeValue{
			"id":   {S: ptr("1")},
			"n":    {N: ptr("42")},
			"bin":  {B: []byte{0, 1, 2}},
			"null": {NULL: ptr(true)},
			"list": {L: []AttributeValue{{S: ptr("a")}, {L: []AttributeValue{{BOOL: ptr(true)}}}, {M: map[string]AttributeValue{}}}},
			"map": {M: map[string]AttributeValue{
				"deep": {M: map[string]AttributeValue{"x": {SS: []string{"p", "q"}}, "bs": {BS: [][]byte{{9}}}}},
			}},
		},
	}
	v := ToValue(in)
	item := v.(map[string]any)["Item"].(map[string]any)
	if got := item["list"].(map[string]any)["L"].([]any)[1]; !reflect.DeepEqual(got, map[string]any{"L": []any{map[string]any{"BOOL": true}}}) {
		t.Fatalf("nested list: %#v", got)
	}
	var out PutItemInput
	if err := FromValue(v, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, &out) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", &out, in)
	}
}

func TestRoundTripEverything(t *testing.T) {
	when := time.Unix(1700000000, 0).UTC()
	in := &Everything{
		ListsOfStructs: [][]Tag{{{Key: ptr("a")}}, {}, {{Value: ptr("b")}, {Key: ptr("c"), Value: ptr("d")}}},
		MapOfLists:     map[string][]string{"x": {"1", "2"}, "y": {}},
		MapOfStructs:   map[string]Tag{"t": {Key: ptr("k")}},
		MapOfMaps:      map[string]map[string]int64{"m": {"one": 1}},
		Times:          []time.Time{when, when.Add(time.Second)},
		Blob:           []byte("hello"),
		Blobs:          [][]byte{[]byte("a"), {}},
		Doc:            map[string]any{"Version": "2012-10-17", "n": 1.5, "l": []any{true, nil}},
		Untagged:       ptr("u"),
		WeirdName:      ptr("w"),
	}
	v := ToValue(in)
	m := v.(map[string]any)
	if _, ok := m["Untagged"]; !ok {
		t.Errorf("untagged exported field not converted: %#v", m)
	}
	if _, ok := m["weird-name"]; !ok {
		t.Errorf("tag name not used: %#v", m)
	}
	var out Everything
	if err := FromValue(v, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, &out) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", &out, in)
	}
}

func TestSkippedField(t *testing.T) {
	m := ToValue(&Everything{Skipped: ptr("s"), unexported: "u"}).(map[string]any)
	if len(m) != 0 {
		t.Fatalf("aws:\"-\" field converted: %#v", m)
	}
	var out Everything
	if err := FromValue(map[string]any{"Skipped": "s", "Unknown": 1}, &out); err != nil || out.Skipped != nil {
		t.Fatalf("got %v, %#v", err, out)
	}
}

func TestDocumentNormalised(t *testing.T) {
	m := ToValue(&Role{AssumeRolePolicyDocument: struct {
		Version   string
		Statement []string
	}{"2012-10-17", []string{"s"}}}).(map[string]any)
	want := map[string]any{"Version": "2012-10-17", "Statement": []any{"s"}}
	if !reflect.DeepEqual(m["AssumeRolePolicyDocument"], want) {
		t.Fatalf("got %#v", m["AssumeRolePolicyDocument"])
	}
}

func TestFromValueNumbers(t *testing.T) {
	var r Role
	if err := FromValue(map[string]any{"MaxSessionDuration": float64(7200), "Ratio": int64(2)}, &r); err != nil {
		t.Fatal(err)
	}
	if *r.MaxSessionDuration != 7200 || *r.Ratio != 2 {
		t.Fatalf("got %v %v", *r.MaxSessionDuration, *r.Ratio)
	}
	if err := FromValue(map[string]any{"MaxSessionDuration": 1.5}, &r); err == nil {
		t.Fatal("fractional number stored in an integer")
	}
}

func TestFromValueErrorsNamePath(t *testing.T) {
	var in PutItemInput
	err := FromValue(map[string]any{"Item": map[string]any{"k": map[string]any{"L": []any{map[string]any{"S": 5}}}}}, &in)
	if err == nil {
		t.Fatal("no error")
	}
	if want := `convert: .Item["k"].L[0].S: cannot store int in string`; err.Error() != want {
		t.Fatalf("got %q, want %q", err, want)
	}
	if err := FromValue(map[string]any{}, in); err == nil || !strings.Contains(err.Error(), "non-nil pointer") {
		t.Fatalf("non-pointer destination: %v", err)
	}
	if err := FromValue("x", &in); err == nil {
		t.Fatal("string decoded into a structure")
	}
}

func TestFromValueNilLeavesZero(t *testing.T) {
	var r Role
	if err := FromValue(map[string]any{"RoleName": nil, "Tags": nil, "AssumeRolePolicyDocument": nil}, &r); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, Role{}) {
		t.Fatalf("got %#v", r)
	}
	if err := FromValue(nil, &r); err != nil {
		t.Fatal(err)
	}
}

type GetRoleRequest struct {
	RoleName *string `aws:"RoleName"`
}

type GetRoleResponse struct {
	Role *Role `aws:"Role"`
}

type Empty struct{}

func TestBind(t *testing.T) {
	h := Bind(func(ctx context.Context, in *GetRoleRequest) (*GetRoleResponse, error) {
		if in.RoleName == nil {
			return nil, protocol.Errorf("NoSuchEntity", 404, "no name")
		}
		return &GetRoleResponse{Role: &Role{RoleName: in.RoleName}}, nil
	})
	out, err := h(context.Background(), map[string]any{"RoleName": "r"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"Role": map[string]any{"RoleName": "r"}}; !reflect.DeepEqual(out, want) {
		t.Fatalf("got %#v", out)
	}
	_, err = h(context.Background(), map[string]any{})
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Status != 404 {
		t.Fatalf("error not passed through: %v", err)
	}
	_, err = h(context.Background(), map[string]any{"RoleName": 1.0})
	if !errors.As(err, &pe) || pe.Status != 500 {
		t.Fatalf("mismatched input: %v", err)
	}

	empty := Bind(func(ctx context.Context, in *Empty) (*Empty, error) { return nil, nil })
	out, err = empty(context.Background(), nil)
	if err != nil || out == nil || len(out) != 0 {
		t.Fatalf("nil output: %#v, %v", out, err)
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	in := &PutItemInput{
		TableName:    ptr("Sensors"),
		ReturnValues: ptr("NONE"),
		Item: map[string]AttributeValue{
			"deviceId": {S: ptr("sensor-0042")},
			"ts":       {N: ptr("1700000000123")},
			"reading":  {M: map[string]AttributeValue{"temp": {N: ptr("21.5")}, "hum": {N: ptr("40")}, "ok": {BOOL: ptr(true)}}},
			"tags":     {SS: []string{"lab", "floor-2"}},
			"history":  {L: []AttributeValue{{N: ptr("1")}, {N: ptr("2")}, {N: ptr("3")}}},
		},
	}
	b.ReportAllocs()
	for b.Loop() {
		v := ToValue(in)
		var out PutItemInput
		if err := FromValue(v, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBind(b *testing.B) {
	when := time.Now()
	h := Bind(func(ctx context.Context, in *GetRoleRequest) (*GetRoleResponse, error) {
		return &GetRoleResponse{Role: &Role{RoleName: in.RoleName, Path: ptr("/"), CreateDate: &when,
			Tags: []Tag{{Key: ptr("env"), Value: ptr("dev")}}}}, nil
	})
	input := map[string]any{"RoleName": "lambda-exec"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h(ctx, input); err != nil {
			b.Fatal(err)
		}
	}
}

// A type seen for the first time by many goroutines at once is built once;
// the others wait for it rather than see a half-built converter.
func TestConcurrentFirstUse(t *testing.T) {
	type Node struct {
		Name     *string         `aws:"Name"`
		Children []Node          `aws:"Children"`
		ByName   map[string]Node `aws:"ByName"`
	}
	in := &Node{Name: ptr("root"), Children: []Node{{Name: ptr("a")}}, ByName: map[string]Node{"b": {Name: ptr("b")}}}
	done := make(chan error)
	for range 8 {
		go func() {
			var out Node
			err := FromValue(ToValue(in), &out)
			if err == nil && !reflect.DeepEqual(in, &out) {
				err = errors.New("round trip differs")
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
