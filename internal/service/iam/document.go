package iam

import (
	"encoding/json"
	"net/url"
	"strings"
	"unicode"

	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

// encodeDocument renders a policy document as IAM's query API returns it:
// percent-encoded with every byte outside RFC 3986's unreserved set
// (A–Z a–z 0–9 - _ . ~) escaped, spaces as %20 and "*" as %2A, e.g.
// %7B%22Version%22%3A%222012-10-17%22%2C... botocore and the AWS CLI decode
// it back into a JSON object; SDKs such as aws-sdk-go-v2 hand it to the
// caller as is, and callers url.QueryUnescape it.
func encodeDocument(doc string) *string {
	// QueryEscape escapes exactly the reserved set; it only writes "+" for
	// a space, since a literal "+" becomes %2B.
	s := strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
	return &s
}

// documentKind selects the rules a policy document is checked against.
type documentKind int

const (
	permissionsPolicy documentKind = iota // managed and inline policies
	trustPolicy                           // a role's assume-role policy
)

// Size quotas, counted as IAM counts them: characters other than white space.
const (
	maxManagedPolicySize = 6144 // "PolicySize"
	maxTrustPolicySize   = 2048 // "ACLSizePerRole", the default quota
)

// checkDocument validates a policy document the way IAM does before storing
// it, with IAM's MalformedPolicyDocument messages. It checks the grammar's
// skeleton (a JSON object with a known Version and statements that have an
// Effect, actions and, for permissions policies, resources), not the
// meaning of actions or ARNs.
func checkDocument(doc string, kind documentKind) error {
	var top map[string]any
	if err := json.Unmarshal([]byte(doc), &top); err != nil || top == nil {
		return iamapi.NewMalformedPolicyDocumentException("This policy contains invalid Json")
	}
	if v, ok := top["Version"]; ok && v != "2012-10-17" && v != "2008-10-17" {
		return iamapi.NewMalformedPolicyDocumentException("The policy failed legacy parsing")
	}
	statements, ok := statementsOf(top["Statement"])
	if !ok {
		return iamapi.NewMalformedPolicyDocumentException("Syntax errors in policy.")
	}
	for _, st := range statements {
		if err := checkStatement(st, kind); err != nil {
			return err
		}
	}
	return nil
}

// statementsOf accepts a statement or a list of statements.
func statementsOf(v any) ([]map[string]any, bool) {
	switch v := v.(type) {
	case map[string]any:
		return []map[string]any{v}, true
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, e := range v {
			st, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, st)
		}
		return out, len(out) > 0
	}
	return nil, false
}

func checkStatement(st map[string]any, kind documentKind) error {
	if effect := st["Effect"]; effect != "Allow" && effect != "Deny" {
		return iamapi.NewMalformedPolicyDocumentException("Syntax errors in policy.")
	}
	if !hasAny(st, "Action", "NotAction") {
		return iamapi.NewMalformedPolicyDocumentException("Policy statement must contain actions.")
	}
	switch kind {
	case trustPolicy:
		if hasAny(st, "Resource") {
			return iamapi.NewMalformedPolicyDocumentException("Has prohibited field Resource")
		}
	default:
		if !hasAny(st, "Resource", "NotResource") {
			return iamapi.NewMalformedPolicyDocumentException("Policy statement must contain resources.")
		}
		if hasAny(st, "Principal", "NotPrincipal") {
			return iamapi.NewMalformedPolicyDocumentException("Policy document should not specify a principal.")
		}
	}
	return nil
}

func hasAny(st map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := st[k]; ok {
			return true
		}
	}
	return false
}

// documentSize counts a document's characters as IAM's size quotas do.
func documentSize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// checkManagedDocument validates the document of a managed policy version.
func checkManagedDocument(doc string) error {
	if err := checkDocument(doc, permissionsPolicy); err != nil {
		return err
	}
	if documentSize(doc) > maxManagedPolicySize {
		return iamapi.NewLimitExceededException("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

// checkTrustDocument validates a role's trust policy.
func checkTrustDocument(doc string) error {
	if err := checkDocument(doc, trustPolicy); err != nil {
		return err
	}
	if documentSize(doc) > maxTrustPolicySize {
		return iamapi.NewLimitExceededException("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	return nil
}
