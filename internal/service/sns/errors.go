package sns

import (
	"encoding/base64"
	"errors"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
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

// resumeKey is the store key a listing resumes at: kind followed by the
// parts a NextToken names (joined by "/" when there are several, as
// encodeToken's callers write them); nil without a token. A token that
// does not decode into that many parts is AWS's InvalidParameter.
func (r *region) resumeKey(token *string, parts int, kind ...string) ([]byte, error) {
	tok := api.Deref(token)
	if tok == "" {
		return nil, nil
	}
	rest, ok := decodeToken(tok)
	named := strings.Split(rest, "/")
	if !ok || len(named) != parts {
		return nil, invalid("Invalid parameter: NextToken")
	}
	return r.ns.Key(append(kind, named...)...), nil
}
