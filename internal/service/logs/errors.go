package logs

import logsapi "github.com/kiricloud/kiri/internal/api/logs"

// CloudWatch Logs' error messages, worded as AWS words them.

func errGroupNotFound() error {
	return logsapi.NewResourceNotFoundException("The specified log group does not exist.")
}

func errStreamNotFound() error {
	return logsapi.NewResourceNotFoundException("The specified log stream does not exist.")
}

func errGroupExists() error {
	return logsapi.NewResourceAlreadyExistsException("The specified log group already exists")
}

func errStreamExists() error {
	return logsapi.NewResourceAlreadyExistsException("The specified log stream already exists")
}

func errInvalid(format string, args ...any) error {
	return logsapi.NewInvalidParameterException(format, args...)
}

func errBadToken() error {
	return errInvalid("The specified nextToken is invalid.")
}
