package pattern

import (
	"errors"
	"strings"
	"testing"
)

type matchCase struct {
	name    string
	pattern string
	event   string
	want    bool
}

func runMatch(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile([]byte(tc.pattern))
			if err != nil {
				t.Fatalf("Compile(%s): %v", tc.pattern, err)
			}
			if got := p.Match([]byte(tc.event)); got != tc.want {
				t.Errorf("Match(%s, %s) = %v, want %v", tc.pattern, tc.event, got, tc.want)
			}
		})
	}
}

// Examples from "Amazon EventBridge event patterns"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html)
// and "Content filtering in Amazon EventBridge event patterns"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html).

func TestExactValues(t *testing.T) {
	runMatch(t, []matchCase{
		{"string", `{"source":["aws.ec2"]}`, `{"source":"aws.ec2"}`, true},
		{"string case-sensitive", `{"source":["aws.ec2"]}`, `{"source":"AWS.EC2"}`, false},
		{"string absent", `{"source":["aws.ec2"]}`, `{"detail":{}}`, false},
		{"list is OR", `{"state":["running","stopped"]}`, `{"state":"stopped"}`, true},
		{"number", `{"x":[5]}`, `{"x":5}`, true},
		{"number 5 == 5.0", `{"x":[5]}`, `{"x":5.0}`, true},
		{"number 5.0 == 5e0", `{"x":[5.0]}`, `{"x":5e0}`, true},
		{"number vs string", `{"x":[5]}`, `{"x":"5"}`, false},
		{"string vs number", `{"x":["5"]}`, `{"x":5}`, false},
		{"bool", `{"x":[true]}`, `{"x":true}`, true},
		{"bool mismatch", `{"x":[true]}`, `{"x":false}`, false},
		// "Null values and empty strings" section.
		{"null", `{"detail":{"responseElements":[null]}}`, `{"detail":{"responseElements":null}}`, true},
		{"null not absent", `{"detail":{"responseElements":[null]}}`, `{"detail":{}}`, false},
		{"null not empty string", `{"detail":{"responseElements":[null]}}`, `{"detail":{"responseElements":""}}`, false},
		{"empty string", `{"detail":{"eventVersion":[""]}}`, `{"detail":{"eventVersion":""}}`, true},
		{"nested", `{"detail":{"state":["running"]}}`, `{"detail":{"state":"running"}}`, true},
		{"nested pattern vs leaf", `{"detail":{"state":["running"]}}`, `{"detail":"running"}`, false},
		{"leaf pattern vs object", `{"detail":["running"]}`, `{"detail":{"state":"running"}}`, false},
		// "Matching values in arrays": any element.
		{"event array", `{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`,
			`{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"]}`, true},
		{"event array no element", `{"resources":["x"]}`, `{"resources":["a","b"]}`, false},
		{"event empty array", `{"resources":["x"]}`, `{"resources":[]}`, false},
		{"array of objects", `{"a":{"b":[1]}}`, `{"a":[{"b":2},{"b":1}]}`, true},
		{"array of objects same element", `{"a":{"b":[1],"c":[2]}}`, `{"a":[{"b":1,"c":3},{"b":3,"c":2}]}`, false},
		{"array of objects one element has both", `{"a":{"b":[1],"c":[2]}}`, `{"a":[{"b":1,"c":3},{"b":1,"c":2}]}`, true},
		{"AND across fields", `{"source":["aws.ec2"],"region":["us-east-1"]}`, `{"source":"aws.ec2","region":"eu-west-1"}`, false},
	})
}

func TestPrefixSuffix(t *testing.T) {
	runMatch(t, []matchCase{
		{"prefix", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-02T18:43:48Z"}`, true},
		{"prefix no", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-03T18:43:48Z"}`, false},
		{"prefix number", `{"x":[{"prefix":"1"}]}`, `{"x":12}`, false},
		{"prefix ignore case", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"EVENTBRIDGE"}}`, true},
		{"prefix ignore case lower", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"eventbus"}}`, true},
		{"prefix ignore case no", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"Lambda"}}`, false},
		{"suffix", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.png"}`, true},
		{"suffix no", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.PNG"}`, false},
		{"suffix ignore case", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"image.PNG"}}`, true},
		{"suffix ignore case no", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"image.jpg"}}`, false},
	})
}

