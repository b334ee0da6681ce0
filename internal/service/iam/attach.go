package iam

import (
	"context"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

// maxAttachedPolicies is IAM's default limit of managed policies attached
// to one user or role.
const maxAttachedPolicies = 10

// entity checks that the user or role exists and returns its record's
// display name and path.
func (a *account) entity(kind, name string) (display, path, id string, err error) {
	if kind == kindUser {
		u, err := a.user(name)
		if err != nil {
			return "", "", "", err
		}
		return u.Name, u.Path, u.ID, nil
	}
	r, err := a.role(name)
	if err != nil {
		return "", "", "", err
	}
	return r.Name, r.Path, r.ID, nil
}

// attach attaches a managed policy to a user or role; attaching it again
// changes nothing.
func (a *account) attach(kind, name, arn string) error {
	if _, _, _, err := a.entity(kind, name); err != nil {
		return err
	}
	if _, ok, err := a.findPolicy(arn); err != nil || !ok {
		return orErr(err, errNotAttachable(arn))
	}
	entity := fold(name)
	if a.has("attached", kind, entity, arn) {
		return nil
	}
	n, err := a.count("attached", kind, entity)
	if err != nil {
		return err
	}
	if n >= maxAttachedPolicies {
		return errQuota(attachQuota[kind], maxAttachedPolicies)
	}
	if err := a.mark("attached", kind, entity, arn); err != nil {
		return err
	}
	return a.mark("attachment", arn, kind, entity)
}

var attachQuota = map[string]string{kindUser: "PoliciesPerUser", kindRole: "PoliciesPerRole"}

// detach detaches a managed policy from a user or role.
func (a *account) detach(kind, name, arn string) error {
	if _, _, _, err := a.entity(kind, name); err != nil {
		return err
	}
	entity := fold(name)
	if !a.has("attached", kind, entity, arn) {
		return errNoSuchPolicy(arn)
	}
	if err := a.del("attached", kind, entity, arn); err != nil {
		return err
	}
	return a.del("attachment", arn, kind, entity)
}

// attached lists the policies attached to a user or role, by ARN.
func (a *account) attached(kind, name string, pathPrefix *string) ([]iamapi.AttachedPolicy, error) {
	if _, _, _, err := a.entity(kind, name); err != nil {
		return nil, err
	}
	keys, err := a.keysUnder("attached", kind, fold(name))
	if err != nil {
		return nil, err
	}
	out := []iamapi.AttachedPolicy{}
	for _, k := range keys {
		arn := k[0]
		parsed, _ := parseArn(arn)
		if hasPathPrefix(parsed.Path, pathPrefix) {
			out = append(out, iamapi.AttachedPolicy{PolicyName: api.Ptr(parsed.Name), PolicyArn: api.Ptr(arn)})
		}
	}
	return out, nil
}

// renameAttachments re-points the policy-side index at a renamed entity.
func (a *account) renameAttachments(kind, from, to string) error {
	keys, err := a.keysUnder("attached", kind, to)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := a.del("attachment", k[0], kind, from); err != nil {
			return err
		}
		if err := a.mark("attachment", k[0], kind, to); err != nil {
			return err
		}
	}
	return nil
}

// AttachRolePolicy attaches a managed policy to a role.
func (s *Service) AttachRolePolicy(ctx context.Context, in *iamapi.AttachRolePolicyRequest) (*iamapi.AttachRolePolicyOutput, error) {
	err := s.update(ctx, func(a *account) error { return a.attach(kindRole, api.Deref(in.RoleName), api.Deref(in.PolicyArn)) })
	if err != nil {
		return nil, err
	}
	return &iamapi.AttachRolePolicyOutput{}, nil
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, in *iamapi.DetachRolePolicyRequest) (*iamapi.DetachRolePolicyOutput, error) {
	err := s.update(ctx, func(a *account) error { return a.detach(kindRole, api.Deref(in.RoleName), api.Deref(in.PolicyArn)) })
	if err != nil {
		return nil, err
	}
	return &iamapi.DetachRolePolicyOutput{}, nil
}

// AttachUserPolicy attaches a managed policy to a user.
func (s *Service) AttachUserPolicy(ctx context.Context, in *iamapi.AttachUserPolicyRequest) (*iamapi.AttachUserPolicyOutput, error) {
	err := s.update(ctx, func(a *account) error { return a.attach(kindUser, api.Deref(in.UserName), api.Deref(in.PolicyArn)) })
	if err != nil {
		return nil, err
	}
	return &iamapi.AttachUserPolicyOutput{}, nil
}

