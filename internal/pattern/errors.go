package pattern

import "fmt"

// Dialect says which AWS service's flavour of the pattern language a
// Pattern was compiled for. It decides the operators accepted, the limits
// enforced and how errors are worded.
type Dialect int

const (
	// EventBridge is the language of EventBridge rules (and Pipes / ESM
	// filters, which use the same engine).
	EventBridge Dialect = iota
	// SNS is the language of SNS subscription filter policies.
	SNS
)

func (d Dialect) String() string {
	if d == SNS {
		return "SNS"
	}
	return "EventBridge"
}

// Error is returned by Compile and CompileFilterPolicy for a pattern AWS
// would reject. Reason is the service-independent part, so a service can
// wrap it in its own error shape; Error() gives the full AWS wording.
type Error struct {
	Dialect Dialect
	Reason  string
}

// Error renders the message the way the AWS service does:
//
//	EventBridge: "Event pattern is not valid. Reason: <reason>"
//	SNS:         "Invalid parameter: FilterPolicy: <reason>"
func (e *Error) Error() string {
	if e.Dialect == SNS {
		return "Invalid parameter: FilterPolicy: " + e.Reason
	}
	return "Event pattern is not valid. Reason: " + e.Reason
}

// Code is the AWS error code the service should answer with.
func (e *Error) Code() string {
	if e.Dialect == SNS {
		return "InvalidParameter"
	}
	return "InvalidEventPatternException"
}

// errorf builds a *Error; it is a method on the compiler so every error
// carries the dialect being compiled.
func (c *compiler) errorf(format string, args ...any) error {
	return &Error{Dialect: c.dialect, Reason: fmt.Sprintf(format, args...)}
}
