package sns

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
)

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// jsonString encodes s as a JSON string the way AWS does in the documents
// it sends: without Go's escaping of <, > and &.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// marshalNoEscape marshals v without Go's HTML escaping.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// newToken returns a confirmation token: long random hex like AWS's.
func newToken() string {
	var b [64]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
