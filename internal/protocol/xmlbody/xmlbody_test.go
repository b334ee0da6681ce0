package xmlbody_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody/xmltest"
)

// testAPI is a hand-made model exercising every element rule.
const testAPI = `{
  "metadata": {"protocol": "rest-xml"},
  "operations": {},
  "shapes": {
    "Doc": {"type": "structure", "members": {
      "Name": {"shape": "Str"},
      "Count": {"shape": "Int", "locationName": "count"},
      "On": {"shape": "Bool"},
      "Ratio": {"shape": "Double"},
      "When": {"shape": "Time"},
      "WhenEpoch": {"shape": "Time", "timestampFormat": "unixTimestamp"},
      "Data": {"shape": "Blob"},
      "Tags": {"shape": "TagList"},
      "Items": {"shape": "StrList", "locationName": "Item", "flattened": true},
      "Named": {"shape": "NamedFlatList"},
      "Attrs": {"shape": "StrMap"},
      "Flat": {"shape": "FlatMap", "locationName": "Attribute"},
      "Who": {"shape": "Grantee"},
      "Header": {"shape": "Str", "location": "header", "locationName": "x-h"}
    }},
    "Str": {"type": "string"},
    "Int": {"type": "integer"},
    "Bool": {"type": "boolean"},
    "Double": {"type": "double"},
    "Time": {"type": "timestamp"},
    "Blob": {"type": "blob"},
    "Tag": {"type": "structure", "members": {"Key": {"shape": "Str"}, "Value": {"shape": "Str"}}},
    "TagList": {"type": "list", "member": {"shape": "Tag", "locationName": "Tag"}},
    "StrList": {"type": "list", "member": {"shape": "Str"}},
    "NamedFlatList": {"type": "list", "member": {"shape": "Str", "locationName": "N"}, "flattened": true},
    "StrMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Str"}},
    "FlatMap": {"type": "map", "key": {"shape": "Str", "locationName": "Name"}, "value": {"shape": "Str", "locationName": "Value"}, "flattened": true},
    "Grantee": {"type": "structure", "xmlNamespace": {"prefix": "xsi", "uri": "http://www.w3.org/2001/XMLSchema-instance"},
      "members": {"Type": {"shape": "Str", "locationName": "xsi:type", "xmlAttribute": true}, "ID": {"shape": "Str"}}}
  }
}`

func docRef(t *testing.T) *model.ShapeRef {
	t.Helper()
	api, err := model.Load([]byte(testAPI))
	if err != nil {
		t.Fatal(err)
	}
	return &model.ShapeRef{ShapeName: "Doc", Shape: api.Shapes["Doc"]}
}

func fullDoc() map[string]any {
	return map[string]any{
		"Name":      `a & b < c > "d" 'e'` + "\r\n\tf",
		"Count":     int64(7),
		"On":        true,
		"Ratio":     1.5,
		"When":      time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC),
		"WhenEpoch": time.Unix(1422172800, 0).UTC(),
		"Data":      []byte("hi"),
		"Tags":      []any{map[string]any{"Key": "k", "Value": "v"}},
		"Items":     []any{"x", "y"},
		"Named":     []any{"n1"},
		"Attrs":     map[string]any{"b": "2", "a": "1"},
		"Flat":      map[string]any{"k": "v"},
		"Who":       map[string]any{"Type": "CanonicalUser", "ID": "id1"},
		"Header":    "not in the body",
	}
}