func TestEqualsIgnoreCase(t *testing.T) {
	runMatch(t, []matchCase{
		{"match", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, `{"detail-type":"EC2 Instance State-change Notification"}`, true},
		{"no", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, `{"detail-type":"EC2 Spot Instance Interruption Warning"}`, false},
		{"not number", `{"x":[{"equals-ignore-case":"5"}]}`, `{"x":5}`, false},
	})
}

func TestAnythingBut(t *testing.T) {
	runMatch(t, []matchCase{
		{"string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{"state":"running"}}`, true},
		{"string no", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{"state":"initializing"}}`, false},
		{"absent never matches", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{}}`, false},
		{"number", `{"detail":{"x-limit":[{"anything-but":123}]}}`, `{"detail":{"x-limit":456}}`, true},
		{"number no", `{"detail":{"x-limit":[{"anything-but":123}]}}`, `{"detail":{"x-limit":123.0}}`, false},
		{"string list", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"running"}}`, true},
		{"string list no", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"overloaded"}}`, false},
		{"number list", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":150}}`, true},
		{"number list no", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":200}}`, false},
		{"prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"running"}}`, true},
		{"prefix no", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"initializing"}}`, false},
		{"suffix", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"a.png"}}`, true},
		{"suffix no", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"a.txt"}}`, false},
		{"ignore case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}}`, `{"detail":{"state":"running"}}`, true},
		{"ignore case no", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}}`, `{"detail":{"state":"INITIALIZING"}}`, false},
		{"ignore case list no", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}}`, `{"detail":{"state":"overloaded"}}`, false},
		{"wildcard", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/bin/x"}}`, true},
		{"wildcard no", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/lib/x"}}`, false},
		{"array any element", `{"s":[{"anything-but":"a"}]}`, `{"s":["a","b"]}`, true},
		{"array all excluded", `{"s":[{"anything-but":"a"}]}`, `{"s":["a","a"]}`, false},
	})
}

func TestNumeric(t *testing.T) {
	const docPattern = `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`
	runMatch(t, []matchCase{
		{"doc example", docPattern, `{"detail":{"c-count":5,"d-count":7,"x-limit":301.8}}`, true},
		{"doc example lower open", docPattern, `{"detail":{"c-count":0,"d-count":7,"x-limit":301.8}}`, false},
		{"doc example upper", docPattern, `{"detail":{"c-count":5,"d-count":10,"x-limit":301.8}}`, false},
		{"doc example equals", docPattern, `{"detail":{"c-count":5,"d-count":7,"x-limit":301.9}}`, false},
		{"string is not a number", `{"x":[{"numeric":[">",0]}]}`, `{"x":"5"}`, false},
		{">=", `{"x":[{"numeric":[">=",1]}]}`, `{"x":1}`, true},
		{"<=", `{"x":[{"numeric":["<=",1]}]}`, `{"x":1.5}`, false},
		{"= int vs float", `{"x":[{"numeric":["=",5]}]}`, `{"x":5.0}`, true},
		{"negative", `{"x":[{"numeric":[">",-10,"<",-1]}]}`, `{"x":-5}`, true},
		{"array", `{"x":[{"numeric":[">",100]}]}`, `{"x":[1,2,300]}`, true},
	})
}

