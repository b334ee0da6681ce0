package lambda

import "testing"

func TestStatementAllowsServicePrincipal(t *testing.T) {
	st := statement{Effect: "Allow", Action: "lambda:InvokeFunction", Principal: map[string]any{"Service": "sns.amazonaws.com"},
		Condition: map[string]map[string]string{"ArnLike": {"AWS:SourceArn": "arn:aws:sns:us-east-1:000000000000:*"}}}
	cases := []struct {
		principal, source string
		want              bool
	}{
		{"sns.amazonaws.com", "arn:aws:sns:us-east-1:000000000000:topic", true},
		{"sns.amazonaws.com", "arn:aws:sns:us-east-1:111111111111:topic", false},
		{"s3.amazonaws.com", "arn:aws:sns:us-east-1:000000000000:topic", false},
	}
	for _, c := range cases {
		if got := st.allows(c.principal, c.source, "000000000000"); got != c.want {
			t.Errorf("%s from %s: %v, want %v", c.principal, c.source, got, c.want)
		}
	}
	if !arnLike("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b") || arnLike("arn:aws:s3:::bucket?", "arn:aws:s3:::bucket") {
		t.Error("ArnLike wildcards")
	}
}
