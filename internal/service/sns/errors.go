package sns

import (
	"encoding/base64"
	"errors"

	"github.com/kiricloud/kiri/internal/protocol"
)

// errCode is the AWS error code of err, "" for errors that are not AWS's.
func errCode(err error) string {
	var perr *protocol.Error
	if errors.As(err, &perr) {
		return perr.WireCode()
	}
	return ""
}

func isNotFound(err error) bool { return errCode(err) == "NotFound" }

// Pagination tokens are opaque to clients: the key to resume at, encoded.
func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(tok string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	return string(b), err == nil && len(b) > 0
}
