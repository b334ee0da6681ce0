// Package request carries what the gateway learned about a request — who
// sent it, to which account and region — to the services, which see only
// typed inputs and a context.
package request

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Info describes one API request.
type Info struct {
	ID        string // the request id returned to the client
	Service   string // kiri service name, e.g. "iam"
	Operation string
	Account   string // 12-digit account id the caller acts in
	Region    string // from the signature scope, else the default region
	AccessKey string // the caller's access key id ("" when anonymous)
	// SessionToken is set for temporary credentials.
	SessionToken string
	// Path is the request URL's path as the client sent it. Services see no
	// HTTP, but on SQS's query protocol the path is part of the input: an
	// action posted to a queue URL (/<account>/<queue>) without a QueueUrl
	// field acts on that queue.
	Path     string
	Received time.Time
}

type infoKey struct{}

// With returns a context carrying info.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// From returns the request info of ctx. Calls made inside kiri without a
// request (tests, internal deliveries) get an empty Info rather than nil.
func From(ctx context.Context) *Info {
	if info, ok := ctx.Value(infoKey{}).(*Info); ok {
		return info
	}
	return &Info{}
}

// NewID returns a random request id in AWS's UUID form.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// The account and region of calls made inside kiri without a request
// (tests, in-process deliveries that name no ARN), as kiri's defaults.
const (
	DefaultAccount = "000000000000"
	DefaultRegion  = "us-east-1"
)

// Scope is the account and region a call acts in: the request's, else the
// defaults.
func Scope(ctx context.Context) (account, region string) {
	info := From(ctx)
	account, region = info.Account, info.Region
	if account == "" {
		account = DefaultAccount
	}
	if region == "" {
		region = DefaultRegion
	}
	return account, region
}

// IsAccountID reports whether s has the form of an AWS account id: 12
// digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
