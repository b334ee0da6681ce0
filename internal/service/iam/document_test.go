package iam

import (
	"net/url"
	"testing"
)

func TestEncodeDocumentLikeIAM(t *testing.T) {
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}`
	want := "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20" +
		"%22Action%22%3A%20%22s3%3A%2A%22%2C%20%22Resource%22%3A%20%22arn%3Aaws%3As3%3A%3A%3Ab%2F%2A%22%7D%5D%7D"
	if got := *encodeDocument(doc); got != want {
		t.Fatalf("encoded\n got %s\nwant %s", got, want)
	}
	multiline := "{\n  \"a\": \"x+y ~_.-\"\n}"
	got := *encodeDocument(multiline)
	if got != "%7B%0A%20%20%22a%22%3A%20%22x%2By%20~_.-%22%0A%7D" {
		t.Fatalf("encoded %s", got)
	}
	if back, err := url.QueryUnescape(got); err != nil || back != multiline {
		t.Fatalf("round trip = %q, %v", back, err)
	}
}

func TestCheckDocument(t *testing.T) {
	cases := []struct {
		doc     string
		kind    documentKind
		message string // "" when valid
	}{
		{s3Policy, permissionsPolicy, ""},
		{`{"Statement": {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "*"}}`, permissionsPolicy, ""},
		{lambdaTrust, trustPolicy, ""},
		{`[]`, permissionsPolicy, "This policy contains invalid Json"},
		{`{"Version": "2012-10-17"`, permissionsPolicy, "This policy contains invalid Json"},
		{`{"Version": "2020-01-01", "Statement": []}`, permissionsPolicy, "The policy failed legacy parsing"},
		{`{"Version": "2012-10-17"}`, permissionsPolicy, "Syntax errors in policy."},
		{`{"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}`, permissionsPolicy, "Syntax errors in policy."},
		{`{"Statement": [{"Effect": "Allow", "Resource": "*"}]}`, permissionsPolicy, "Policy statement must contain actions."},
		{`{"Statement": [{"Effect": "Allow", "Action": "*"}]}`, permissionsPolicy, "Policy statement must contain resources."},
		{`{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}`, permissionsPolicy, "Policy document should not specify a principal."},
		{s3Policy, trustPolicy, "Has prohibited field Resource"},
	}
	for _, c := range cases {
		err := checkDocument(c.doc, c.kind)
		if c.message == "" {
			if err != nil {
				t.Errorf("%s: %v", c.doc, err)
			}
			continue
		}
		wantError(t, err, "MalformedPolicyDocument", c.message)
	}
}

func TestDocumentSizeQuota(t *testing.T) {
	big := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": [`
	for i := range 400 {
		if i > 0 {
			big += ", "
		}
		big += `"arn:aws:s3:::bucket/x"`
	}
	big += "]}]}"
	wantError(t, checkManagedDocument(big), "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
}
