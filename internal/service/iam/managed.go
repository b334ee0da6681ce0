package iam

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
	"github.com/kiricloud/kiri/internal/service/iam/policies"
)

// maxPolicyVersions is IAM's limit of versions of one managed policy.
const maxPolicyVersions = 5

// managedPolicy is a managed policy as the calls that take a PolicyArn see
// it: either AWS's (from the catalogue) or the account's own.
type managedPolicy struct {
	arn   string
	aws   *policies.Policy // AWS managed
	local *policyRecord    // customer managed
}

func (p *managedPolicy) name() string {
	if p.aws != nil {
		return p.aws.Name
	}
	return p.local.Name
}

func (p *managedPolicy) path() string {
	if p.aws != nil {
		return p.aws.Path
	}
	return p.local.Path
}

// sortKey orders policies in listings: by name, then ARN, as a customer
// policy may share the name of an AWS one.
func (p *managedPolicy) sortKey() string { return fold(p.name()) + "\x00" + p.arn }

// findPolicy resolves a policy ARN in the account: AWS managed policies are
// visible to every account, customer managed ones only to their own.
func (a *account) findPolicy(arn string) (*managedPolicy, bool, error) {
	parsed, ok := parseArn(arn)
	if !ok || parsed.Resource != "policy" {
		return nil, false, nil
	}
	switch parsed.Account {
	case awsAccount:
		p, ok := policies.ByArn(arn)
		return &managedPolicy{arn: arn, aws: p}, ok, nil
	case a.id:
		var r policyRecord
		ok, err := a.get(&r, "policy", fold(parsed.Name))
		if err != nil || !ok || r.Path != parsed.Path || r.Name != parsed.Name {
			return nil, false, err
		}
		return &managedPolicy{arn: arn, local: &r}, true, nil
	}
	return nil, false, nil
}

// policy resolves a policy ARN, answering NoSuchEntity ("was not found")
// when there is none, as the policy calls do.
func (a *account) policy(arn string) (*managedPolicy, error) {
	if _, ok := parseArn(arn); !ok {
		return nil, errInvalidInput("ARN %s is not valid.", arn)
	}
	p, ok, err := a.findPolicy(arn)
	if err != nil || !ok {
		return nil, orErr(err, errNoSuchPolicy(arn))
	}
	return p, nil
}

// refuseAWSPolicy answers a call that would change an AWS managed policy:
// those are AWS's to change. It runs before the call's transaction, as
// naming the caller reads the store.
func (s *Service) refuseAWSPolicy(ctx context.Context, arn, action string) error {
	if _, ok := policies.ByArn(arn); !ok {
		return nil
	}
	caller, err := s.Caller(ctx)
	if err != nil {
		return err
	}
	return errAccessDenied(caller.Arn, "iam:"+action, "policy "+arn)
}

// ownPolicy resolves a customer managed policy for a call that changes it.
func (a *account) ownPolicy(arn string) (*policyRecord, error) {
	p, err := a.policy(arn)
	if err != nil {
		return nil, err
	}
	if p.local == nil { // refuseAWSPolicy has answered for AWS's
		return nil, errNoSuchPolicy(arn)
	}
	return p.local, nil
}

func (a *account) putPolicy(r *policyRecord) error { return a.put(r, "policy", fold(r.Name)) }

// policyOut renders a policy; detailed adds what only GetPolicy shows (the
// description and tags).
func (a *account) policyOut(p *managedPolicy, detailed bool) (*iamapi.Policy, error) {
	attachments, err := a.count("attachment", p.arn)
	if err != nil {
		return nil, err
	}
	out := &iamapi.Policy{
		PolicyName: api.Ptr(p.name()), Arn: api.Ptr(p.arn), Path: api.Ptr(p.path()),
		AttachmentCount: api.Ptr(int64(attachments)), PermissionsBoundaryUsageCount: api.Ptr(int64(0)), IsAttachable: api.Ptr(true),
	}
	if p.aws != nil {
		out.PolicyId, out.DefaultVersionId = api.Ptr(p.aws.ID), api.Ptr(p.aws.DefaultVersionID)
		out.CreateDate, out.UpdateDate = api.Ptr(p.aws.CreateDate), api.Ptr(p.aws.UpdateDate)
		if detailed {
			out.Description = api.Ptr(p.aws.Description)
		}
		return out, nil
	}
	r := p.local
	out.PolicyId, out.DefaultVersionId = api.Ptr(r.ID), api.Ptr(r.DefaultVersion)
	out.CreateDate, out.UpdateDate = api.Ptr(r.Created), api.Ptr(r.Updated)
	if detailed {
		out.Description, out.Tags = r.Description, tagsOut(r.Tags)
	}
	return out, nil
}

