package iam

import "strings"

// awsAccount is the account part of the ARNs of AWS managed policies.
const awsAccount = "aws"

// arnOf builds an IAM ARN such as arn:aws:iam::123456789012:role/path/name.
// path begins and ends with "/".
func arnOf(account, resource, path, name string) string {
	return "arn:aws:iam::" + account + ":" + resource + path + name
}

// iamArn is a parsed IAM ARN of a user, role, policy or instance profile.
type iamArn struct {
	Account  string
	Resource string // "user", "role", "policy", "instance-profile"
	Path     string // "/" or "/a/b/"
	Name     string
}

// parseArn parses arn:aws:iam::<account>:<resource><path><name>.
func parseArn(arn string) (iamArn, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return iamArn{}, false
	}
	account, rest, ok := strings.Cut(rest, ":")
	if !ok || account == "" {
		return iamArn{}, false
	}
	slash := strings.IndexByte(rest, '/')
	last := strings.LastIndexByte(rest, '/')
	if slash <= 0 || last == len(rest)-1 {
		return iamArn{}, false
	}
	return iamArn{Account: account, Resource: rest[:slash], Path: rest[slash : last+1], Name: rest[last+1:]}, true
}

// pathOrRoot defaults an optional path to "/".
func pathOrRoot(path *string) string {
	if path == nil || *path == "" {
		return "/"
	}
	return *path
}

// hasPathPrefix applies a PathPrefix filter; no prefix matches everything.
func hasPathPrefix(path string, prefix *string) bool {
	return prefix == nil || strings.HasPrefix(path, *prefix)
}
