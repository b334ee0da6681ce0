package iam

import (
	"regexp"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
)

func createKey(t *testing.T, s *Service, user string) *iamapi.AccessKey {
	t.Helper()
	out, err := s.CreateAccessKey(bg, &iamapi.CreateAccessKeyRequest{UserName: api.Ptr(user)})
	if err != nil {
		t.Fatal(err)
	}
	return out.AccessKey
}

func TestCreateAccessKey(t *testing.T) {
	s, clock := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	k := createKey(t, s, "devuser")
	if !regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`).MatchString(*k.AccessKeyId) {
		t.Fatalf("AccessKeyId = %s", *k.AccessKeyId)
	}
	if len(*k.SecretAccessKey) != 40 || *k.Status != "Active" || *k.UserName != "devuser" || !k.CreateDate.Equal(clock.Now()) {
		t.Fatalf("key = %+v", k)
	}
	account, secret, ok := s.LookupAccessKey(bg, *k.AccessKeyId)
	if !ok || account != testAccount || secret != *k.SecretAccessKey {
		t.Fatalf("lookup = %s %s %v", account, secret, ok)
	}
}

func TestAccessKeyLimit(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	createKey(t, s, "devuser")
	createKey(t, s, "devuser")
	_, err := s.CreateAccessKey(bg, &iamapi.CreateAccessKeyRequest{UserName: api.Ptr("devuser")})
	wantError(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
}

func TestAccessKeyForMissingUser(t *testing.T) {
	s, _ := newTestService(t)
	_, err := s.CreateAccessKey(bg, &iamapi.CreateAccessKeyRequest{UserName: api.Ptr("ghost")})
	wantError(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")
}

func TestAccessKeyWithoutUserNeedsAUserCaller(t *testing.T) {
	s, _ := newTestService(t)
	_, err := s.CreateAccessKey(bg, &iamapi.CreateAccessKeyRequest{})
	wantError(t, err, "ValidationError", "Must specify userName when calling with non-User credentials")

	createUser(t, s, bg, "devuser", "")
	k := createKey(t, s, "devuser")
	own, err := s.CreateAccessKey(ctxAs(testAccount, *k.AccessKeyId), &iamapi.CreateAccessKeyRequest{})
	if err != nil || *own.AccessKey.UserName != "devuser" {
		t.Fatalf("own key = %+v, %v", own, err)
	}
}

func TestRotateAccessKey(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	old := createKey(t, s, "devuser")
	createKey(t, s, "devuser")

	_, err := s.UpdateAccessKey(bg, &iamapi.UpdateAccessKeyRequest{UserName: api.Ptr("devuser"), AccessKeyId: old.AccessKeyId, Status: api.Ptr("Inactive")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.LookupAccessKey(bg, *old.AccessKeyId); ok {
		t.Fatal("an inactive key must not be found")
	}
	list, err := s.ListAccessKeys(bg, &iamapi.ListAccessKeysRequest{UserName: api.Ptr("devuser")})
	if err != nil || len(list.AccessKeyMetadata) != 2 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	for _, m := range list.AccessKeyMetadata {
		if *m.AccessKeyId == *old.AccessKeyId && *m.Status != "Inactive" {
			t.Fatalf("status = %s", *m.Status)
		}
	}
	_, err = s.UpdateAccessKey(bg, &iamapi.UpdateAccessKeyRequest{UserName: api.Ptr("devuser"), AccessKeyId: old.AccessKeyId, Status: api.Ptr("Active")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.LookupAccessKey(bg, *old.AccessKeyId); !ok {
		t.Fatal("a reactivated key must be found")
	}
	if _, err := s.DeleteAccessKey(bg, &iamapi.DeleteAccessKeyRequest{UserName: api.Ptr("devuser"), AccessKeyId: old.AccessKeyId}); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := s.LookupAccessKey(bg, *old.AccessKeyId); ok {
		t.Fatal("a deleted key must not be found")
	}
	_, err = s.DeleteAccessKey(bg, &iamapi.DeleteAccessKeyRequest{UserName: api.Ptr("devuser"), AccessKeyId: old.AccessKeyId})
	wantError(t, err, "NoSuchEntity", "The Access Key with id "+*old.AccessKeyId+" cannot be found")
}

func TestAccessKeyOfAnotherUser(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "a", "")
	createUser(t, s, bg, "b", "")
	k := createKey(t, s, "a")
	_, err := s.UpdateAccessKey(bg, &iamapi.UpdateAccessKeyRequest{UserName: api.Ptr("b"), AccessKeyId: k.AccessKeyId, Status: api.Ptr("Inactive")})
	wantError(t, err, "NoSuchEntity", "The Access Key with id "+*k.AccessKeyId+" cannot be found")
}

func TestGetAccessKeyLastUsed(t *testing.T) {
	s, _ := newTestService(t)
	createUser(t, s, bg, "devuser", "")
	k := createKey(t, s, "devuser")
	out, err := s.GetAccessKeyLastUsed(bg, &iamapi.GetAccessKeyLastUsedRequest{AccessKeyId: k.AccessKeyId})
	if err != nil {
		t.Fatal(err)
	}
	if *out.UserName != "devuser" || *out.AccessKeyLastUsed.ServiceName != "N/A" || *out.AccessKeyLastUsed.Region != "N/A" {
		t.Fatalf("out = %+v", out)
	}
	_, err = s.GetAccessKeyLastUsed(bg, &iamapi.GetAccessKeyLastUsedRequest{AccessKeyId: api.Ptr("AKIAAAAAAAAAAAAAAAAA")})
	wantError(t, err, "NoSuchEntity", "")
}