func TestExists(t *testing.T) {
	runMatch(t, []matchCase{
		{"true present", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"state":"initializing"}}`, true},
		{"true absent", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{}}`, false},
		{"true null is a leaf", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"state":null}}`, true},
		{"true object is not a leaf", `{"detail":[{"exists":true}]}`, `{"detail":{"state":"x"}}`, false},
		{"false absent", `{"detail":{"state":[{"exists":false}]}}`, `{"detail":{}}`, true},
		{"false parent absent", `{"detail":{"state":[{"exists":false}]}}`, `{"source":"x"}`, true},
		{"false present", `{"detail":{"state":[{"exists":false}]}}`, `{"detail":{"state":"x"}}`, false},
		{"false empty array", `{"tags":[{"exists":false}]}`, `{"tags":[]}`, true},
		{"false or value", `{"s":[{"exists":false},"x"]}`, `{"s":"x"}`, true},
		{"false or value no", `{"s":[{"exists":false},"x"]}`, `{"s":"y"}`, false},
	})
}

func TestWildcard(t *testing.T) {
	runMatch(t, []matchCase{
		{"doc", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`, true},
		{"doc no", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-west-2:123456789012:event-bus/default"}`, false},
		{"middle", `{"f":[{"wildcard":"dir/*.png"}]}`, `{"f":"dir/a/b.png"}`, true},
		{"middle no", `{"f":[{"wildcard":"dir/*.png"}]}`, `{"f":"dir/a/b.jpg"}`, false},
		{"no star is exact", `{"f":[{"wildcard":"abc"}]}`, `{"f":"abc"}`, true},
		{"no star is exact no", `{"f":[{"wildcard":"abc"}]}`, `{"f":"abcd"}`, false},
		{"star only", `{"f":[{"wildcard":"*"}]}`, `{"f":""}`, true},
		{"overlap", `{"f":[{"wildcard":"a*aa"}]}`, `{"f":"aa"}`, false},
		{"overlap ok", `{"f":[{"wildcard":"a*aa"}]}`, `{"f":"aaa"}`, true},
		{"escaped star", `{"f":[{"wildcard":"a\\*b"}]}`, `{"f":"a*b"}`, true},
		{"escaped star literal", `{"f":[{"wildcard":"a\\*b"}]}`, `{"f":"axb"}`, false},
		{"escaped backslash", `{"f":[{"wildcard":"a\\\\*"}]}`, `{"f":"a\\xyz"}`, true},
		{"number", `{"f":[{"wildcard":"1*"}]}`, `{"f":12}`, false},
	})
}

