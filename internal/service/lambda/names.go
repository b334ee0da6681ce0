package lambda

import (
	"context"
	"regexp"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
)

// fnRef names one function, possibly qualified, in one account and region.
type fnRef struct {
	scope
	name      string
	qualifier string // "" (unqualified), "$LATEST", a version number or an alias name
}

func (r fnRef) arn() string          { return r.functionArn(r.name) }
func (r fnRef) qualifiedArn() string { return r.scope.qualifiedArn(r.name, r.qualifier) }

// Lengths are checked apart from these patterns: counted repetitions such
// as {1,128} make RE2 build large programs, a cost paid at every start.
var (
	namePattern      = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	qualifierPattern = regexp.MustCompile(`^(\$LATEST|[a-zA-Z0-9_-]+)$`)
	accountPattern   = regexp.MustCompile(`^[0-9]{12}$`)
)

// resolveName accepts the three spellings Lambda accepts for FunctionName —
// a name, a partial ARN (123456789012:function:name) and a full ARN — each
// optionally followed by ":qualifier". An ARN's account and region win over
// the request's: in-process callers (an IoT rule, an S3 notification) name
// functions by ARN and carry no request scope.
func (s *Service) resolveName(ctx context.Context, functionName, qualifier *string) (fnRef, error) {
	ref := fnRef{scope: s.scopeOf(ctx)}
	raw := api.Deref(functionName)
	parts := strings.Split(raw, ":")
	var rest []string
	switch {
	case strings.HasPrefix(raw, "arn:"):
		if len(parts) < 7 || len(parts) > 8 || parts[2] != "lambda" || parts[5] != "function" || !accountPattern.MatchString(parts[4]) {
			return ref, invalidName(raw)
		}
		ref.region, ref.account, rest = parts[3], parts[4], parts[6:]
	case len(parts) >= 3 && parts[1] == "function":
		if len(parts) > 4 || !accountPattern.MatchString(parts[0]) {
			return ref, invalidName(raw)
		}
		ref.account, rest = parts[0], parts[2:]
	default:
		if len(parts) > 2 {
			return ref, invalidName(raw)
		}
		rest = parts
	}
	ref.name = rest[0]
	if len(ref.name) > 64 || !namePattern.MatchString(ref.name) {
		return ref, invalidName(raw)
	}
	if len(rest) == 2 {
		ref.qualifier = rest[1]
	}
	if q := api.Deref(qualifier); q != "" {
		if ref.qualifier != "" && ref.qualifier != q {
			return ref, lambdaapi.NewInvalidParameterValueException("The derived qualifier from the function name does not match the specified qualifier.")
		}
		ref.qualifier = q
	}
	if ref.qualifier != "" && (len(ref.qualifier) > 128 || !qualifierPattern.MatchString(ref.qualifier)) {
		return ref, lambdaapi.NewInvalidParameterValueException("Invalid qualifier: %s", ref.qualifier)
	}
	return ref, nil
}

// invalidName is the error for a FunctionName that is no name nor ARN; AWS
// answers such with a ValidationException naming the constraint.
func invalidName(name string) error {
	return lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", name)
}

// isVersion reports whether a qualifier names a published version.
func isVersion(q string) bool {
	if q == "" || len(q) > 10 {
		return false
	}
	for _, c := range q {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func functionNotFound(r fnRef) error {
	return lambdaapi.NewResourceNotFoundException("Function not found: %s", r.qualifiedArn())
}