func TestEncode(t *testing.T) {
	var w xmlbody.Writer
	w.Value("Doc", docRef(t), fullDoc())
	want := `<Doc><Name>a &amp; b &lt; c &gt; "d" 'e'&#xD;` + "\n\tf</Name><count>7</count><On>true</On><Ratio>1.5</Ratio>" +
		`<When>2024-01-02T03:04:05.006Z</When><WhenEpoch>1422172800</WhenEpoch><Data>aGk=</Data>` +
		`<Tags><Tag><Key>k</Key><Value>v</Value></Tag></Tags><Item>x</Item><Item>y</Item><N>n1</N>` +
		`<Attrs><entry><key>a</key><value>1</value></entry><entry><key>b</key><value>2</value></entry></Attrs>` +
		`<Attribute><Name>k</Name><Value>v</Value></Attribute>` +
		`<Who xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>id1</ID></Who></Doc>`
	if got := string(w.Bytes()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	ref := docRef(t)
	var w xmlbody.Writer
	doc := fullDoc()
	w.Value("Doc", ref, doc)
	got, err := xmlbody.Decode(w.Bytes(), ref)
	if err != nil {
		t.Fatal(err)
	}
	delete(doc, "Header") // travels in a header, not the body
	if d := xmltest.Diff(got, doc); d != "" {
		t.Fatal(d)
	}
}

func TestDecodeIgnoresUnknownAndWhitespace(t *testing.T) {
	body := `<?xml version="1.0" encoding="UTF-8"?>
<Doc xmlns="http://example.com/">
  <Unknown><Name>nested</Name></Unknown>
  <Name>  keep spaces  </Name>
  <count>
     42
  </count>
  <Tags>
    <Tag><Key>k</Key><Other/></Tag>
  </Tags>
  <On> true </On>
</Doc>`
	got, err := xmlbody.Decode([]byte(body), docRef(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"Name": "  keep spaces  ", "Count": int64(42), "On": true,
		"Tags": []any{map[string]any{"Key": "k"}}}
	if d := xmltest.Diff(got, want); d != "" {
		t.Fatal(d)
	}
}

func TestDecodeErrors(t *testing.T) {
	ref := docRef(t)
	for _, body := range []string{
		``,
		`<Doc>`,
		`<Doc><count>x</count></Doc>`,
		`<Doc><count>99999999999</count></Doc>`, // beyond a 32-bit integer
		`<Doc><On>yes</On></Doc>`,
		`<Doc><Data>!!!</Data></Doc>`,
		`<Doc></Doc><Doc></Doc>`,
		`<Doc>` + strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200) + `</Doc>`,
		`<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><Doc><Name>&e;</Name></Doc>`,
	} {
		if _, err := xmlbody.Decode([]byte(body), ref); err == nil {
			t.Errorf("%.60q: no error", body)
		}
	}
}

// Values of unexpected Go types must encode to something, never panic.
func TestEncodeToleratesLooseValues(t *testing.T) {
	var w xmlbody.Writer
	w.Value("Doc", docRef(t), map[string]any{
		"Name": 12, "Count": "7", "On": "true", "Ratio": int64(2), "When": "2020-01-01T00:00:00Z",
		"Data": "raw", "Tags": "not a list", "Items": []string{"a"}, "Attrs": []any{1}, "Who": "x",
		"Named": []any{nil, json.Number("3")},
	})
	if !strings.Contains(string(w.Bytes()), "<Name>12</Name>") {
		t.Fatalf("unexpected: %s", w.Bytes())
	}
}

func TestEscapesInvalidCharacters(t *testing.T) {
	var w xmlbody.Writer
	w.Leaf("A", "ok\x00\x1bend\xff")
	if got, want := string(w.Bytes()), "<A>ok\uFFFD\uFFFDend\uFFFD</A>"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	w.Reset()
	w.Start("A", xmlbody.Attr{Name: "v", Value: "a\"b\n\tc<"})
	if got, want := string(w.Bytes()), `<A v="a&quot;b&#xA;&#x9;c&lt;">`; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// S3 request documents, as the AWS CLI sends them, decode against the real
// S3 model.
func TestDecodeS3Documents(t *testing.T) {
	api := xmltest.LoadAPI(t, "s3")
	member := func(op, name string) *model.ShapeRef {
		return api.Operations[op].Input.Shape.Members.Get(name)
	}
	cases := []struct {
		ref  *model.ShapeRef
		body string
		want string
	}{
		{member("CreateBucket", "CreateBucketConfiguration"),
			`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
			`{"LocationConstraint":"eu-west-1"}`},
		{member("DeleteObjects", "Delete"),
			`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a.txt</Key></Object><Object><Key>b &amp; c</Key><VersionId>v1</VersionId></Object><Quiet>true</Quiet></Delete>`,
			`{"Objects":[{"Key":"a.txt"},{"Key":"b & c","VersionId":"v1"}],"Quiet":true}`},
		{member("PutBucketNotificationConfiguration", "NotificationConfiguration"),
			`<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue><Event>s3:ObjectCreated:*</Event>
    <Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule></S3Key></Filter>
  </QueueConfiguration>
  <CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction><Event>s3:ObjectRemoved:*</Event><Event>s3:ObjectCreated:Put</Event></CloudFunctionConfiguration>
  <EventBridgeConfiguration/>
</NotificationConfiguration>`,
			`{"EventBridgeConfiguration":{},"LambdaFunctionConfigurations":[{"Events":["s3:ObjectRemoved:*","s3:ObjectCreated:Put"],"LambdaFunctionArn":"arn:aws:lambda:us-east-1:000000000000:function:f"}],` +
				`"QueueConfigurations":[{"Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"in/"}]}},"Id":"q","QueueArn":"arn:aws:sqs:us-east-1:000000000000:q"}]}`},
		{member("PutBucketAcl", "AccessControlPolicy"),
			`<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>abc</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList><Owner><ID>abc</ID></Owner></AccessControlPolicy>`,
			`{"Grants":[{"Grantee":{"ID":"abc","Type":"CanonicalUser"},"Permission":"READ"}],"Owner":{"ID":"abc"}}`},
	}
	for _, c := range cases {
		got, err := xmlbody.Decode([]byte(c.body), c.ref)
		if err != nil {
			t.Fatalf("%s: %v", c.ref.ShapeName, err)
		}
		if j := xmltest.JSON(got); j != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.ref.ShapeName, j, c.want)
		}
	}
}

// FuzzDecode feeds arbitrary documents to the decoder against S3 request
// shapes: it returns a value or an error, never panics.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`<Delete><Object><Key>a</Key></Object><Quiet>true</Quiet></Delete>`,
		`<NotificationConfiguration><QueueConfiguration><Event>e</Event><Filter><S3Key><FilterRule><Name>n</Name></FilterRule></S3Key></Filter></QueueConfiguration></NotificationConfiguration>`,
		`<A xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><AccessControlList><Grant><Grantee xsi:type="x"/></Grant></AccessControlList></A>`,
		`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`,
	} {
		f.Add([]byte(seed))
	}
	api := xmltest.LoadAPI(f, "s3")
	var refs []*model.ShapeRef
	for _, op := range []string{"DeleteObjects", "PutBucketNotificationConfiguration", "PutBucketAcl", "PutBucketTagging", "PutBucketLifecycleConfiguration"} {
		in := api.Operations[op].Input.Shape
		refs = append(refs, in.Members.Get(in.Payload))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, ref := range refs {
			v, err := xmlbody.Decode(body, ref)
			if err == nil {
				var w xmlbody.Writer
				w.Value("Root", ref, v)
			}
		}
	})
}
