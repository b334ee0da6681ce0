package iam

import (
	"context"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

// Inline policies are embedded in one user or role, stored under
// inline/<kind>/<entity>/<policy name>.

func (s *Service) putInline(ctx context.Context, kind, entity, name, doc string) error {
	if err := checkDocument(doc, permissionsPolicy); err != nil {
		return err
	}
	return s.update(ctx, func(a *account) error {
		if _, _, _, err := a.entity(kind, entity); err != nil {
			return err
		}
		return a.put(&inlineRecord{Name: name, Document: doc}, "inline", kind, fold(entity), fold(name))
	})
}

// getInline returns the entity's display name and the policy.
func (s *Service) getInline(ctx context.Context, kind, entity, name string) (string, *inlineRecord, error) {
	var display string
	var p inlineRecord
	err := s.view(ctx, func(a *account) error {
		var err error
		if display, _, _, err = a.entity(kind, entity); err != nil {
			return err
		}
		ok, err := a.get(&p, "inline", kind, fold(entity), fold(name))
		if err != nil || !ok {
			return orErr(err, errNoSuchInline(kind, name))
		}
		return nil
	})
	return display, &p, err
}

func (s *Service) deleteInline(ctx context.Context, kind, entity, name string) error {
	return s.update(ctx, func(a *account) error {
		if _, _, _, err := a.entity(kind, entity); err != nil {
			return err
		}
		if !a.has("inline", kind, fold(entity), fold(name)) {
			return errNoSuchInline(kind, name)
		}
		return a.del("inline", kind, fold(entity), fold(name))
	})
}

func (s *Service) listInline(ctx context.Context, kind, entity string, marker *string, maxItems *int64) ([]string, *bool, *string, error) {
	var names []string
	err := s.view(ctx, func(a *account) error {
		if _, _, _, err := a.entity(kind, entity); err != nil {
			return err
		}
		all, err := scanJSON[inlineRecord](a, "inline", kind, fold(entity))
		for _, p := range all {
			names = append(names, p.Name)
		}
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	page, truncated, next, err := pageOf(names, fold, marker, maxItems)
	if page == nil {
		page = []string{}
	}
	return page, truncated, next, err
}

// PutRolePolicy adds or replaces an inline policy of a role.
func (s *Service) PutRolePolicy(ctx context.Context, in *iamapi.PutRolePolicyRequest) (*iamapi.PutRolePolicyOutput, error) {
	if err := s.putInline(ctx, kindRole, api.Deref(in.RoleName), api.Deref(in.PolicyName), api.Deref(in.PolicyDocument)); err != nil {
		return nil, err
	}
	return &iamapi.PutRolePolicyOutput{}, nil
}

// GetRolePolicy returns an inline policy of a role.
func (s *Service) GetRolePolicy(ctx context.Context, in *iamapi.GetRolePolicyRequest) (*iamapi.GetRolePolicyResponse, error) {
	role, p, err := s.getInline(ctx, kindRole, api.Deref(in.RoleName), api.Deref(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRolePolicyResponse{RoleName: api.Ptr(role), PolicyName: api.Ptr(p.Name), PolicyDocument: encodeDocument(p.Document)}, nil
}

// DeleteRolePolicy deletes an inline policy of a role.
func (s *Service) DeleteRolePolicy(ctx context.Context, in *iamapi.DeleteRolePolicyRequest) (*iamapi.DeleteRolePolicyOutput, error) {
	if err := s.deleteInline(ctx, kindRole, api.Deref(in.RoleName), api.Deref(in.PolicyName)); err != nil {
		return nil, err
	}
	return &iamapi.DeleteRolePolicyOutput{}, nil
}

// ListRolePolicies lists the names of a role's inline policies.
func (s *Service) ListRolePolicies(ctx context.Context, in *iamapi.ListRolePoliciesRequest) (*iamapi.ListRolePoliciesResponse, error) {
	names, truncated, marker, err := s.listInline(ctx, kindRole, api.Deref(in.RoleName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRolePoliciesResponse{PolicyNames: names, IsTruncated: truncated, Marker: marker}, nil
}

// PutUserPolicy adds or replaces an inline policy of a user.
func (s *Service) PutUserPolicy(ctx context.Context, in *iamapi.PutUserPolicyRequest) (*iamapi.PutUserPolicyOutput, error) {
	if err := s.putInline(ctx, kindUser, api.Deref(in.UserName), api.Deref(in.PolicyName), api.Deref(in.PolicyDocument)); err != nil {
		return nil, err
	}
	return &iamapi.PutUserPolicyOutput{}, nil
}

// GetUserPolicy returns an inline policy of a user.
func (s *Service) GetUserPolicy(ctx context.Context, in *iamapi.GetUserPolicyRequest) (*iamapi.GetUserPolicyResponse, error) {
	user, p, err := s.getInline(ctx, kindUser, api.Deref(in.UserName), api.Deref(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserPolicyResponse{UserName: api.Ptr(user), PolicyName: api.Ptr(p.Name), PolicyDocument: encodeDocument(p.Document)}, nil
}

// DeleteUserPolicy deletes an inline policy of a user.
func (s *Service) DeleteUserPolicy(ctx context.Context, in *iamapi.DeleteUserPolicyRequest) (*iamapi.DeleteUserPolicyOutput, error) {
	if err := s.deleteInline(ctx, kindUser, api.Deref(in.UserName), api.Deref(in.PolicyName)); err != nil {
		return nil, err
	}
	return &iamapi.DeleteUserPolicyOutput{}, nil
}

// ListUserPolicies lists the names of a user's inline policies.
func (s *Service) ListUserPolicies(ctx context.Context, in *iamapi.ListUserPoliciesRequest) (*iamapi.ListUserPoliciesResponse, error) {
	names, truncated, marker, err := s.listInline(ctx, kindUser, api.Deref(in.UserName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserPoliciesResponse{PolicyNames: names, IsTruncated: truncated, Marker: marker}, nil
}
