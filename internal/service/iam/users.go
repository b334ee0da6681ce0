package iam

import (
	"context"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

// summary is a user as list calls show it: without tags or permissions
// boundary, which AWS leaves out of listings.
func (u *userRecord) summary(account string) *iamapi.User {
	return &iamapi.User{
		Path: api.Ptr(u.Path), UserName: api.Ptr(u.Name), UserId: api.Ptr(u.ID),
		Arn: api.Ptr(arnOf(account, "user", u.Path, u.Name)), CreateDate: api.Ptr(u.Created),
	}
}

// detail is a user as CreateUser and GetUser show it.
func (u *userRecord) detail(account string) *iamapi.User {
	out := u.summary(account)
	out.Tags = tagsOut(u.Tags)
	out.PermissionsBoundary = boundaryOut(u.PermissionsBoundary)
	return out
}

func boundaryOut(arn string) *iamapi.AttachedPermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &iamapi.AttachedPermissionsBoundary{
		PermissionsBoundaryType: api.Ptr(iamapi.PermissionsBoundaryAttachmentTypePermissionsBoundaryPolicy),
		PermissionsBoundaryArn:  api.Ptr(arn),
	}
}

// CreateUser creates an IAM user.
func (s *Service) CreateUser(ctx context.Context, in *iamapi.CreateUserRequest) (*iamapi.CreateUserResponse, error) {
	name := api.Deref(in.UserName)
	tags, err := newTags(in.Tags, "TagsPerUser")
	if err != nil {
		return nil, err
	}
	u := &userRecord{Name: name, Path: pathOrRoot(in.Path), ID: newUniqueID(prefixUser), Tags: tags}
	err = s.update(ctx, func(a *account) error {
		if a.has("user", fold(name)) {
			return errUserExists(name)
		}
		boundary, err := a.boundary(in.PermissionsBoundary)
		if err != nil {
			return err
		}
		u.PermissionsBoundary, u.Created = boundary, a.now
		return a.putUser(u)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateUserResponse{User: u.detail(s.accountOf(ctx))}, nil
}

// GetUser describes a user; without a name, the calling user (or the
// account root).
func (s *Service) GetUser(ctx context.Context, in *iamapi.GetUserRequest) (*iamapi.GetUserResponse, error) {
	if in.UserName == nil {
		return s.getCallingUser(ctx)
	}
	var out *iamapi.User
	err := s.view(ctx, func(a *account) error {
		u, err := a.user(*in.UserName)
		if err == nil {
			out = u.detail(a.id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserResponse{User: out}, nil
}

// getCallingUser answers GetUser without a name. For the root, AWS reports
// the account id as UserId and the root ARN, with no name or path.
func (s *Service) getCallingUser(ctx context.Context) (*iamapi.GetUserResponse, error) {
	p, err := s.Caller(ctx)
	if err != nil {
		return nil, err
	}
	switch p.Kind {
	case User:
		return s.GetUser(ctx, &iamapi.GetUserRequest{UserName: api.Ptr(p.UserName)})
	case Root:
		created, err := s.accountCreated(ctx)
		if err != nil {
			return nil, err
		}
		return &iamapi.GetUserResponse{User: &iamapi.User{UserId: api.Ptr(p.UserID), Arn: api.Ptr(p.Arn), CreateDate: api.Ptr(created)}}, nil
	}
	return nil, errMustSpecifyUser()
}

func errMustSpecifyUser() error {
	return errValidation("Must specify userName when calling with non-User credentials")
}

// accountCreated is when the account's IAM state came into being, the
// root's CreateDate: the first time anyone asked.
func (s *Service) accountCreated(ctx context.Context) (time.Time, error) {
	var created time.Time
	err := s.update(ctx, func(a *account) error {
		if ok, err := a.get(&created, "account"); err != nil || ok {
			return err
		}
		created = a.now
		return a.put(created, "account")
	})
	return created, err
}

// userNameOrCaller returns name, or when it is absent the calling user's:
// IAM's access key calls work on the caller's own keys.
func (s *Service) userNameOrCaller(ctx context.Context, name *string) (string, error) {
	if name != nil {
		return *name, nil
	}
	p, err := s.Caller(ctx)
	if err != nil {
		return "", err
	}
	if p.Kind != User {
		return "", errMustSpecifyUser()
	}
	return p.UserName, nil
}

// ListUsers lists the account's users, by name.
func (s *Service) ListUsers(ctx context.Context, in *iamapi.ListUsersRequest) (*iamapi.ListUsersResponse, error) {
	var users []userRecord
	err := s.view(ctx, func(a *account) (err error) {
		users, err = scanJSON[userRecord](a, "user")
		return err
	})
	if err != nil {
		return nil, err
	}
	users = filter(users, func(u userRecord) bool { return hasPathPrefix(u.Path, in.PathPrefix) })
	page, truncated, marker, err := pageOf(users, func(u userRecord) string { return fold(u.Name) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListUsersResponse{Users: []iamapi.User{}, IsTruncated: truncated, Marker: marker}
	for _, u := range page {
		out.Users = append(out.Users, *u.summary(s.accountOf(ctx)))
	}
	return out, nil
}

// DeleteUser deletes a user that has nothing left attached to it.
func (s *Service) DeleteUser(ctx context.Context, in *iamapi.DeleteUserRequest) (*iamapi.DeleteUserOutput, error) {
	name := api.Deref(in.UserName)
	err := s.update(ctx, func(a *account) error {
		u, err := a.user(name)
		if err != nil {
			return err
		}
		if err := a.checkUserDeletable(u); err != nil {
			return err
		}
		return a.del("user", fold(name))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteUserOutput{}, nil
}

// checkUserDeletable refuses to delete a user that still has policies, keys
// or a password, in the order AWS checks them.
func (a *account) checkUserDeletable(u *userRecord) error {
	checks := []struct {
		prefix  []string
		message string
	}{
		{[]string{"attached", kindUser, fold(u.Name)}, "Cannot delete entity, must detach all policies first."},
		{[]string{"inline", kindUser, fold(u.Name)}, "Cannot delete entity, must delete policies first."},
		{[]string{"accesskey", fold(u.Name)}, "Cannot delete entity, must delete access keys first."},
		{[]string{"login", fold(u.Name)}, "Cannot delete entity, must delete login profile first."},
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

// UpdateUser renames a user or moves it to another path.
func (s *Service) UpdateUser(ctx context.Context, in *iamapi.UpdateUserRequest) (*iamapi.UpdateUserOutput, error) {
	err := s.update(ctx, func(a *account) error {
		u, err := a.user(api.Deref(in.UserName))
		if err != nil {
			return err
		}
		old := *u
		if in.NewPath != nil {
			u.Path = *in.NewPath
		}
		if in.NewUserName != nil && *in.NewUserName != u.Name {
			if fold(*in.NewUserName) != fold(u.Name) && a.has("user", fold(*in.NewUserName)) {
				return errUserExists(*in.NewUserName)
			}
			u.Name = *in.NewUserName
		}
		return a.replaceUser(&old, u)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateUserOutput{}, nil
}

// replaceUser stores u in place of old, moving everything kept under the
// user's name and refreshing the user's access keys in the key index.
func (a *account) replaceUser(old, u *userRecord) error {
	from, to := fold(old.Name), fold(u.Name)
	if from != to {
		moves := [][2][]string{
			{{"accesskey", from}, {"accesskey", to}},
			{{"login", from}, {"login", to}},
			{{"inline", kindUser, from}, {"inline", kindUser, to}},
			{{"attached", kindUser, from}, {"attached", kindUser, to}},
		}
		for _, m := range moves {
			if err := a.move(m[0], m[1]); err != nil {
				return err
			}
		}
		if err := a.renameAttachments(kindUser, from, to); err != nil {
			return err
		}
		if err := a.del("user", from); err != nil {
			return err
		}
	}
	if err := a.refreshUserKeys(u); err != nil {
		return err
	}
	return a.putUser(u)
}

// move re-keys every entry under prefix from to prefix to, keeping the
// trailing parts and the values.
func (a *account) move(from, to []string) error {
	type entry struct {
		tail  []string
		value []byte
	}
	var entries []entry
	err := a.tx.Scan(a.ns.Prefix(from...), nil, func(k, v []byte) error {
		parts, ok := a.ns.Parts(k)
		if ok {
			entries = append(entries, entry{parts[len(from):], append([]byte(nil), v...)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := a.deleteUnder(from...); err != nil {
		return err
	}
	for _, e := range entries {
		if err := a.tx.Put(a.ns.Key(append(append([]string(nil), to...), e.tail...)...), e.value); err != nil {
			return err
		}
	}
	return nil
}

// TagUser adds or replaces tags on a user.
func (s *Service) TagUser(ctx context.Context, in *iamapi.TagUserRequest) (*iamapi.TagUserOutput, error) {
	err := s.update(ctx, func(a *account) error {
		u, err := a.user(api.Deref(in.UserName))
		if err != nil {
			return err
		}
		if u.Tags, err = mergeTags(u.Tags, in.Tags, "TagsPerUser"); err != nil {
			return err
		}
		return a.putUser(u)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.TagUserOutput{}, nil
}

// UntagUser removes tags from a user.
func (s *Service) UntagUser(ctx context.Context, in *iamapi.UntagUserRequest) (*iamapi.UntagUserOutput, error) {
	err := s.update(ctx, func(a *account) error {
		u, err := a.user(api.Deref(in.UserName))
		if err != nil {
			return err
		}
		u.Tags = removeTags(u.Tags, in.TagKeys)
		return a.putUser(u)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UntagUserOutput{}, nil
}

// ListUserTags lists a user's tags.
func (s *Service) ListUserTags(ctx context.Context, in *iamapi.ListUserTagsRequest) (*iamapi.ListUserTagsResponse, error) {
	var tags []tag
	err := s.view(ctx, func(a *account) error {
		u, err := a.user(api.Deref(in.UserName))
		if err == nil {
			tags = u.Tags
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
	return &iamapi.ListUserTagsResponse{Tags: page, IsTruncated: truncated, Marker: marker}, nil
}

func filter[T any](items []T, keep func(T) bool) []T {
	out := items[:0:0]
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}
