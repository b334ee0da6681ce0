package iam

import (
	"context"
	"regexp"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

func createUser(t *testing.T, s *Service, ctx context.Context, name, path string) *iamapi.User {
	t.Helper()
	in := &iamapi.CreateUserRequest{UserName: api.Ptr(name)}
	if path != "" {
		in.Path = api.Ptr(path)
	}
	out, err := s.CreateUser(ctx, in)
	if err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	return out.User
}

func TestCreateUserReturnsAWSFields(t *testing.T) {
	s, clock := newTestService(t)
	u := createUser(t, s, bg, "devuser", "")
	if *u.UserName != "devuser" || *u.Path != "/" || *u.Arn != "arn:aws:iam::000000000000:user/devuser" {
		t.Fatalf("user = %+v", u)
	}
	if !regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`).MatchString(*u.UserId) {
		t.Fatalf("UserId = %s", *u.UserId)
	}
	if !u.CreateDate.Equal(clock.Now()) || u.CreateDate.Location().String() != "UTC" {
		t.Fatalf("CreateDate = %v", u.CreateDate)
	}
	got, err := s.GetUser(bg, &iamapi.GetUserRequest{UserName: api.Ptr("DEVUSER")})
	if err != nil {
		t.Fatal(err)
	}
	if *got.User.UserId != *u.UserId {
		t.Fatalf("names are found without regard to case: %+v", got.User)
	}
}

func TestCreateUserWithPathAndTags(t *testing.T) {
	s, _ := newTestService(t)
	out, err := s.CreateUser(bg, &iamapi.CreateUserRequest{
		UserName: api.Ptr("soracom-funk-test-taro"), Path: api.Ptr("/funk/"),
		Tags: []iamapi.Tag{{Key: api.Ptr("team"), Value: api.Ptr("iot")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *out.User.Arn != "arn:aws:iam::000000000000:user/funk/soracom-funk-test-taro" || len(out.User.Tags) != 1 {
		t.Fatalf("user = %+v", out.User)
	}
}

func TestCreateUserTwice(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	_, err := s.CreateUser(bg, &iamapi.CreateUserRequest{UserName: api.Ptr("DevUser")})
	wantError(t, err, "EntityAlreadyExists", "User with name DevUser already exists.")
}

func TestGetMissingUser(t *testing.T) {
	s, _ := newTestService(t)
	_, err := s.GetUser(bg, &iamapi.GetUserRequest{UserName: api.Ptr("nobody")})
	wantError(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
}

func TestUsersAreKeptPerAccount(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	other := ctxAs("111111111111", "")
	_, err := s.GetUser(other, &iamapi.GetUserRequest{UserName: api.Ptr("devuser")})
	wantError(t, err, "NoSuchEntity", "")
	u := createUser(t, s, other, "devuser", "")
	if *u.Arn != "arn:aws:iam::111111111111:user/devuser" {
		t.Fatalf("Arn = %s", *u.Arn)
	}
}

func TestGetUserWithoutNameAnswersForTheCaller(t *testing.T) {
	s, _ := newTestService(t)
	root, err := s.GetUser(bg, &iamapi.GetUserRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if *root.User.Arn != "arn:aws:iam::000000000000:root" || *root.User.UserId != testAccount || root.User.UserName != nil {
		t.Fatalf("root = %+v", root.User)
	}
	createUser(t, s, bg, "devuser", "")
	key, err := s.CreateAccessKey(bg, &iamapi.CreateAccessKeyRequest{UserName: api.Ptr("devuser")})
	if err != nil {
		t.Fatal(err)
	}
	me, err := s.GetUser(ctxAs(testAccount, *key.AccessKey.AccessKeyId), &iamapi.GetUserRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if *me.User.UserName != "devuser" {
		t.Fatalf("user = %+v", me.User)
	}
}

func TestListUsersPagesAndFiltersByPath(t *testing.T) {
	s, _ := newTestService(t)
	for _, n := range []string{"carol", "alice", "dave", "bob"} {
		createUser(t, s, bg, n, "/staff/")
	}
	createUser(t, s, bg, "robot", "/machines/")

	var names []string
	var marker *string
	pages := 0
	for {
		out, err := s.ListUsers(bg, &iamapi.ListUsersRequest{PathPrefix: api.Ptr("/staff/"), MaxItems: api.Ptr(int64(3)), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range out.Users {
			names = append(names, *u.UserName)
			if u.Tags != nil {
				t.Fatal("ListUsers must not return tags")
			}
		}
		if !*out.IsTruncated {
			if out.Marker != nil {
				t.Fatal("last page carries a marker")
			}
			break
		}
		marker = out.Marker
	}
	if pages != 2 || len(names) != 4 || names[0] != "alice" || names[3] != "dave" {
		t.Fatalf("pages=%d names=%v", pages, names)
	}
}

func TestListUsersEmpty(t *testing.T) {
	s, _ := newTestService(t)
	out, err := s.ListUsers(bg, &iamapi.ListUsersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Users == nil || len(out.Users) != 0 || *out.IsTruncated {
		t.Fatalf("out = %+v", out)
	}
}

func TestInvalidMarker(t *testing.T) {
	s, _ := newTestService(t)
	_, err := s.ListUsers(bg, &iamapi.ListUsersRequest{Marker: api.Ptr("not base64!")})
	wantError(t, err, "ValidationError", "Invalid Marker.")
}

func TestDeleteUserConflicts(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	user := api.Ptr("devuser")
	steps := []struct {
		add     func() error
		remove  func() error
		message string
	}{
		{
			func() error {
				_, err := s.AttachUserPolicy(bg, &iamapi.AttachUserPolicyRequest{UserName: user, PolicyArn: api.Ptr("arn:aws:iam::aws:policy/AWSLambdaFullAccess")})
				return err
			},
			func() error {
				_, err := s.DetachUserPolicy(bg, &iamapi.DetachUserPolicyRequest{UserName: user, PolicyArn: api.Ptr("arn:aws:iam::aws:policy/AWSLambdaFullAccess")})
				return err
			},
			"Cannot delete entity, must detach all policies first.",
		},
		{
			func() error {
				_, err := s.PutUserPolicy(bg, &iamapi.PutUserPolicyRequest{UserName: user, PolicyName: api.Ptr("p"), PolicyDocument: api.Ptr(s3Policy)})
				return err
			},
			func() error {
				_, err := s.DeleteUserPolicy(bg, &iamapi.DeleteUserPolicyRequest{UserName: user, PolicyName: api.Ptr("p")})
				return err
			},
			"Cannot delete entity, must delete policies first.",
		},
		{
			func() error { return createKeyErr(s, "devuser") },
			func() error { return deleteAllKeys(s, "devuser") },
			"Cannot delete entity, must delete access keys first.",
		},
		{
			func() error {
				_, err := s.CreateLoginProfile(bg, &iamapi.CreateLoginProfileRequest{UserName: user, Password: api.Ptr("Passw0rd!")})
				return err
			},
			func() error {
				_, err := s.DeleteLoginProfile(bg, &iamapi.DeleteLoginProfileRequest{UserName: user})
				return err
			},
			"Cannot delete entity, must delete login profile first.",
		},
	}
	for _, step := range steps {
		if err := step.add(); err != nil {
			t.Fatal(err)
		}
		_, err := s.DeleteUser(bg, &iamapi.DeleteUserRequest{UserName: user})
		wantError(t, err, "DeleteConflict", step.message)
		if err := step.remove(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DeleteUser(bg, &iamapi.DeleteUserRequest{UserName: user}); err != nil {
		t.Fatal(err)
	}
	_, err := s.DeleteUser(bg, &iamapi.DeleteUserRequest{UserName: user})
	wantError(t, err, "NoSuchEntity", "The user with name devuser cannot be found.")
}

func createKeyErr(s *Service, user string) error {
	_, err := s.CreateAccessKey(bg, &iamapi.CreateAccessKeyRequest{UserName: api.Ptr(user)})
	return err
}

func deleteAllKeys(s *Service, user string) error {
	keys, err := s.ListAccessKeys(bg, &iamapi.ListAccessKeysRequest{UserName: api.Ptr(user)})
	if err != nil {
		return err
	}
	for _, k := range keys.AccessKeyMetadata {
		if _, err := s.DeleteAccessKey(bg, &iamapi.DeleteAccessKeyRequest{UserName: api.Ptr(user), AccessKeyId: k.AccessKeyId}); err != nil {
			return err
		}
	}
	return nil
}

func TestUpdateUserRenameMovesEverything(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "old", "")
	key, err := s.CreateAccessKey(bg, &iamapi.CreateAccessKeyRequest{UserName: api.Ptr("old")})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::aws:policy/AmazonS3FullAccess"
	if _, err := s.AttachUserPolicy(bg, &iamapi.AttachUserPolicyRequest{UserName: api.Ptr("old"), PolicyArn: api.Ptr(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutUserPolicy(bg, &iamapi.PutUserPolicyRequest{UserName: api.Ptr("old"), PolicyName: api.Ptr("inline"), PolicyDocument: api.Ptr(s3Policy)}); err != nil {
		t.Fatal(err)
	}
	createUser(t, s, bg, "taken", "")
	_, err = s.UpdateUser(bg, &iamapi.UpdateUserRequest{UserName: api.Ptr("old"), NewUserName: api.Ptr("taken")})
	wantError(t, err, "EntityAlreadyExists", "User with name taken already exists.")

	if _, err := s.UpdateUser(bg, &iamapi.UpdateUserRequest{UserName: api.Ptr("old"), NewUserName: api.Ptr("new"), NewPath: api.Ptr("/moved/")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetUser(bg, &iamapi.GetUserRequest{UserName: api.Ptr("old")}); err == nil {
		t.Fatal("old name still resolves")
	}
	keys, err := s.ListAccessKeys(bg, &iamapi.ListAccessKeysRequest{UserName: api.Ptr("new")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].UserName != "new" {
		t.Fatalf("keys = %+v, %v", keys, err)
	}
	caller, err := s.Caller(ctxAs(testAccount, *key.AccessKey.AccessKeyId))
	if err != nil || caller.Arn != "arn:aws:iam::000000000000:user/moved/new" {
		t.Fatalf("caller = %+v, %v", caller, err)
	}
	attached, err := s.ListAttachedUserPolicies(bg, &iamapi.ListAttachedUserPoliciesRequest{UserName: api.Ptr("new")})
	if err != nil || len(attached.AttachedPolicies) != 1 {
		t.Fatalf("attached = %+v, %v", attached, err)
	}
	entities, err := s.ListEntitiesForPolicy(bg, &iamapi.ListEntitiesForPolicyRequest{PolicyArn: api.Ptr(arn)})
	if err != nil || len(entities.PolicyUsers) != 1 || *entities.PolicyUsers[0].UserName != "new" {
		t.Fatalf("entities = %+v, %v", entities, err)
	}
	if _, err := s.GetUserPolicy(bg, &iamapi.GetUserPolicyRequest{UserName: api.Ptr("new"), PolicyName: api.Ptr("inline")}); err != nil {
		t.Fatal(err)
	}
}

func TestUserTags(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	user := api.Ptr("devuser")
	_, err := s.TagUser(bg, &iamapi.TagUserRequest{UserName: user, Tags: []iamapi.Tag{
		{Key: api.Ptr("b"), Value: api.Ptr("1")}, {Key: api.Ptr("a"), Value: api.Ptr("2")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TagUser(bg, &iamapi.TagUserRequest{UserName: user, Tags: []iamapi.Tag{{Key: api.Ptr("B"), Value: api.Ptr("3")}}}); err != nil {
		t.Fatal(err)
	}
	out, err := s.ListUserTags(bg, &iamapi.ListUserTagsRequest{UserName: user})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tags) != 2 || *out.Tags[0].Key != "a" || *out.Tags[1].Key != "B" || *out.Tags[1].Value != "3" {
		t.Fatalf("tags = %+v", out.Tags)
	}
	if _, err := s.UntagUser(bg, &iamapi.UntagUserRequest{UserName: user, TagKeys: []string{"A"}}); err != nil {
		t.Fatal(err)
	}
	out, _ = s.ListUserTags(bg, &iamapi.ListUserTagsRequest{UserName: user})
	if len(out.Tags) != 1 {
		t.Fatalf("tags = %+v", out.Tags)
	}
	_, err = s.TagUser(bg, &iamapi.TagUserRequest{UserName: user, Tags: []iamapi.Tag{{Key: api.Ptr("x"), Value: api.Ptr("1")}, {Key: api.Ptr("X"), Value: api.Ptr("2")}}})
	wantError(t, err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
}

func TestTagLimit(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	var tags []iamapi.Tag
	for i := range 51 {
		tags = append(tags, iamapi.Tag{Key: api.Ptr(string(rune('A'+i/26)) + string(rune('a'+i%26))), Value: api.Ptr("")})
	}
	_, err := s.TagUser(bg, &iamapi.TagUserRequest{UserName: api.Ptr("devuser"), Tags: tags})
	wantError(t, err, "LimitExceeded", "Cannot exceed quota for TagsPerUser: 50")
}
