package iam

import (
	"net/http"

	iamapi "github.com/kiricloud/kiri/internal/api/iam"
	"github.com/kiricloud/kiri/internal/protocol"
)

// IAM's error messages, worded as AWS words them.

func errNoSuchUser(name string) error {
	return iamapi.NewNoSuchEntityException("The user with name %s cannot be found.", name)
}

func errNoSuchRole(name string) error {
	return iamapi.NewNoSuchEntityException("The role with name %s cannot be found.", name)
}

func errNoSuchProfile(name string) error {
	return iamapi.NewNoSuchEntityException("Instance Profile %s cannot be found.", name)
}

func errNoSuchPolicy(arn string) error {
	return iamapi.NewNoSuchEntityException("Policy %s was not found.", arn)
}

func errNotAttachable(arn string) error {
	return iamapi.NewNoSuchEntityException("Policy %s does not exist or is not attachable.", arn)
}

func errNoSuchVersion(arn, version string) error {
	return iamapi.NewNoSuchEntityException("Policy %s version %s does not exist or is not attachable.", arn, version)
}

func errNoSuchAccessKey(id string) error {
	return iamapi.NewNoSuchEntityException("The Access Key with id %s cannot be found", id)
}

func errNoSuchLoginProfile(user string) error {
	return iamapi.NewNoSuchEntityException("Login Profile for User %s cannot be found.", user)
}

func errNoSuchInline(kind, name string) error {
	return iamapi.NewNoSuchEntityException("The %s policy with name %s cannot be found.", kind, name)
}

func errUserExists(name string) error {
	return iamapi.NewEntityAlreadyExistsException("User with name %s already exists.", name)
}

func errRoleExists(name string) error {
	return iamapi.NewEntityAlreadyExistsException("Role with name %s already exists.", name)
}

func errPolicyExists(name string) error {
	return iamapi.NewEntityAlreadyExistsException("A policy called %s already exists. Duplicate names are not allowed.", name)
}

func errProfileExists(name string) error {
	return iamapi.NewEntityAlreadyExistsException("Instance Profile %s already exists.", name)
}

func errLoginProfileExists(user string) error {
	return iamapi.NewEntityAlreadyExistsException("Login Profile for user %s already exists.", user)
}

func errQuota(quota string, limit int) error {
	return iamapi.NewLimitExceededException("Cannot exceed quota for %s: %d", quota, limit)
}

func errDeleteConflict(message string) error {
	return iamapi.NewDeleteConflictException("%s", message)
}

func errInvalidInput(format string, args ...any) error {
	return iamapi.NewInvalidInputException(format, args...)
}

// errValidation is the query API's unmodelled ValidationError.
func errValidation(format string, args ...any) error {
	return protocol.Errorf("ValidationError", http.StatusBadRequest, format, args...)
}

// errAccessDenied answers a call on something the caller may not change,
// such as an AWS managed policy.
func errAccessDenied(caller, action, resource string) error {
	return protocol.Errorf("AccessDenied", http.StatusForbidden,
		"User: %s is not authorized to perform: %s on resource: %s", caller, action, resource)
}
