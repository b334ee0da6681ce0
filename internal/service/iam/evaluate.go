package iam

import (
	"context"
	"encoding/json"

	"github.com/kiricloud/kiri/internal/store"
)

// RolePermissions are a role's identity-based policies, parsed once so that
// several questions can be asked of one store read (see Allows).
type RolePermissions struct {
	identity []map[string]any // the statements of every attached and inline policy
	boundary []map[string]any // the permissions boundary's statements
	bounded  bool             // the role has a permissions boundary
}

// RolePermissions reads the identity-based policies of the role roleArn
// names, in the account the ARN names: the default version of every managed
// policy attached to it (customer managed ones from the store, AWS managed
// ones from the catalogue), its inline policies and its permissions
// boundary. It reports false when the ARN names no role.
func (s *Service) RolePermissions(ctx context.Context, roleArn string) (*RolePermissions, bool, error) {
	parsed, ok := parseArn(roleArn)
	if !ok || parsed.Resource != "role" {
		return nil, false, nil
	}
	var docs []string
	var boundary string
	found := false
	err := s.st.View(func(tx store.Tx) error {
		a := s.open(tx, parsed.Account)
		var r roleRecord
		ok, err := a.get(&r, "role", fold(parsed.Name))
		if err != nil || !ok || r.Path != parsed.Path {
			return err
		}
		found = true
		if docs, err = a.identityDocuments(kindRole, r.Name); err != nil || r.PermissionsBoundary == "" {
			return err
		}
		mp, ok, err := a.findPolicy(r.PermissionsBoundary)
		if err != nil {
			return err
		}
		if ok {
			boundary = mp.defaultDocument()
		}
		return nil
	})
	if err != nil || !found {
		return nil, false, err
	}
	p := &RolePermissions{bounded: boundary != ""}
	for _, d := range docs {
		p.identity = append(p.identity, policyStatements(d)...)
	}
	if p.bounded {
		p.boundary = policyStatements(boundary)
	}
	return p, true, nil
}

// RoleAllows reports whether the identity-based policies of the role
// roleArn names allow action on resource, as IAM evaluates them within one
// account: an explicit Deny wins, otherwise an Allow is needed, otherwise
// the request is implicitly denied. When the role has a permissions
// boundary, the boundary must allow the action too. A role that does not
// exist allows nothing.
//
// Resource-based policies, session policies, SCPs and the request's
// context are not considered; see Allows for how Conditions are treated.
func (s *Service) RoleAllows(ctx context.Context, roleArn, action, resource string) (bool, error) {
	p, ok, err := s.RolePermissions(ctx, roleArn)
	if err != nil || !ok {
		return false, err
	}
	return p.Allows(action, resource), nil
}

// Allows evaluates the role's policies for action on resource (see
// RoleAllows). Actions match case-insensitively and resources
// case-sensitively, each with IAM's * and ? wildcards; Action/NotAction and
// Resource/NotResource take a string or a list.
//
// Conditions are not evaluated, and a statement with a Condition is read
// the lenient way: a conditional Allow applies and a conditional Deny does
// not. kiri asks these questions about what a service does on the role's
// behalf (Lambda creating network interfaces, writing logs) without the
// request context that conditions test (aws:SourceVpc, ec2:Subnet,
// aws:RequestedRegion, tags, …). Conditions in execution roles are
// overwhelmingly written to be met by the intended use (an Allow scoped to
// the function's subnets, a guard-rail Deny for other regions), so the
// lenient reading answers as AWS does for those; the strict reading would
// refuse functions that work on AWS, with no way for the user to fix it but
// to delete conditions. The cost is that kiri may accept what a Deny's
// condition would refuse on AWS — no worse than kiri before it checked.
func (p *RolePermissions) Allows(action, resource string) bool {
	if p == nil || !evaluate(p.identity, action, resource) {
		return false
	}
	return !p.bounded || evaluate(p.boundary, action, resource)
}

// evaluate applies IAM's rule to one set of statements: an explicit Deny
// wins, then any Allow, else an implicit deny.
func evaluate(statements []map[string]any, action, resource string) bool {
	allowed := false
	for _, st := range statements {
		if !coversAction(st, action) || !coversResource(st, resource) {
			continue
		}
		_, conditional := st["Condition"]
		switch st["Effect"] {
		case "Deny":
			if !conditional {
				return false
			}
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// coversResource reports whether a statement's Resource (or NotResource)
// applies to resource. Resources match case-sensitively; a statement with
// neither element applies to nothing.
func coversResource(st map[string]any, resource string) bool {
	if v, ok := st["NotResource"]; ok {
		return !anyMatchesExact(v, resource)
	}
	return anyMatchesExact(st["Resource"], resource)
}

// anyMatchesExact is anyMatches with case-sensitive matching, as IAM
// matches resource ARNs.
func anyMatchesExact(v any, s string) bool {
	return anyMatching(v, s, func(x string) string { return x })
}

// identityDocuments returns the identity-based policies of a user or role
// as plain JSON: the default version of every managed policy attached to
// it, then its inline policies.
func (a *account) identityDocuments(kind, name string) ([]string, error) {
	var docs []string
	attached, err := a.keysUnder("attached", kind, fold(name))
	if err != nil {
		return nil, err
	}
	for _, k := range attached {
		mp, ok, err := a.findPolicy(k[0])
		if err != nil {
			return nil, err
		}
		if ok {
			docs = append(docs, mp.defaultDocument())
		}
	}
	inline, err := scanJSON[inlineRecord](a, "inline", kind, fold(name))
	for _, in := range inline {
		docs = append(docs, in.Document)
	}
	return docs, err
}

// policyStatements parses a policy document's statements; a document
// that does not parse contributes none (IAM validated it on the way in).
func policyStatements(doc string) []map[string]any {
	var d map[string]any
	if json.Unmarshal([]byte(doc), &d) != nil {
		return nil
	}
	statements, _ := statementsOf(d["Statement"])
	return statements
}
