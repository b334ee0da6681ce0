package lambda

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// policyRecord is the resource-based policy of a function, version or
// alias: the statements AddPermission made, in order.
type policyRecord struct {
	RevisionID string      `json:"revisionId"`
	Statements []statement `json:"statements"`
}

// statement is one policy statement, in the JSON shape GetPolicy returns.
type statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal any                          `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

func policyKey(ref fnRef) []byte { return ref.ns().Key("policy", ref.name, ref.qualifier) }

// AddPermission adds a statement to the policy of a function, version or
// alias. Service principals are held to it (AllowsInvoke); callers with
// credentials are IAM's enforcement mode's job.
func (s *Service) AddPermission(ctx context.Context, in *lambdaapi.AddPermissionRequest) (*lambdaapi.AddPermissionResponse, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	st := newStatement(ref, in)
	err = s.st.Update(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		var p policyRecord
		if _, err := store.GetJSON(tx, policyKey(ref), &p); err != nil {
			return err
		}
		if p.RevisionID != "" {
			if err := checkRevision(in.RevisionId, p.RevisionID); err != nil {
				return err
			}
		}
		for _, old := range p.Statements {
			if old.Sid == st.Sid {
				return lambdaapi.NewResourceConflictException("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", st.Sid)
			}
		}
		p.Statements, p.RevisionID = append(p.Statements, st), request.NewID()
		return store.PutJSON(tx, policyKey(ref), &p)
	})
	if err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(st)
	return &lambdaapi.AddPermissionResponse{Statement: api.Ptr(string(doc))}, nil
}

func newStatement(ref fnRef, in *lambdaapi.AddPermissionRequest) statement {
	st := statement{
		Sid: api.Deref(in.StatementId), Effect: "Allow", Principal: principalOf(api.Deref(in.Principal)),
		Action: api.Deref(in.Action), Resource: ref.qualifiedArn(),
	}
	if !strings.Contains(st.Action, ":") && st.Action != "*" {
		st.Action = "lambda:" + st.Action
	}
	cond := map[string]map[string]string{}
	if v := api.Deref(in.SourceArn); v != "" {
		cond["ArnLike"] = map[string]string{"AWS:SourceArn": v}
	}
	if v := api.Deref(in.SourceAccount); v != "" {
		addCondition(cond, "StringEquals", "AWS:SourceAccount", v)
	}
	if v := api.Deref(in.EventSourceToken); v != "" {
		addCondition(cond, "StringEquals", "lambda:EventSourceToken", v)
	}
	if v := api.Deref(in.PrincipalOrgID); v != "" {
		addCondition(cond, "StringEquals", "aws:PrincipalOrgID", v)
	}
	if v := api.Deref(in.FunctionUrlAuthType); v != "" {
		addCondition(cond, "StringEquals", "lambda:FunctionUrlAuthType", v)
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	return st
}

func addCondition(cond map[string]map[string]string, op, key, value string) {
	if cond[op] == nil {
		cond[op] = map[string]string{}
	}
	cond[op][key] = value
}

// principalOf writes a principal the way Lambda's policies do: a service
// as {"Service": …}, an account id as its root ARN, "*" as is.
func principalOf(p string) any {
	switch {
	case p == "*":
		return "*"
	case accountPattern.MatchString(p):
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}
	case strings.HasPrefix(p, "arn:"):
		return map[string]string{"AWS": p}
	}
	return map[string]string{"Service": p}
}

// checkQualifierExists checks that the function and its version or alias exist.
func checkQualifierExists(tx store.Tx, ref fnRef) error {
	_, _, err := resolveVersion(tx, ref)
	return err
}

// RemovePermission removes a statement by its Sid.
func (s *Service) RemovePermission(ctx context.Context, in *lambdaapi.RemovePermissionRequest) (*lambdaapi.RemovePermissionOutput, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	sid := api.Deref(in.StatementId)
	err = s.st.Update(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		return removeStatement(tx, policyKey(ref), sid, in.RevisionId)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.RemovePermissionOutput{}, nil
}

func indexSid(sts []statement, sid string) int {
	for i, st := range sts {
		if st.Sid == sid {
			return i
		}
	}
	return -1
}

// GetPolicy returns the policy document.
func (s *Service) GetPolicy(ctx context.Context, in *lambdaapi.GetPolicyRequest) (*lambdaapi.GetPolicyResponse, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	var p policyRecord
	err = s.st.View(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		ok, err := store.GetJSON(tx, policyKey(ref), &p)
		if err == nil && !ok {
			err = lambdaapi.NewResourceNotFoundException("The resource you requested does not exist.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	doc, err := p.document()
	if err != nil {
		return nil, err
	}
	return &lambdaapi.GetPolicyResponse{Policy: api.Ptr(doc), RevisionId: api.Ptr(p.RevisionID)}, nil
}

// AllowsInvoke reports whether the resource policy of the function (or
// version, or alias) that functionArn names lets a service principal such
// as sns.amazonaws.com invoke it for sourceArn, as AWS checks before SNS,
// S3, EventBridge or IoT invoke a function.
func (s *Service) AllowsInvoke(ctx context.Context, functionArn, principal, sourceArn, sourceAccount string) (bool, error) {
	ref, err := s.resolveName(ctx, &functionArn, nil)
	if err != nil {
		return false, err
	}
	var p policyRecord
	err = s.st.View(func(tx store.Tx) error {
		_, err := store.GetJSON(tx, policyKey(ref), &p)
		return err
	})
	if err != nil {
		return false, err
	}
	for _, st := range p.Statements {
		if st.allows(principal, sourceArn, sourceAccount) {
			return true, nil
		}
	}
	return false, nil
}

// allows evaluates one statement for a service principal's invocation.
func (st statement) allows(principal, sourceArn, sourceAccount string) bool {
	if st.Effect != "Allow" || (st.Action != "lambda:InvokeFunction" && st.Action != "lambda:*" && st.Action != "*") {
		return false
	}
	if p, ok := st.Principal.(map[string]any); ok {
		if p["Service"] != principal {
			return false
		}
	} else if st.Principal != "*" {
		return false
	}
	if want, ok := st.Condition["ArnLike"]["AWS:SourceArn"]; ok && !arnLike(want, sourceArn) {
		return false
	}
	if want, ok := st.Condition["StringEquals"]["AWS:SourceAccount"]; ok && want != sourceAccount {
		return false
	}
	return true
}

// arnLike matches an ARN against an IAM ArnLike pattern: * matches any run
// of characters (slashes included), ? any one.
func arnLike(pattern, arn string) bool {
	expr := regexp.QuoteMeta(pattern)
	expr = strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(expr)
	ok, err := regexp.MatchString("^"+expr+"$", arn)
	return err == nil && ok
}

// removeStatement deletes statement sid from the policy stored at key (a
// function's or a layer version's), checking the caller's RevisionId; the
// policy goes when its last statement does.
func removeStatement(tx store.Tx, key []byte, sid string, revision *string) error {
	var p policyRecord
	ok, err := store.GetJSON(tx, key, &p)
	if err != nil {
		return err
	}
	if !ok {
		return lambdaapi.NewResourceNotFoundException("No policy is associated with the given resource.")
	}
	if err := checkRevision(revision, p.RevisionID); err != nil {
		return err
	}
	i := indexSid(p.Statements, sid)
	if i < 0 {
		return lambdaapi.NewResourceNotFoundException("Statement %s is not found in resource policy.", sid)
	}
	p.Statements, p.RevisionID = append(p.Statements[:i], p.Statements[i+1:]...), request.NewID()
	if len(p.Statements) == 0 {
		return tx.Delete(key)
	}
	return store.PutJSON(tx, key, &p)
}

// document renders the policy as GetPolicy and GetLayerVersionPolicy
// return it.
func (p *policyRecord) document() (string, error) {
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": p.Statements})
	return string(doc), err
}
