package sqs

import (
	"net/http"

	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
	"github.com/kiricloud/kiri/internal/protocol"
)

// SQS's error messages, worded as AWS words them.

func errNoQueue() error {
	return sqsapi.NewQueueDoesNotExist("The specified queue does not exist.")
}

func errInvalidAddress(raw string) error {
	return sqsapi.NewInvalidAddress("The address %s is not valid for this endpoint.", raw)
}

// errParam is AWS's InvalidParameterValue, which the model does not list.
func errParam(format string, args ...any) *protocol.Error {
	return protocol.Errorf("InvalidParameterValue", http.StatusBadRequest, format, args...)
}

// errParamValue is the common "Value v for parameter p is invalid. Reason: r." form.
func errParamValue(value any, param, reason string) *protocol.Error {
	return errParam("Value %v for parameter %s is invalid. Reason: %s.", value, param, reason)
}

func errMissing(param string) *protocol.Error {
	return protocol.Errorf("MissingParameter", http.StatusBadRequest, "The request must contain the parameter %s.", param)
}

func errAttrValue(name string) error {
	return sqsapi.NewInvalidAttributeValue("Invalid value for the parameter %s.", name)
}

func errAttrName(name string) error {
	return sqsapi.NewInvalidAttributeName("Unknown Attribute %s.", name)
}

func errBadHandle(handle string) error {
	return sqsapi.NewReceiptHandleIsInvalid("The input receipt handle \"%s\" is not a valid receipt handle.", handle)
}

func errNotInflight() error {
	return sqsapi.NewMessageNotInflight("Message does not exist or is not available for visibility timeout change.")
}
