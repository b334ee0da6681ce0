package iam

import (
	"context"
	"fmt"
	"time"

	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// keyNS holds the global index of access keys, whatever account they
// belong to:
//
//	key, <access key id>               credential
//	expiry, <unix seconds>, <key id>   "" (temporary keys by expiry, to sweep them)
var keyNS = store.NS("iam", "", "")

// Credential kinds.
const (
	credUser    = "user"    // an IAM user's long-term access key
	credSession = "session" // GetSessionToken: acts as the user (or root) that asked
	credRole    = "role"    // AssumeRole: acts as a role session
)

// credential is one entry of the key index: everything needed to sign-check
// a request and to say who made it, without reading the account's state.
type credential struct {
	Account      string
	Secret       string
	Kind         string
	Inactive     bool   `json:",omitempty"`
	SessionToken string `json:",omitempty"`
	Expires      time.Time
	// The principal the key acts as (see Principal).
	UserName    string `json:",omitempty"`
	UserPath    string `json:",omitempty"`
	UserID      string `json:",omitempty"`
	RoleName    string `json:",omitempty"`
	RoleID      string `json:",omitempty"`
	SessionName string `json:",omitempty"`
}

func (c *credential) temporary() bool { return !c.Expires.IsZero() }

// usable reports whether a request signed with the key is accepted now.
func (c *credential) usable(now time.Time) bool {
	return !c.Inactive && (!c.temporary() || now.Before(c.Expires))
}

// keyIndex is the key index inside a transaction.
type keyIndex struct{ tx store.Tx }

func (k keyIndex) get(id string) (*credential, error) {
	var c credential
	ok, err := store.GetJSON(k.tx, keyNS.Key("key", id), &c)
	if err != nil || !ok {
		return nil, err
	}
	return &c, nil
}

func (k keyIndex) put(id string, c *credential) error {
	if c.temporary() {
		if err := k.tx.Put(keyNS.Key("expiry", expiryKey(c.Expires), id), nil); err != nil {
			return err
		}
	}
	return store.PutJSON(k.tx, keyNS.Key("key", id), c)
}

func (k keyIndex) delete(id string) error { return k.tx.Delete(keyNS.Key("key", id)) }

// expiryKey orders expiry times as strings.
func expiryKey(t time.Time) string { return fmt.Sprintf("%020d", t.Unix()) }

// sweep deletes the temporary keys that expired before now.
func (k keyIndex) sweep(now time.Time) error {
	var expired [][]byte
	err := k.tx.Scan(keyNS.Prefix("expiry"), nil, func(key, _ []byte) error {
		parts, ok := keyNS.Parts(key)
		if !ok || len(parts) != 3 {
			return nil
		}
		if parts[1] > expiryKey(now) {
			return store.ErrStop
		}
		expired = append(expired, append([]byte(nil), key...), keyNS.Key("key", parts[2]))
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range expired {
		if err := k.tx.Delete(key); err != nil {
			return err
		}
	}
	return nil
}

// LookupAccessKey finds the account and secret of an access key kiri issued:
// an IAM user's active key or an unexpired STS temporary key. The gateway
// calls it for every signed request.
func (s *Service) LookupAccessKey(ctx context.Context, accessKey string) (account, secret string, ok bool) {
	c, err := s.credential(accessKey)
	if err != nil || c == nil || !c.usable(s.Now()) {
		return "", "", false
	}
	return c.Account, c.Secret, true
}

// AccessKeyAccount returns the account an access key kiri issued belongs
// to, whether or not the key is still usable (STS GetAccessKeyInfo).
func (s *Service) AccessKeyAccount(ctx context.Context, accessKey string) (string, bool, error) {
	c, err := s.credential(accessKey)
	if err != nil || c == nil {
		return "", false, err
	}
	return c.Account, true, nil
}

func (s *Service) credential(accessKey string) (*credential, error) {
	var c *credential
	err := s.st.View(func(tx store.Tx) error {
		var err error
		c, err = keyIndex{tx: tx}.get(accessKey)
		return err
	})
	return c, err
}

// PrincipalKind says what kind of identity signed a request.
type PrincipalKind int

// The principals kiri knows.
const (
	Root        PrincipalKind = iota // the account itself (any key kiri did not issue)
	User                             // an IAM user
	AssumedRole                      // a role session from sts:AssumeRole
)

// Principal is the identity behind a request, as sts:GetCallerIdentity
// reports it.
type Principal struct {
	Kind      PrincipalKind
	Account   string
	Arn       string // arn:aws:iam::<acct>:root, …:user/<path><name>, arn:aws:sts::<acct>:assumed-role/<role>/<session>
	UserID    string // the account id, the user's AIDA… id, or <role id>:<session>
	UserName  string // User
	UserPath  string // User
	RoleName  string // AssumedRole
	RoleID    string // AssumedRole
	Session   string // AssumedRole: the role session name
	AccessKey string // the key that signed the request, "" when none
	// Temporary is set for STS credentials (AssumeRole, GetSessionToken).
	Temporary bool
}

// RootPrincipal is the account root.
func RootPrincipal(account string) Principal {
	return Principal{Kind: Root, Account: account, Arn: "arn:aws:iam::" + account + ":root", UserID: account}
}

// RoleSession is the principal of a session of role named sessionName.
func RoleSession(role RoleInfo, sessionName string) Principal {
	return Principal{
		Kind: AssumedRole, Account: role.Account, RoleName: role.Name, RoleID: role.ID, Session: sessionName,
		Arn:    "arn:aws:sts::" + role.Account + ":assumed-role/" + role.Name + "/" + sessionName,
		UserID: role.ID + ":" + sessionName,
	}
}

func userPrincipal(account string, u *userRecord) Principal {
	return Principal{
		Kind: User, Account: account, UserName: u.Name, UserPath: u.Path, UserID: u.ID,
		Arn: arnOf(account, "user", u.Path, u.Name),
	}
}

// principal is the identity a credential acts as.
func (c *credential) principal(accessKey string) Principal {
	var p Principal
	switch {
	case c.RoleName != "":
		p = RoleSession(RoleInfo{Account: c.Account, Name: c.RoleName, ID: c.RoleID}, c.SessionName)
	case c.UserName != "":
		p = userPrincipal(c.Account, &userRecord{Name: c.UserName, Path: c.UserPath, ID: c.UserID})
	default:
		p = RootPrincipal(c.Account)
	}
	p.AccessKey, p.Temporary = accessKey, c.temporary()
	return p
}

// Caller is the principal that signed the request in ctx. A request signed
// with a key kiri did not issue (or none) acts as the root of its account,
// as kiri accepts any key unless signature checking is on.
func (s *Service) Caller(ctx context.Context) (Principal, error) {
	info := request.From(ctx)
	if info.AccessKey != "" {
		c, err := s.credential(info.AccessKey)
		if err != nil {
			return Principal{}, err
		}
		if c != nil && c.usable(s.Now()) {
			return c.principal(info.AccessKey), nil
		}
	}
	p := RootPrincipal(s.accountOf(ctx))
	p.AccessKey = info.AccessKey
	return p, nil
}

// RoleInfo is what STS and the services that act as roles need of a role.
type RoleInfo struct {
	Account            string
	Name               string
	Path               string
	ID                 string
	Arn                string
	MaxSessionDuration time.Duration
	// TrustPolicy is the role's assume-role policy document, plain JSON.
	TrustPolicy string
}

func roleInfo(account string, r *roleRecord) RoleInfo {
	return RoleInfo{
		Account: account, Name: r.Name, Path: r.Path, ID: r.ID, Arn: arnOf(account, "role", r.Path, r.Name),
		MaxSessionDuration: time.Duration(r.MaxSessionDuration) * time.Second, TrustPolicy: r.TrustPolicy,
	}
}

// RoleByArn finds a role by its ARN, in the account the ARN names. It
// reports false when the ARN is not a role ARN or names no role.
func (s *Service) RoleByArn(ctx context.Context, arn string) (RoleInfo, bool, error) {
	parsed, ok := parseArn(arn)
	if !ok || parsed.Resource != "role" {
		return RoleInfo{}, false, nil
	}
	var info RoleInfo
	found := false
	err := s.st.View(func(tx store.Tx) error {
		var r roleRecord
		ok, err := store.GetJSON(tx, store.NS("iam", parsed.Account, "").Key("role", fold(parsed.Name)), &r)
		if err != nil || !ok || r.Path != parsed.Path {
			return err
		}
		info, found = roleInfo(parsed.Account, &r), true
		return nil
	})
	return info, found, err
}

// TemporaryCredentials are short-term keys issued by STS.
type TemporaryCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// IssueTemporaryCredentials registers new temporary credentials (ASIA…) that
// act as p until d has passed, and returns them. For a role session it also
// records the role's last use. STS calls it; so may services that hand out
// role credentials of their own (Lambda's execution environments).
func (s *Service) IssueTemporaryCredentials(ctx context.Context, p Principal, d time.Duration) (TemporaryCredentials, error) {
	now := s.Now()
	creds := TemporaryCredentials{
		AccessKeyID: newAccessKeyID(prefixTemporaryKey), SecretAccessKey: newSecret(),
		SessionToken: newSessionToken(), Expiration: now.Add(d).Truncate(time.Second),
	}
	c := &credential{
		Account: p.Account, Secret: creds.SecretAccessKey, SessionToken: creds.SessionToken,
		Expires: creds.Expiration, Kind: credSession,
	}
	switch p.Kind {
	case User:
		c.UserName, c.UserPath, c.UserID = p.UserName, p.UserPath, p.UserID
	case AssumedRole:
		c.Kind, c.RoleName, c.RoleID, c.SessionName = credRole, p.RoleName, p.RoleID, p.Session
	}
	err := s.st.Update(func(tx store.Tx) error {
		keys := keyIndex{tx: tx}
		if err := keys.sweep(now); err != nil {
			return err
		}
		if p.Kind == AssumedRole {
			if err := s.open(tx, p.Account).markRoleUsed(p.RoleName, request.From(ctx).Region); err != nil {
				return err
			}
		}
		return keys.put(creds.AccessKeyID, c)
	})
	return creds, err
}

// PolicyDocuments returns the identity-based policies in force for a
// principal, as plain JSON: the default version of every managed policy
// attached to the user or role, then its inline policies. The root has
// none (it is allowed everything). It is for kiri's optional IAM
// enforcement, which evaluates them.
func (s *Service) PolicyDocuments(ctx context.Context, p Principal) ([]string, error) {
	kind, name := kindUser, p.UserName
	switch p.Kind {
	case Root:
		return nil, nil
	case AssumedRole:
		kind, name = kindRole, p.RoleName
	}
	var docs []string
	err := s.st.View(func(tx store.Tx) (err error) {
		docs, err = s.open(tx, p.Account).identityDocuments(kind, name)
		return err
	})
	return docs, err
}
