package iam

import (
	"crypto/rand"
	"encoding/base64"
)

// Unique-id prefixes, as AWS uses them: the prefix tells what an id or an
// access key belongs to.
const (
	prefixUser            = "AIDA"
	prefixRole            = "AROA"
	prefixPolicy          = "ANPA"
	prefixInstanceProfile = "AIPA"
	prefixAccessKey       = "AKIA" // long-term key of an IAM user
	prefixTemporaryKey    = "ASIA" // STS temporary key
)

// idAlphabet is the character set of AWS unique ids and access key ids:
// upper-case letters and the digits 2–7 (base32).
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// secretAlphabet is the character set of secret access keys (base64).
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// randomString draws n characters from alphabet, whose length must divide 256
// so that every character is equally likely.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newUniqueID returns a unique id such as AROA + 17 characters (21 in all).
func newUniqueID(prefix string) string { return prefix + randomString(idAlphabet, 17) }

// newAccessKeyID returns an access key id: AKIA/ASIA + 16 characters.
func newAccessKeyID(prefix string) string { return prefix + randomString(idAlphabet, 16) }

// newSecret returns a 40-character secret access key.
func newSecret() string { return randomString(secretAlphabet, 40) }

// newSessionToken returns an opaque session token of the length AWS's
// tokens have (several hundred characters).
func newSessionToken() string {
	b := make([]byte, 264)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
