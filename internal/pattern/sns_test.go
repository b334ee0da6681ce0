package pattern

import (
	"errors"
	"strings"
	"testing"
)

// The message of "Amazon SNS example filter policies"
// (https://docs.aws.amazon.com/sns/latest/dg/example-filter-policies.html),
// in the notification's MessageAttributes form and as a JSON body.
const (
	snsDocAttributes = `{
	  "customer_interests": {"Type": "String.Array", "Value": "[\"soccer\", \"rugby\", \"hockey\"]"},
	  "store": {"Type": "String", "Value": "example_corp"},
	  "event": {"Type": "String", "Value": "order_placed"},
	  "price_usd": {"Type": "Number", "Value": "210.75"}
	}`
	snsDocBody = `{"customer_interests": ["soccer", "rugby", "hockey"], "store": "example_corp", "event": "order_placed", "price_usd": 210.75}`
)

func TestSNSMessageAttributes(t *testing.T) {
	cases := []struct {
		name, policy string
		want         bool
	}{
		// Pages: example-filter-policies.html, string-value-matching.html,
		// numeric-value-matching.html, attribute-key-matching.html,
		// and-or-logic.html under https://docs.aws.amazon.com/sns/latest/dg/.
		{"doc policy accepts", `{"store":["example_corp"],"event":[{"anything-but":"order_cancelled"}],"customer_interests":["rugby","football","baseball"],"price_usd":[{"numeric":[">=",100]}]}`, true},
		{"String exact", `{"store":["example_corp"]}`, true},
		{"String exact no", `{"store":["other_corp"]}`, false},
		{"String.Array element-wise", `{"customer_interests":["rugby"]}`, true},
		{"String.Array no element", `{"customer_interests":["basketball","baseball"]}`, false},
		{"String.Array prefix", `{"customer_interests":[{"prefix":"hock"}]}`, true},
		{"Number exact numeric", `{"price_usd":[210.75]}`, true},
		{"Number exact as string no", `{"price_usd":["210.75"]}`, false},
		{"Number range", `{"price_usd":[{"numeric":[">",100,"<=",250]}]}`, true},
		{"Number range no", `{"price_usd":[{"numeric":[">",0,"<=",150]}]}`, false},
		{"Number =", `{"price_usd":[{"numeric":["=",210.75]}]}`, true},
		{"String not numeric", `{"store":[{"numeric":[">",0]}]}`, false},
		{"anything-but", `{"event":[{"anything-but":["order_cancelled","order_failed"]}]}`, true},
		{"anything-but no", `{"event":[{"anything-but":"order_placed"}]}`, false},
		{"anything-but prefix", `{"event":[{"anything-but":{"prefix":"order_"}}]}`, false},
		{"anything-but absent attribute", `{"missing":[{"anything-but":"x"}]}`, false},
		{"equals-ignore-case", `{"store":[{"equals-ignore-case":"EXAMPLE_CORP"}]}`, true},
		{"suffix", `{"store":[{"suffix":"_corp"}]}`, true},
		{"exists true", `{"store":[{"exists":true}]}`, true},
		{"exists false", `{"store":[{"exists":false}]}`, false},
		{"exists false absent", `{"encrypted":[{"exists":false}]}`, true},
		{"AND", `{"customer_interests":["rugby"],"price_usd":[{"numeric":[">",300]}]}`, false},
		{"$or", `{"store":["example_corp"],"$or":[{"event":["order_cancelled"]},{"price_usd":[{"numeric":[">",200]}]}]}`, true},
		{"$or no branch", `{"store":["example_corp"],"$or":[{"event":["order_cancelled"]},{"price_usd":[{"numeric":[">",300]}]}]}`, false},
		{"empty policy matches all", `{}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CompileFilterPolicy([]byte(tc.policy), ScopeMessageAttributes)
			if err != nil {
				t.Fatalf("CompileFilterPolicy(%s): %v", tc.policy, err)
			}
			if got := p.Match([]byte(snsDocAttributes)); got != tc.want {
				t.Errorf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSNSMatchAttributes(t *testing.T) {
	p, err := CompileFilterPolicy([]byte(`{"interests":["rugby"],"price":[{"numeric":[">=",5]}],"blob":[{"exists":false}]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Scope() != ScopeMessageAttributes || p.Dialect() != SNS {
		t.Fatalf("scope %q dialect %v", p.Scope(), p.Dialect())
	}
	attrs := map[string]Attribute{
		"interests": {DataType: "String.Array", Value: `["soccer","rugby"]`},
		"price":     {DataType: "Number", Value: "5.0"},
		"blob":      {DataType: "Binary", Value: "AAEC"}, // invisible to filtering
	}
	if !p.MatchAttributes(attrs) {
		t.Error("attributes did not match")
	}
	attrs["price"] = Attribute{DataType: "Number.float", Value: "4.99"}
	if p.MatchAttributes(attrs) {
		t.Error("price 4.99 matched >= 5")
	}
	// API spelling of the JSON form.
	ev := `{"interests":{"DataType":"String.Array","StringValue":"[\"rugby\"]"},"price":{"DataType":"Number","StringValue":"7"}}`
	if !p.Match([]byte(ev)) {
		t.Error("DataType/StringValue form did not match")
	}
	// A String.Array that is not an array is compared as text.
	if !p.MatchAttributes(map[string]Attribute{"interests": {DataType: "String.Array", Value: "rugby"}, "price": {DataType: "Number", Value: "9"}}) {
		t.Error("non-array String.Array not compared as text")
	}
}

func TestSNSMessageBody(t *testing.T) {
	cases := []struct {
		name, policy, body string
		want               bool
	}{
		{"doc policy", `{"store":["example_corp"],"event":[{"anything-but":"order_cancelled"}],"customer_interests":["rugby","football","baseball"],"price_usd":[{"numeric":[">=",100]}]}`, snsDocBody, true},
		{"array element", `{"customer_interests":["hockey"]}`, snsDocBody, true},
		{"numeric no", `{"price_usd":[{"numeric":["<",100]}]}`, snsDocBody, false},
		{"nested", `{"patient":{"vitals":{"heart_rate":[{"numeric":[">",100]}]}}}`, `{"patient":{"vitals":{"heart_rate":120}}}`, true},
		{"nested no", `{"patient":{"vitals":{"heart_rate":[{"numeric":[">",100]}]}}}`, `{"patient":{"vitals":{"heart_rate":80}}}`, false},
		{"cidr", `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, `{"source_ip":"10.0.0.42"}`, true},
		{"cidr no", `{"source_ip":[{"cidr":"10.0.0.0/24"}]}`, `{"source_ip":"10.0.1.42"}`, false},
		{"not JSON body", `{"store":["example_corp"]}`, `plain text`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CompileFilterPolicy([]byte(tc.policy), ScopeMessageBody)
			if err != nil {
				t.Fatalf("CompileFilterPolicy(%s): %v", tc.policy, err)
			}
			if got := p.Match([]byte(tc.body)); got != tc.want {
				t.Errorf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSNSCompileErrors(t *testing.T) {
	cases := []struct{ name, policy, scope, reason string }{
		{"bad scope", `{"a":["x"]}`, "Body", "FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes"},
		{"invalid json", `{"a":`, ScopeMessageAttributes, ""},
		{"not object", `"x"`, ScopeMessageAttributes, "Filter policy must be a JSON object"},
		{"nested in attributes", `{"a":{"b":["x"]}}`, ScopeMessageAttributes, "Filter policy scope MessageAttributes does not support nested filter policy"},
		{"wildcard", `{"a":[{"wildcard":"x*"}]}`, ScopeMessageBody, "Unrecognized match type wildcard"},
		{"six keys", `{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}`, ScopeMessageAttributes, "Filter policy can not have more than 5 keys"},
		{"six nested keys", `{"a":{"b":["1"],"c":["1"]},"d":{"e":["1"],"f":["1"],"g":["1"]},"h":["1"]}`, ScopeMessageBody, "Filter policy can not have more than 5 keys"},
		{"too complex", `{"a":["1","2","3","4","5","6"],"b":["1","2","3","4","5","6"],"c":["1","2","3","4","5"]}`, ScopeMessageAttributes, "Filter policy is too complex"},
		{"numeric out of range", `{"a":[{"numeric":[">",2e9]}]}`, ScopeMessageAttributes, "Value of > must be between -1.0E9 and 1.0E9, got 2e9"},
		{"empty array", `{"a":[]}`, ScopeMessageAttributes, "Empty arrays are not allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompileFilterPolicy([]byte(tc.policy), tc.scope)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want *Error", err)
			}
			if tc.reason != "" && pe.Reason != tc.reason {
				t.Errorf("Reason = %q, want %q", pe.Reason, tc.reason)
			}
			if !strings.HasPrefix(pe.Error(), "Invalid parameter: FilterPolicy: ") || pe.Code() != "InvalidParameter" {
				t.Errorf("Error() = %q, Code() = %q", pe.Error(), pe.Code())
			}
		})
	}
}

func TestSNSLimitsAllowed(t *testing.T) {
	for _, p := range []string{
		// Five keys, 5*5*3*2*1 = 150 combinations: exactly at both limits.
		`{"a":["1","2","3","4","5"],"b":["1","2","3","4","5"],"c":["1","2","3"],"d":["1","2"],"e":["1"]}`,
		// "$or" branches count separately for keys: 4 + max(1, 1).
		`{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"$or":[{"e":["1"]},{"f":["1"]}]}`,
	} {
		if _, err := CompileFilterPolicy([]byte(p), ScopeMessageAttributes); err != nil {
			t.Errorf("CompileFilterPolicy(%s): %v", p, err)
		}
	}
}