// DetachUserPolicy detaches a managed policy from a user.
func (s *Service) DetachUserPolicy(ctx context.Context, in *iamapi.DetachUserPolicyRequest) (*iamapi.DetachUserPolicyOutput, error) {
	err := s.update(ctx, func(a *account) error { return a.detach(kindUser, api.Deref(in.UserName), api.Deref(in.PolicyArn)) })
	if err != nil {
		return nil, err
	}
	return &iamapi.DetachUserPolicyOutput{}, nil
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *iamapi.ListAttachedRolePoliciesRequest) (*iamapi.ListAttachedRolePoliciesResponse, error) {
	page, truncated, marker, err := s.attachedPage(ctx, kindRole, api.Deref(in.RoleName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedRolePoliciesResponse{AttachedPolicies: page, IsTruncated: truncated, Marker: marker}, nil
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, in *iamapi.ListAttachedUserPoliciesRequest) (*iamapi.ListAttachedUserPoliciesResponse, error) {
	page, truncated, marker, err := s.attachedPage(ctx, kindUser, api.Deref(in.UserName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedUserPoliciesResponse{AttachedPolicies: page, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) attachedPage(ctx context.Context, kind, name string, pathPrefix, marker *string, maxItems *int64) ([]iamapi.AttachedPolicy, *bool, *string, error) {
	var all []iamapi.AttachedPolicy
	err := s.view(ctx, func(a *account) (err error) {
		all, err = a.attached(kind, name, pathPrefix)
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return pageOf(all, func(p iamapi.AttachedPolicy) string { return *p.PolicyArn }, marker, maxItems)
}

// attachedEntity is a user or role a policy is attached to.
type attachedEntity struct {
	kind, name, id string
}

// ListEntitiesForPolicy lists the users and roles a managed policy is
// attached to in the account. kiri has no groups, and policies are not
// attached to policies, so the other lists are always empty.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, in *iamapi.ListEntitiesForPolicyRequest) (*iamapi.ListEntitiesForPolicyResponse, error) {
	var entities []attachedEntity
	err := s.view(ctx, func(a *account) (err error) {
		entities, err = a.entitiesFor(api.Deref(in.PolicyArn), api.Deref(in.EntityFilter), in.PathPrefix)
		return err
	})
	if err != nil {
		return nil, err
	}
	page, truncated, marker, err := pageOf(entities, func(e attachedEntity) string { return e.kind + "\x00" + fold(e.name) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListEntitiesForPolicyResponse{
		PolicyGroups: []iamapi.PolicyGroup{}, PolicyUsers: []iamapi.PolicyUser{}, PolicyRoles: []iamapi.PolicyRole{},
		IsTruncated: truncated, Marker: marker,
	}
	for _, e := range page {
		if e.kind == kindUser {
			out.PolicyUsers = append(out.PolicyUsers, iamapi.PolicyUser{UserName: api.Ptr(e.name), UserId: api.Ptr(e.id)})
		} else {
			out.PolicyRoles = append(out.PolicyRoles, iamapi.PolicyRole{RoleName: api.Ptr(e.name), RoleId: api.Ptr(e.id)})
		}
	}
	return out, nil
}

// entitiesFor lists the entities a policy is attached to, roles before
// users, each by name.
func (a *account) entitiesFor(arn, filter string, pathPrefix *string) ([]attachedEntity, error) {
	if _, err := a.policy(arn); err != nil {
		return nil, err
	}
	wanted := map[string]bool{
		kindRole: filter == "" || filter == iamapi.EntityTypeRole,
		kindUser: filter == "" || filter == iamapi.EntityTypeUser,
	}
	keys, err := a.keysUnder("attachment", arn)
	if err != nil {
		return nil, err
	}
	var out []attachedEntity
	for _, k := range keys {
		kind := k[0]
		if !wanted[kind] {
			continue
		}
		name, path, id, err := a.entity(kind, k[1])
		if err != nil {
			return nil, err
		}
		if hasPathPrefix(path, pathPrefix) {
			out = append(out, attachedEntity{kind: kind, name: name, id: id})
		}
	}
	return out, nil
}
