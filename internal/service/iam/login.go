package iam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

func (l *loginRecord) out(userName string) *iamapi.LoginProfile {
	return &iamapi.LoginProfile{UserName: api.Ptr(userName), CreateDate: api.Ptr(l.Created), PasswordResetRequired: api.Ptr(l.PasswordResetRequired)}
}

// CreateLoginProfile gives a user a console password.
func (s *Service) CreateLoginProfile(ctx context.Context, in *iamapi.CreateLoginProfileRequest) (*iamapi.CreateLoginProfileResponse, error) {
	var out *iamapi.LoginProfile
	err := s.update(ctx, func(a *account) error {
		u, err := a.user(api.Deref(in.UserName))
		if err != nil {
			return err
		}
		if a.has("login", fold(u.Name)) {
			return errLoginProfileExists(u.Name)
		}
		hash := sha256.Sum256([]byte(api.Deref(in.Password)))
		l := &loginRecord{Created: a.now, PasswordResetRequired: api.Deref(in.PasswordResetRequired), PasswordHash: hex.EncodeToString(hash[:])}
		out = l.out(u.Name)
		return a.put(l, "login", fold(u.Name))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateLoginProfileResponse{LoginProfile: out}, nil
}

// GetLoginProfile tells whether a user has a console password.
func (s *Service) GetLoginProfile(ctx context.Context, in *iamapi.GetLoginProfileRequest) (*iamapi.GetLoginProfileResponse, error) {
	var out *iamapi.LoginProfile
	err := s.view(ctx, func(a *account) error {
		u, err := a.user(api.Deref(in.UserName))
		if err != nil {
			return err
		}
		var l loginRecord
		ok, err := a.get(&l, "login", fold(u.Name))
		if err != nil || !ok {
			return orErr(err, errNoSuchLoginProfile(u.Name))
		}
		out = l.out(u.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetLoginProfileResponse{LoginProfile: out}, nil
}

// DeleteLoginProfile removes a user's console password.
func (s *Service) DeleteLoginProfile(ctx context.Context, in *iamapi.DeleteLoginProfileRequest) (*iamapi.DeleteLoginProfileOutput, error) {
	err := s.update(ctx, func(a *account) error {
		u, err := a.user(api.Deref(in.UserName))
		if err != nil {
			return err
		}
		if !a.has("login", fold(u.Name)) {
			return errNoSuchLoginProfile(u.Name)
		}
		return a.del("login", fold(u.Name))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteLoginProfileOutput{}, nil
}