func TestCIDR(t *testing.T) {
	runMatch(t, []matchCase{
		{"v4", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, `{"detail":{"sourceIPAddress":"10.0.0.255"}}`, true},
		{"v4 no", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, `{"detail":{"sourceIPAddress":"10.0.1.1"}}`, false},
		{"v4 not an ip", `{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"10.0.0.x"}`, false},
		{"v6", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db8:1234::1"}`, true},
		{"v6 no", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db9::1"}`, false},
		{"v4 in v6 block no", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"10.0.0.1"}`, false},
		{"mapped v6 event", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"::ffff:10.1.2.3"}`, true},
		{"host bits set", `{"ip":[{"cidr":"10.0.0.7/24"}]}`, `{"ip":"10.0.0.200"}`, true},
	})
}

func TestOr(t *testing.T) {
	// "$or" example of the content filtering page.
	const p = `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}`
	const top = `{"source":["aws.ec2"],"$or":[{"detail-type":["A"]},{"detail":{"state":["running"]}}]}`
	runMatch(t, []matchCase{
		{"first branch", p, `{"detail":{"c-count":3}}`, true},
		{"last branch", p, `{"detail":{"x-limit":301.8}}`, true},
		{"no branch", p, `{"detail":{"c-count":9,"d-count":11}}`, false},
		{"top level", top, `{"source":"aws.ec2","detail-type":"B","detail":{"state":"running"}}`, true},
		{"top level AND still applies", top, `{"source":"aws.s3","detail-type":"A"}`, false},
		{"top level no branch", top, `{"source":"aws.ec2","detail-type":"B","detail":{"state":"stopped"}}`, false},
		{"$or as field name", `{"$or":["x"]}`, `{"$or":"x"}`, true},
	})
}

// The rule of /work/shared/seed-code/003-eventbridge-kinesis: only running
// and stopped state changes reach the stream, not pending / stopping.
func TestEC2StateChangeSeed(t *testing.T) {
	const p = `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["running","stopped"]}}`
	ev := func(state string) string {
		return `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification",` +
			`"source":"aws.ec2","account":"123456789012","time":"2022-07-26T04:45:24Z","region":"us-east-1",` +
			`"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-000000000000"],` +
			`"detail":{"instance-id":"i-00000000000","state":"` + state + `"}}`
	}
	runMatch(t, []matchCase{
		{"running", p, ev("running"), true},
		{"stopped", p, ev("stopped"), true},
		{"pending", p, ev("pending"), false},
		{"stopping", p, ev("stopping"), false},
		{"other source", p, strings.Replace(ev("running"), `"aws.ec2"`, `"aws.s3"`, 1), false},
	})
}

func TestMatchInvalidEvents(t *testing.T) {
	p, err := Compile([]byte(`{"source":["x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []string{``, `null`, `[]`, `"x"`, `{"source":"x"} {}`, `{"source":`} {
		if p.Match([]byte(ev)) {
			t.Errorf("Match(%q) = true", ev)
		}
	}
	var nilP *Pattern
	if nilP.Match([]byte(`{}`)) || nilP.MatchValue(map[string]any{}) {
		t.Error("nil pattern matched")
	}
}

func TestMatchValue(t *testing.T) {
	p, err := Compile([]byte(`{"a":[5],"b":{"c":[{"numeric":[">",1]}]},"d":["x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]any{"a": 5.0, "b": map[string]any{"c": int64(2)}, "d": []any{"y", "x"}}
	if !p.MatchValue(ok) {
		t.Error("decoded value did not match")
	}
	if p.MatchValue(map[string]any{"a": 5, "b": map[string]any{"c": 1}, "d": "x"}) {
		t.Error("c=1 matched > 1")
	}
	if p.MatchValue("not an object") {
		t.Error("non-object matched")
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct{ name, pattern, reason string }{
		{"invalid json", `{"a":`, ""},
		{"trailing data", `{"a":["x"]} x`, ""},
		{"not object", `["a"]`, "Filter is not an object"},
		{"empty top", `{}`, "Empty objects are not allowed"},
		{"empty nested", `{"source":["aws.health"],"detail":{}}`, "Empty objects are not allowed"},
		{"empty array", `{"a":[]}`, "Empty arrays are not allowed"},
		{"scalar value", `{"a":"x"}`, `"a" must be an object or an array`},
		{"nested array", `{"a":[["x"]]}`, "Match value must be String, number, true, false, or null"},
		{"unknown operator", `{"a":[{"contains":"x"}]}`, "Unrecognized match type contains"},
		{"two keys", `{"a":[{"prefix":"x","suffix":"y"}]}`, "Only one key allowed in match expression"},
		{"empty operator", `{"a":[{}]}`, "Empty objects are not allowed"},
		{"prefix number", `{"a":[{"prefix":5}]}`, "prefix match pattern must be a string"},
		{"suffix array", `{"a":[{"suffix":["x"]}]}`, "suffix match pattern must be a string"},
		{"prefix bad ignore case", `{"a":[{"prefix":{"equals-ignore-case":5}}]}`, "prefix match pattern must be a string"},
		{"ignore case number", `{"a":[{"equals-ignore-case":5}]}`, "equals-ignore-case match pattern must be a string"},
		{"exists string", `{"a":[{"exists":"true"}]}`, "exists match pattern must be either true or false."},
		{"anything-but bool", `{"a":[{"anything-but":true}]}`, "Value of anything-but must be an array or single string/number value."},
		{"anything-but list bool", `{"a":[{"anything-but":["x",true]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{"anything-but empty list", `{"a":[{"anything-but":[]}]}`, "Empty arrays are not allowed"},
		{"anything-but unknown", `{"a":[{"anything-but":{"numeric":[">",1]}}]}`, "Unsupported anything-but pattern: numeric"},
		{"anything-but prefix list", `{"a":[{"anything-but":{"prefix":["x"]}}]}`, "prefix match pattern must be a string"},
		{"numeric not array", `{"a":[{"numeric":5}]}`, "Value of numeric must be an array."},
		{"numeric empty", `{"a":[{"numeric":[]}]}`, "Empty arrays are not allowed"},
		{"numeric odd", `{"a":[{"numeric":[">",1,"<"]}]}`, "Numeric expression must have 2 or 4 elements, got 3"},
		{"numeric bad op", `{"a":[{"numeric":["!=",1]}]}`, "Unrecognized numeric range operator: !="},
		{"numeric op not string", `{"a":[{"numeric":[1,1]}]}`, "Invalid member in numeric match: 1"},
		{"numeric value string", `{"a":[{"numeric":[">","1"]}]}`, "Value of > must be numeric"},
		{"numeric reversed", `{"a":[{"numeric":["<",5,">",1]}]}`, "Bad numeric range: lower bound must come first"},
		{"numeric two lower", `{"a":[{"numeric":[">",1,">",2]}]}`, "Bad numeric range: lower bound must come first and only once"},
		{"numeric empty range", `{"a":[{"numeric":[">",5,"<",1]}]}`, "Bad numeric range: bottom must be less than top"},
		{"numeric empty point", `{"a":[{"numeric":[">",5,"<",5]}]}`, "Bad numeric range: bottom must be less than top"},
		{"numeric = combined", `{"a":[{"numeric":["=",5,"<",6]}]}`, `Bad numeric range: "=" can not be combined with other operators`},
		{"numeric out of range", `{"a":[{"numeric":[">",6e9]}]}`, "Value of > must be between -5.0E9 and 5.0E9, got 6e9"},
		{"wildcard consecutive", `{"a":[{"wildcard":"a**b"}]}`, "Consecutive wildcard characters at pos 2"},
		{"wildcard bad escape", `{"a":[{"wildcard":"a\\b"}]}`, "Invalid escape character at pos 1"},
		{"wildcard trailing escape", `{"a":[{"wildcard":"a\\"}]}`, "Invalid escape character at pos 1"},
		{"cidr bad", `{"a":[{"cidr":"10.0.0.0/33"}]}`, "Malformed CIDR, one '/' required, and an IPv4 or IPv6 address with a prefix length: 10.0.0.0/33"},
		{"cidr not ip", `{"a":[{"cidr":"bogus"}]}`, "Nonstandard IP address: bogus"},
		{"cidr number", `{"a":[{"cidr":10}]}`, "cidr match pattern must be a string"},
		{"$or bad branch", `{"$or":[{"a":[]},{"b":["x"]}]}`, "Empty arrays are not allowed"},
		{"$or empty branch", `{"$or":[{},{"b":["x"]}]}`, "Empty objects are not allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile([]byte(tc.pattern))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%s) error = %v, want *Error", tc.pattern, err)
			}
			if tc.reason != "" && pe.Reason != tc.reason {
				t.Errorf("Reason = %q, want %q", pe.Reason, tc.reason)
			}
			if !strings.HasPrefix(pe.Error(), "Event pattern is not valid. Reason: ") || pe.Code() != "InvalidEventPatternException" {
				t.Errorf("Error() = %q, Code() = %q", pe.Error(), pe.Code())
			}
		})
	}
}

func TestCompileAcceptsValidForms(t *testing.T) {
	for _, p := range []string{
		`{"a":[{"numeric":["=",5]}]}`,
		`{"a":[{"numeric":[">=",-5e9,"<=",5e9]}]}`,
		`{"a":[{"cidr":"10.0.0.1"}]}`,
		`{"a":[{"anything-but":{"wildcard":["*.png","*.jpg"]}}]}`,
		`{"a":[{"prefix":""}]}`,
		`{"a":["x",1,true,null,{"prefix":"y"},{"exists":false}]}`,
	} {
		if _, err := Compile([]byte(p)); err != nil {
			t.Errorf("Compile(%s): %v", p, err)
		}
	}
}