// CreatePolicy creates a customer managed policy with its first version.
func (s *Service) CreatePolicy(ctx context.Context, in *iamapi.CreatePolicyRequest) (*iamapi.CreatePolicyResponse, error) {
	name, doc := api.Deref(in.PolicyName), api.Deref(in.PolicyDocument)
	if err := checkManagedDocument(doc); err != nil {
		return nil, err
	}
	tags, err := newTags(in.Tags, "TagsPerPolicy")
	if err != nil {
		return nil, err
	}
	var out *iamapi.Policy
	err = s.update(ctx, func(a *account) error {
		if a.has("policy", fold(name)) {
			return errPolicyExists(name)
		}
		r := &policyRecord{
			Name: name, Path: pathOrRoot(in.Path), ID: newUniqueID(prefixPolicy), Description: in.Description,
			Created: a.now, Updated: a.now, DefaultVersion: "v1", NextVersion: 2,
			Versions: []versionRecord{{ID: "v1", Document: doc, Created: a.now}}, Tags: tags,
		}
		if err := a.putPolicy(r); err != nil {
			return err
		}
		p := &managedPolicy{arn: arnOf(a.id, "policy", r.Path, r.Name), local: r}
		var err error
		if out, err = a.policyOut(p, false); err != nil {
			return err
		}
		out.Tags = tagsOut(r.Tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreatePolicyResponse{Policy: out}, nil
}

// GetPolicy describes a managed policy, AWS's or the account's.
func (s *Service) GetPolicy(ctx context.Context, in *iamapi.GetPolicyRequest) (*iamapi.GetPolicyResponse, error) {
	var out *iamapi.Policy
	err := s.view(ctx, func(a *account) error {
		p, err := a.policy(api.Deref(in.PolicyArn))
		if err != nil {
			return err
		}
		out, err = a.policyOut(p, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetPolicyResponse{Policy: out}, nil
}

// ListPolicies lists managed policies: AWS's, the account's or both
// (Scope), by name.
func (s *Service) ListPolicies(ctx context.Context, in *iamapi.ListPoliciesRequest) (*iamapi.ListPoliciesResponse, error) {
	var page []iamapi.Policy
	var truncated *bool
	var marker *string
	err := s.view(ctx, func(a *account) error {
		all, err := a.policiesInScope(api.Deref(in.Scope))
		if err != nil {
			return err
		}
		kept, err := a.filterPolicies(all, in)
		if err != nil {
			return err
		}
		var items []*managedPolicy
		items, truncated, marker, err = pageOf(kept, (*managedPolicy).sortKey, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		page = make([]iamapi.Policy, 0, len(items))
		for _, p := range items {
			out, err := a.policyOut(p, false)
			if err != nil {
				return err
			}
			page = append(page, *out)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListPoliciesResponse{Policies: page, IsTruncated: truncated, Marker: marker}, nil
}

// policiesInScope returns the policies of a ListPolicies scope, sorted.
func (a *account) policiesInScope(scope string) ([]*managedPolicy, error) {
	var out []*managedPolicy
	if scope != iamapi.PolicyScopeTypeLocal {
		for _, p := range policies.All() {
			out = append(out, &managedPolicy{arn: p.Arn(), aws: p})
		}
	}
	if scope != iamapi.PolicyScopeTypeAws {
		local, err := scanJSON[policyRecord](a, "policy")
		if err != nil {
			return nil, err
		}
		for i := range local {
			r := &local[i]
			out = append(out, &managedPolicy{arn: arnOf(a.id, "policy", r.Path, r.Name), local: r})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].sortKey() < out[j].sortKey() })
	return out, nil
}

// filterPolicies applies ListPolicies' PathPrefix, OnlyAttached and
// PolicyUsageFilter. kiri records no permissions boundary usage, so the
// PermissionsBoundary filter keeps nothing.
func (a *account) filterPolicies(all []*managedPolicy, in *iamapi.ListPoliciesRequest) ([]*managedPolicy, error) {
	if api.Deref(in.PolicyUsageFilter) == iamapi.PolicyUsageTypePermissionsBoundary {
		return nil, nil
	}
	var out []*managedPolicy
	for _, p := range all {
		if !hasPathPrefix(p.path(), in.PathPrefix) {
			continue
		}
		if api.Deref(in.OnlyAttached) {
			n, err := a.count("attachment", p.arn)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				continue
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// DeletePolicy deletes a customer managed policy that is attached to
// nothing and has no version besides its default.
func (s *Service) DeletePolicy(ctx context.Context, in *iamapi.DeletePolicyRequest) (*iamapi.DeletePolicyOutput, error) {
	arn := api.Deref(in.PolicyArn)
	if err := s.refuseAWSPolicy(ctx, arn, "DeletePolicy"); err != nil {
		return nil, err
	}
	err := s.update(ctx, func(a *account) error {
		r, err := a.ownPolicy(arn)
		if err != nil {
			return err
		}
		if n, err := a.count("attachment", arn); err != nil || n > 0 {
			return orErr(err, errDeleteConflict("Cannot delete a policy attached to entities."))
		}
		if len(r.Versions) > 1 {
			return errDeleteConflict("This policy has more than one version. Before you delete a policy, " +
				"you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return a.del("policy", fold(r.Name))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeletePolicyOutput{}, nil
}

// CreatePolicyVersion adds a version to a customer managed policy.
func (s *Service) CreatePolicyVersion(ctx context.Context, in *iamapi.CreatePolicyVersionRequest) (*iamapi.CreatePolicyVersionResponse, error) {
	doc := api.Deref(in.PolicyDocument)
	if err := checkManagedDocument(doc); err != nil {
		return nil, err
	}
	arn := api.Deref(in.PolicyArn)
	if err := s.refuseAWSPolicy(ctx, arn, "CreatePolicyVersion"); err != nil {
		return nil, err
	}
	var out *iamapi.PolicyVersion
	err := s.update(ctx, func(a *account) error {
		r, err := a.ownPolicy(arn)
		if err != nil {
			return err
		}
		if len(r.Versions) >= maxPolicyVersions {
			return iamapi.NewLimitExceededException("A managed policy can have up to %d versions. "+
				"Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		v := versionRecord{ID: "v" + strconv.Itoa(r.NextVersion), Document: doc, Created: a.now}
		r.Versions, r.NextVersion = append(r.Versions, v), r.NextVersion+1
		if api.Deref(in.SetAsDefault) {
			r.DefaultVersion, r.Updated = v.ID, a.now
		}
		out = &iamapi.PolicyVersion{VersionId: api.Ptr(v.ID), IsDefaultVersion: api.Ptr(r.DefaultVersion == v.ID), CreateDate: api.Ptr(v.Created)}
		return a.putPolicy(r)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreatePolicyVersionResponse{PolicyVersion: out}, nil
}

// policyVersion is one version of a managed policy.
type policyVersion struct {
	id        string
	document  string
	isDefault bool
	created   time.Time
}

// versions lists a policy's versions, newest first. kiri's catalogue holds
// only the default version of AWS managed policies.
func (p *managedPolicy) versions() []policyVersion {
	if p.aws != nil {
		return []policyVersion{{id: p.aws.DefaultVersionID, document: p.aws.Document, isDefault: true, created: p.aws.UpdateDate}}
	}
	out := make([]policyVersion, 0, len(p.local.Versions))
	for i := len(p.local.Versions) - 1; i >= 0; i-- {
		v := p.local.Versions[i]
		out = append(out, policyVersion{id: v.ID, document: v.Document, isDefault: v.ID == p.local.DefaultVersion, created: v.Created})
	}
	return out
}

// defaultDocument is the document of the version in force.
func (p *managedPolicy) defaultDocument() string {
	for _, v := range p.versions() {
		if v.isDefault {
			return v.document
		}
	}
	return ""
}

func (p *managedPolicy) version(id string) (policyVersion, bool) {
	for _, v := range p.versions() {
		if v.id == id {
			return v, true
		}
	}
	return policyVersion{}, false
}

// GetPolicyVersion returns one version of a managed policy with its
// document (percent-encoded, as IAM returns documents).
func (s *Service) GetPolicyVersion(ctx context.Context, in *iamapi.GetPolicyVersionRequest) (*iamapi.GetPolicyVersionResponse, error) {
	arn, id := api.Deref(in.PolicyArn), api.Deref(in.VersionId)
	var v policyVersion
	err := s.view(ctx, func(a *account) error {
		p, err := a.policy(arn)
		if err != nil {
			return err
		}
		var ok bool
		if v, ok = p.version(id); !ok {
			return errNoSuchVersion(arn, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetPolicyVersionResponse{PolicyVersion: &iamapi.PolicyVersion{
		Document: encodeDocument(v.document), VersionId: api.Ptr(v.id), IsDefaultVersion: api.Ptr(v.isDefault), CreateDate: api.Ptr(v.created),
	}}, nil
}

// ListPolicyVersions lists a policy's versions, newest first, without
// their documents.
func (s *Service) ListPolicyVersions(ctx context.Context, in *iamapi.ListPolicyVersionsRequest) (*iamapi.ListPolicyVersionsResponse, error) {
	var versions []policyVersion
	err := s.view(ctx, func(a *account) error {
		p, err := a.policy(api.Deref(in.PolicyArn))
		if err == nil {
			versions = p.versions()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	page, truncated, marker, err := pageOf(versions, newestFirstKey, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListPolicyVersionsResponse{Versions: []iamapi.PolicyVersion{}, IsTruncated: truncated, Marker: marker}
	for _, v := range page {
		out.Versions = append(out.Versions, iamapi.PolicyVersion{VersionId: api.Ptr(v.id), IsDefaultVersion: api.Ptr(v.isDefault), CreateDate: api.Ptr(v.created)})
	}
	return out, nil
}

// newestFirstKey sorts version v9 before v8: the key shrinks as the number
// grows.
func newestFirstKey(v policyVersion) string {
	n, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(v.id, ".", 2)[0], "v"))
	return fmt.Sprintf("%010d", 1<<30-n)
}

// DeletePolicyVersion deletes a version that is not the default.
func (s *Service) DeletePolicyVersion(ctx context.Context, in *iamapi.DeletePolicyVersionRequest) (*iamapi.DeletePolicyVersionOutput, error) {
	arn, id := api.Deref(in.PolicyArn), api.Deref(in.VersionId)
	if err := s.refuseAWSPolicy(ctx, arn, "DeletePolicyVersion"); err != nil {
		return nil, err
	}
	err := s.update(ctx, func(a *account) error {
		r, err := a.ownPolicy(arn)
		if err != nil {
			return err
		}
		i := versionIndex(r, id)
		switch {
		case i < 0:
			return errNoSuchVersion(arn, id)
		case r.DefaultVersion == id:
			return errDeleteConflict("Cannot delete the default version of a policy.")
		}
		r.Versions = append(r.Versions[:i], r.Versions[i+1:]...)
		return a.putPolicy(r)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeletePolicyVersionOutput{}, nil
}

// SetDefaultPolicyVersion makes a version the one in force.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, in *iamapi.SetDefaultPolicyVersionRequest) (*iamapi.SetDefaultPolicyVersionOutput, error) {
	arn, id := api.Deref(in.PolicyArn), api.Deref(in.VersionId)
	if err := s.refuseAWSPolicy(ctx, arn, "SetDefaultPolicyVersion"); err != nil {
		return nil, err
	}
	err := s.update(ctx, func(a *account) error {
		r, err := a.ownPolicy(arn)
		if err != nil {
			return err
		}
		if versionIndex(r, id) < 0 {
			return errNoSuchVersion(arn, id)
		}
		r.DefaultVersion, r.Updated = id, a.now
		return a.putPolicy(r)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.SetDefaultPolicyVersionOutput{}, nil
}

func versionIndex(r *policyRecord, id string) int {
	for i, v := range r.Versions {
		if v.ID == id {
			return i
		}
	}
	return -1
}

// boundary validates an optional permissions boundary ARN.
func (a *account) boundary(arn *string) (string, error) {
	if arn == nil {
		return "", nil
	}
	if _, ok, err := a.findPolicy(*arn); err != nil || !ok {
		return "", orErr(err, iamapi.NewNoSuchEntityException("Scope ARN: %s does not exist or is not attachable.", *arn))
	}
	return *arn, nil
}
