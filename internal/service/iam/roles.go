package iam

import (
	"context"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

// defaultMaxSessionDuration is a role's MaxSessionDuration unless set (s).
const defaultMaxSessionDuration = 3600

// base is what every view of a role shows.
func (r *roleRecord) base(account string) *iamapi.Role {
	return &iamapi.Role{
		Path: api.Ptr(r.Path), RoleName: api.Ptr(r.Name), RoleId: api.Ptr(r.ID),
		Arn: api.Ptr(arnOf(account, "role", r.Path, r.Name)), CreateDate: api.Ptr(r.Created),
		AssumeRolePolicyDocument: encodeDocument(r.TrustPolicy), Description: r.Description,
	}
}

// created is the role as CreateRole returns it.
func (r *roleRecord) created(account string) *iamapi.Role {
	out := r.base(account)
	out.Tags = tagsOut(r.Tags)
	out.PermissionsBoundary = boundaryOut(r.PermissionsBoundary)
	return out
}

// summary is the role as ListRoles and instance profiles show it: AWS
// leaves out tags, permissions boundary and last use.
func (r *roleRecord) summary(account string) *iamapi.Role {
	out := r.base(account)
	out.MaxSessionDuration = api.Ptr(r.MaxSessionDuration)
	return out
}

// detail is the role as GetRole returns it.
func (r *roleRecord) detail(account string) *iamapi.Role {
	out := r.summary(account)
	out.Tags = tagsOut(r.Tags)
	out.PermissionsBoundary = boundaryOut(r.PermissionsBoundary)
	out.RoleLastUsed = &iamapi.RoleLastUsed{LastUsedDate: r.LastUsed}
	if r.LastUsedRegion != "" {
		out.RoleLastUsed.Region = api.Ptr(r.LastUsedRegion)
	}
	return out
}

// CreateRole creates a role with its trust policy.
func (s *Service) CreateRole(ctx context.Context, in *iamapi.CreateRoleRequest) (*iamapi.CreateRoleResponse, error) {
	name, trust := api.Deref(in.RoleName), api.Deref(in.AssumeRolePolicyDocument)
	if err := checkTrustDocument(trust); err != nil {
		return nil, err
	}
	tags, err := newTags(in.Tags, "TagsPerRole")
	if err != nil {
		return nil, err
	}
	r := &roleRecord{
		Name: name, Path: pathOrRoot(in.Path), ID: newUniqueID(prefixRole), TrustPolicy: trust,
		Description: in.Description, MaxSessionDuration: defaultMaxSessionDuration, Tags: tags,
	}
	if in.MaxSessionDuration != nil {
		r.MaxSessionDuration = *in.MaxSessionDuration
	}
	err = s.update(ctx, func(a *account) error {
		if a.has("role", fold(name)) {
			return errRoleExists(name)
		}
		boundary, err := a.boundary(in.PermissionsBoundary)
		if err != nil {
			return err
		}
		r.PermissionsBoundary, r.Created = boundary, a.now
		return a.putRole(r)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateRoleResponse{Role: r.created(s.accountOf(ctx))}, nil
}

// GetRole describes a role.
func (s *Service) GetRole(ctx context.Context, in *iamapi.GetRoleRequest) (*iamapi.GetRoleResponse, error) {
	var out *iamapi.Role
	err := s.view(ctx, func(a *account) error {
		r, err := a.role(api.Deref(in.RoleName))
		if err == nil {
			out = r.detail(a.id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRoleResponse{Role: out}, nil
}

// ListRoles lists the account's roles, by name.
func (s *Service) ListRoles(ctx context.Context, in *iamapi.ListRolesRequest) (*iamapi.ListRolesResponse, error) {
	var roles []roleRecord
	err := s.view(ctx, func(a *account) (err error) {
		roles, err = scanJSON[roleRecord](a, "role")
		return err
	})
	if err != nil {
		return nil, err
	}
	roles = filter(roles, func(r roleRecord) bool { return hasPathPrefix(r.Path, in.PathPrefix) })
	page, truncated, marker, err := pageOf(roles, func(r roleRecord) string { return fold(r.Name) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListRolesResponse{Roles: []iamapi.Role{}, IsTruncated: truncated, Marker: marker}
	for _, r := range page {
		out.Roles = append(out.Roles, *r.summary(s.accountOf(ctx)))
	}
	return out, nil
}

// DeleteRole deletes a role that is in no instance profile and has no
// policies.
func (s *Service) DeleteRole(ctx context.Context, in *iamapi.DeleteRoleRequest) (*iamapi.DeleteRoleOutput, error) {
	name := api.Deref(in.RoleName)
	err := s.update(ctx, func(a *account) error {
		if _, err := a.role(name); err != nil {
			return err
		}
		if err := a.checkRoleDeletable(fold(name)); err != nil {
			return err
		}
		return a.del("role", fold(name))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteRoleOutput{}, nil
}

// checkRoleDeletable refuses to delete a role that is still in use, in the
// order AWS checks.
func (a *account) checkRoleDeletable(role string) error {
	checks := []struct {
		prefix  []string
		message string
	}{
		{[]string{"roleprofile", role}, "Cannot delete entity, must remove roles from instance profile first."},
		{[]string{"attached", kindRole, role}, "Cannot delete entity, must detach all policies first."},
		{[]string{"inline", kindRole, role}, "Cannot delete entity, must delete policies first."},
	}
	for _, c := range checks {
		n, err := a.count(c.prefix...)
		if err != nil {
			return err
		}
		if n > 0 {
			return errDeleteConflict(c.message)
		}
	}
	return nil
}

// UpdateRole changes a role's description and maximum session duration.
func (s *Service) UpdateRole(ctx context.Context, in *iamapi.UpdateRoleRequest) (*iamapi.UpdateRoleResponse, error) {
	err := s.changeRole(ctx, api.Deref(in.RoleName), func(r *roleRecord) error {
		if in.Description != nil {
			r.Description = in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSessionDuration = *in.MaxSessionDuration
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleResponse{}, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *iamapi.UpdateAssumeRolePolicyRequest) (*iamapi.UpdateAssumeRolePolicyOutput, error) {
	doc := api.Deref(in.PolicyDocument)
	if err := checkTrustDocument(doc); err != nil {
		return nil, err
	}
	err := s.changeRole(ctx, api.Deref(in.RoleName), func(r *roleRecord) error {
		r.TrustPolicy = doc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateAssumeRolePolicyOutput{}, nil
}

// TagRole adds or replaces tags on a role.
func (s *Service) TagRole(ctx context.Context, in *iamapi.TagRoleRequest) (*iamapi.TagRoleOutput, error) {
	err := s.changeRole(ctx, api.Deref(in.RoleName), func(r *roleRecord) (err error) {
		r.Tags, err = mergeTags(r.Tags, in.Tags, "TagsPerRole")
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.TagRoleOutput{}, nil
}

// UntagRole removes tags from a role.
func (s *Service) UntagRole(ctx context.Context, in *iamapi.UntagRoleRequest) (*iamapi.UntagRoleOutput, error) {
	err := s.changeRole(ctx, api.Deref(in.RoleName), func(r *roleRecord) error {
		r.Tags = removeTags(r.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UntagRoleOutput{}, nil
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, in *iamapi.ListRoleTagsRequest) (*iamapi.ListRoleTagsResponse, error) {
	var tags []tag
	err := s.view(ctx, func(a *account) error {
		r, err := a.role(api.Deref(in.RoleName))
		if err == nil {
			tags = r.Tags
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	page, truncated, marker, err := tagPage(tags, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRoleTagsResponse{Tags: page, IsTruncated: truncated, Marker: marker}, nil
}

// changeRole applies change to a stored role.
func (s *Service) changeRole(ctx context.Context, name string, change func(*roleRecord) error) error {
	return s.update(ctx, func(a *account) error {
		r, err := a.role(name)
		if err != nil {
			return err
		}
		if err := change(r); err != nil {
			return err
		}
		return a.putRole(r)
	})
}

// markRoleUsed records that a session of the role began (RoleLastUsed). A
// role deleted meanwhile is no error: the session was granted before.
func (a *account) markRoleUsed(name, region string) error {
	if !a.has("role", fold(name)) {
		return nil
	}
	r, err := a.role(name)
	if err != nil {
		return err
	}
	r.LastUsed, r.LastUsedRegion = api.Ptr(a.now), region
	return a.putRole(r)
}
