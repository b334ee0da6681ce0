package iam

import (
	"context"
	"slices"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

// maxRolesPerProfile is IAM's limit of roles in an instance profile.
const maxRolesPerProfile = 1

// profileOut renders an instance profile with its roles; withTags adds the tags,
// which listings leave out.
func (a *account) profileOut(p *profileRecord, withTags bool) (*iamapi.InstanceProfile, error) {
	out := &iamapi.InstanceProfile{
		Path: api.Ptr(p.Path), InstanceProfileName: api.Ptr(p.Name), InstanceProfileId: api.Ptr(p.ID),
		Arn: api.Ptr(arnOf(a.id, "instance-profile", p.Path, p.Name)), CreateDate: api.Ptr(p.Created),
		Roles: []iamapi.Role{},
	}
	for _, name := range p.Roles {
		r, err := a.role(name)
		if err != nil {
			return nil, err
		}
		out.Roles = append(out.Roles, *r.summary(a.id))
	}
	if withTags {
		out.Tags = tagsOut(p.Tags)
	}
	return out, nil
}

// CreateInstanceProfile creates an empty instance profile.
func (s *Service) CreateInstanceProfile(ctx context.Context, in *iamapi.CreateInstanceProfileRequest) (*iamapi.CreateInstanceProfileResponse, error) {
	name := api.Deref(in.InstanceProfileName)
	tags, err := newTags(in.Tags, "TagsPerInstanceProfile")
	if err != nil {
		return nil, err
	}
	var out *iamapi.InstanceProfile
	err = s.update(ctx, func(a *account) error {
		if a.has("profile", fold(name)) {
			return errProfileExists(name)
		}
		p := &profileRecord{Name: name, Path: pathOrRoot(in.Path), ID: newUniqueID(prefixInstanceProfile), Created: a.now, Tags: tags}
		if err := a.putProfile(p); err != nil {
			return err
		}
		var err error
		out, err = a.profileOut(p, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateInstanceProfileResponse{InstanceProfile: out}, nil
}

// GetInstanceProfile describes an instance profile and its role.
func (s *Service) GetInstanceProfile(ctx context.Context, in *iamapi.GetInstanceProfileRequest) (*iamapi.GetInstanceProfileResponse, error) {
	var out *iamapi.InstanceProfile
	err := s.view(ctx, func(a *account) error {
		p, err := a.profile(api.Deref(in.InstanceProfileName))
		if err != nil {
			return err
		}
		out, err = a.profileOut(p, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetInstanceProfileResponse{InstanceProfile: out}, nil
}

// DeleteInstanceProfile deletes an instance profile that holds no role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, in *iamapi.DeleteInstanceProfileRequest) (*iamapi.DeleteInstanceProfileOutput, error) {
	err := s.update(ctx, func(a *account) error {
		p, err := a.profile(api.Deref(in.InstanceProfileName))
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return errDeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		return a.del("profile", fold(p.Name))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteInstanceProfileOutput{}, nil
}

// ListInstanceProfiles lists the account's instance profiles, by name.
func (s *Service) ListInstanceProfiles(ctx context.Context, in *iamapi.ListInstanceProfilesRequest) (*iamapi.ListInstanceProfilesResponse, error) {
	var out []iamapi.InstanceProfile
	var truncated *bool
	var marker *string
	err := s.view(ctx, func(a *account) error {
		all, err := scanJSON[profileRecord](a, "profile")
		if err != nil {
			return err
		}
		all = filter(all, func(p profileRecord) bool { return hasPathPrefix(p.Path, in.PathPrefix) })
		out, truncated, marker, err = a.profilePage(all, in.Marker, in.MaxItems)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListInstanceProfilesResponse{InstanceProfiles: out, IsTruncated: truncated, Marker: marker}, nil
}

// ListInstanceProfilesForRole lists the instance profiles a role is in.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, in *iamapi.ListInstanceProfilesForRoleRequest) (*iamapi.ListInstanceProfilesForRoleResponse, error) {
	var out []iamapi.InstanceProfile
	var truncated *bool
	var marker *string
	err := s.view(ctx, func(a *account) error {
		r, err := a.role(api.Deref(in.RoleName))
		if err != nil {
			return err
		}
		names, err := a.keysUnder("roleprofile", fold(r.Name))
		if err != nil {
			return err
		}
		var all []profileRecord
		for _, n := range names {
			p, err := a.profile(n[0])
			if err != nil {
				return err
			}
			all = append(all, *p)
		}
		out, truncated, marker, err = a.profilePage(all, in.Marker, in.MaxItems)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListInstanceProfilesForRoleResponse{InstanceProfiles: out, IsTruncated: truncated, Marker: marker}, nil
}

// profilePage renders one page of instance profiles sorted by name.
func (a *account) profilePage(all []profileRecord, marker *string, maxItems *int64) ([]iamapi.InstanceProfile, *bool, *string, error) {
	page, truncated, next, err := pageOf(all, func(p profileRecord) string { return fold(p.Name) }, marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	out := []iamapi.InstanceProfile{}
	for i := range page {
		p, err := a.profileOut(&page[i], false)
		if err != nil {
			return nil, nil, nil, err
		}
		out = append(out, *p)
	}
	return out, truncated, next, nil
}

// AddRoleToInstanceProfile puts a role in an instance profile, which holds
// at most one.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, in *iamapi.AddRoleToInstanceProfileRequest) (*iamapi.AddRoleToInstanceProfileOutput, error) {
	err := s.update(ctx, func(a *account) error {
		p, err := a.profile(api.Deref(in.InstanceProfileName))
		if err != nil {
			return err
		}
		r, err := a.role(api.Deref(in.RoleName))
		if err != nil {
			return err
		}
		if len(p.Roles) >= maxRolesPerProfile {
			return errQuota("InstanceSessionsPerInstanceProfile", maxRolesPerProfile)
		}
		p.Roles = append(p.Roles, fold(r.Name))
		if err := a.mark("roleprofile", fold(r.Name), fold(p.Name)); err != nil {
			return err
		}
		return a.putProfile(p)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.AddRoleToInstanceProfileOutput{}, nil
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, in *iamapi.RemoveRoleFromInstanceProfileRequest) (*iamapi.RemoveRoleFromInstanceProfileOutput, error) {
	roleName := api.Deref(in.RoleName)
	err := s.update(ctx, func(a *account) error {
		p, err := a.profile(api.Deref(in.InstanceProfileName))
		if err != nil {
			return err
		}
		i := slices.Index(p.Roles, fold(roleName))
		if i < 0 {
			return errNoSuchRole(roleName)
		}
		p.Roles = slices.Delete(p.Roles, i, i+1)
		if err := a.del("roleprofile", fold(roleName), fold(p.Name)); err != nil {
			return err
		}
		return a.putProfile(p)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.RemoveRoleFromInstanceProfileOutput{}, nil
}

// ProfileRole returns the role of an instance profile, for EC2 instances
// launched with it; false when the profile does not exist or is empty.
func (s *Service) ProfileRole(ctx context.Context, profileName string) (RoleInfo, bool, error) {
	var info RoleInfo
	found := false
	err := s.view(ctx, func(a *account) error {
		if !a.has("profile", fold(profileName)) {
			return nil
		}
		p, err := a.profile(profileName)
		if err != nil || len(p.Roles) == 0 {
			return err
		}
		r, err := a.role(p.Roles[0])
		if err != nil {
			return err
		}
		info, found = roleInfo(a.id, r), true
		return nil
	})
	return info, found, err
}
