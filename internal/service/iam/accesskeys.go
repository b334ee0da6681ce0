package iam

import (
	"context"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

// maxAccessKeys is IAM's limit of access keys per user.
const maxAccessKeys = 2

// CreateAccessKey issues a new access key (AKIA…) and its secret for a user.
func (s *Service) CreateAccessKey(ctx context.Context, in *iamapi.CreateAccessKeyRequest) (*iamapi.CreateAccessKeyResponse, error) {
	name, err := s.userNameOrCaller(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	var out *iamapi.AccessKey
	err = s.update(ctx, func(a *account) error {
		u, err := a.user(name)
		if err != nil {
			return err
		}
		n, err := a.count("accesskey", fold(u.Name))
		if err != nil {
			return err
		}
		if n >= maxAccessKeys {
			return errQuota("AccessKeysPerUser", maxAccessKeys)
		}
		key := &accessKeyRecord{ID: newAccessKeyID(prefixAccessKey), Status: iamapi.StatusTypeActive, Created: a.now}
		secret := newSecret()
		if err := a.put(key, "accesskey", fold(u.Name), key.ID); err != nil {
			return err
		}
		cred := &credential{Account: a.id, Secret: secret, Kind: credUser, UserName: u.Name, UserPath: u.Path, UserID: u.ID}
		if err := a.keys.put(key.ID, cred); err != nil {
			return err
		}
		out = &iamapi.AccessKey{
			UserName: api.Ptr(u.Name), AccessKeyId: api.Ptr(key.ID), Status: api.Ptr(key.Status),
			SecretAccessKey: api.Ptr(secret), CreateDate: api.Ptr(key.Created),
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateAccessKeyResponse{AccessKey: out}, nil
}

// ListAccessKeys lists a user's access keys (never their secrets).
func (s *Service) ListAccessKeys(ctx context.Context, in *iamapi.ListAccessKeysRequest) (*iamapi.ListAccessKeysResponse, error) {
	name, err := s.userNameOrCaller(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	var user *userRecord
	var keys []accessKeyRecord
	err = s.view(ctx, func(a *account) error {
		if user, err = a.user(name); err != nil {
			return err
		}
		keys, err = scanJSON[accessKeyRecord](a, "accesskey", fold(user.Name))
		return err
	})
	if err != nil {
		return nil, err
	}
	page, truncated, marker, err := pageOf(keys, func(k accessKeyRecord) string { return k.ID }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListAccessKeysResponse{AccessKeyMetadata: []iamapi.AccessKeyMetadata{}, IsTruncated: truncated, Marker: marker}
	for _, k := range page {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, iamapi.AccessKeyMetadata{
			UserName: api.Ptr(user.Name), AccessKeyId: api.Ptr(k.ID), Status: api.Ptr(k.Status), CreateDate: api.Ptr(k.Created),
		})
	}
	return out, nil
}

// UpdateAccessKey activates or deactivates a key; an inactive key signs
// nothing (LookupAccessKey no longer finds it).
func (s *Service) UpdateAccessKey(ctx context.Context, in *iamapi.UpdateAccessKeyRequest) (*iamapi.UpdateAccessKeyOutput, error) {
	name, err := s.userNameOrCaller(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	id := api.Deref(in.AccessKeyId)
	err = s.update(ctx, func(a *account) error {
		key, cred, err := a.accessKey(name, id)
		if err != nil {
			return err
		}
		key.Status = api.Deref(in.Status)
		cred.Inactive = key.Status == iamapi.StatusTypeInactive
		if err := a.put(key, "accesskey", fold(name), id); err != nil {
			return err
		}
		return a.keys.put(id, cred)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateAccessKeyOutput{}, nil
}

// DeleteAccessKey deletes a user's access key.
func (s *Service) DeleteAccessKey(ctx context.Context, in *iamapi.DeleteAccessKeyRequest) (*iamapi.DeleteAccessKeyOutput, error) {
	name, err := s.userNameOrCaller(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	id := api.Deref(in.AccessKeyId)
	err = s.update(ctx, func(a *account) error {
		if _, _, err := a.accessKey(name, id); err != nil {
			return err
		}
		if err := a.del("accesskey", fold(name), id); err != nil {
			return err
		}
		return a.keys.delete(id)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteAccessKeyOutput{}, nil
}

// accessKey finds a key of the named user, with its key index entry.
func (a *account) accessKey(userName, id string) (*accessKeyRecord, *credential, error) {
	if _, err := a.user(userName); err != nil {
		return nil, nil, err
	}
	var key accessKeyRecord
	ok, err := a.get(&key, "accesskey", fold(userName), id)
	if err != nil || !ok {
		return nil, nil, orErr(err, errNoSuchAccessKey(id))
	}
	cred, err := a.keys.get(id)
	if err != nil || cred == nil {
		return nil, nil, orErr(err, errNoSuchAccessKey(id))
	}
	return &key, cred, nil
}

// refreshUserKeys rewrites the key index entries of u's access keys after
// the user was renamed or moved, so that callers are reported correctly.
func (a *account) refreshUserKeys(u *userRecord) error {
	ids, err := a.keysUnder("accesskey", fold(u.Name))
	if err != nil {
		return err
	}
	for _, id := range ids {
		cred, err := a.keys.get(id[0])
		if err != nil || cred == nil {
			return err
		}
		cred.UserName, cred.UserPath = u.Name, u.Path
		if err := a.keys.put(id[0], cred); err != nil {
			return err
		}
	}
	return nil
}

// GetAccessKeyLastUsed reports which user owns a key. kiri does not track
// key use, so it answers as AWS does for a key never used: service and
// region "N/A" and no date.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, in *iamapi.GetAccessKeyLastUsedRequest) (*iamapi.GetAccessKeyLastUsedResponse, error) {
	id := api.Deref(in.AccessKeyId)
	cred, err := s.credential(id)
	if err != nil {
		return nil, err
	}
	if cred == nil || cred.Kind != credUser || cred.Account != s.accountOf(ctx) {
		return nil, errNoSuchAccessKey(id)
	}
	return &iamapi.GetAccessKeyLastUsedResponse{
		UserName:          api.Ptr(cred.UserName),
		AccessKeyLastUsed: &iamapi.AccessKeyLastUsed{ServiceName: api.Ptr("N/A"), Region: api.Ptr("N/A")},
	}, nil
}
