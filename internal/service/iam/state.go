package iam

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/store"
)

// The state of one account lives in store.NS("iam", account, "") under
// these keys. IAM names are unique without regard to case ("MyRole" and
// "myrole" cannot both exist) and found without regard to case, so entity
// keys use the lower-cased name; records keep the name as created.
//
//	user, <name>                          userRecord
//	role, <name>                          roleRecord
//	policy, <name>                        policyRecord (customer managed; names are unique per account, whatever the path)
//	profile, <name>                       profileRecord
//	accesskey, <user>, <key id>           accessKeyRecord
//	login, <user>                         loginRecord
//	inline, <kind>, <entity>, <policy>    inlineRecord
//	attached, <kind>, <entity>, <arn>     "" (a managed policy attached to a user or role)
//	attachment, <arn>, <kind>, <entity>   "" (the same, indexed by policy: AttachmentCount, ListEntitiesForPolicy)
//	roleprofile, <role>, <profile>        "" (the instance profiles a role is in)
//	account                               time.Time (when the account's IAM state began: the root's CreateDate)
const (
	kindUser = "user"
	kindRole = "role"
)

// fold is the key form of an IAM name.
func fold(name string) string { return strings.ToLower(name) }

type tag struct {
	Key   string
	Value string
}

type userRecord struct {
	Name                string
	Path                string
	ID                  string
	Created             time.Time
	PermissionsBoundary string `json:",omitempty"`
	Tags                []tag  `json:",omitempty"`
}

type roleRecord struct {
	Name                string
	Path                string
	ID                  string
	Created             time.Time
	TrustPolicy         string
	Description         *string `json:",omitempty"`
	MaxSessionDuration  int64
	PermissionsBoundary string     `json:",omitempty"`
	Tags                []tag      `json:",omitempty"`
	LastUsed            *time.Time `json:",omitempty"`
	LastUsedRegion      string     `json:",omitempty"`
}

type policyRecord struct {
	Name           string
	Path           string
	ID             string
	Description    *string `json:",omitempty"`
	Created        time.Time
	Updated        time.Time
	DefaultVersion string
	NextVersion    int
	Versions       []versionRecord // oldest first; at most maxPolicyVersions
	Tags           []tag           `json:",omitempty"`
}

type versionRecord struct {
	ID       string
	Document string
	Created  time.Time
}

type profileRecord struct {
	Name    string
	Path    string
	ID      string
	Created time.Time
	Roles   []string `json:",omitempty"` // folded role names; IAM allows one
	Tags    []tag    `json:",omitempty"`
}

type accessKeyRecord struct {
	ID      string
	Status  string
	Created time.Time
}

type loginRecord struct {
	Created               time.Time
	PasswordResetRequired bool
	PasswordHash          string // SHA-256 hex: kiri never needs the password back
}

type inlineRecord struct {
	Name     string
	Document string
}

// account is one account's IAM state inside a transaction.
type account struct {
	tx   store.Tx
	ns   store.Namespace
	keys keyIndex
	id   string
	now  time.Time // the transaction's timestamp
}

func (a *account) get(v any, parts ...string) (bool, error) {
	return store.GetJSON(a.tx, a.ns.Key(parts...), v)
}

func (a *account) put(v any, parts ...string) error {
	return store.PutJSON(a.tx, a.ns.Key(parts...), v)
}

func (a *account) mark(parts ...string) error { return a.tx.Put(a.ns.Key(parts...), nil) }

func (a *account) has(parts ...string) bool {
	_, ok := a.tx.Get(a.ns.Key(parts...))
	return ok
}

func (a *account) del(parts ...string) error { return a.tx.Delete(a.ns.Key(parts...)) }

// keysUnder returns the trailing parts of every key under prefix, in key order.
func (a *account) keysUnder(prefix ...string) ([][]string, error) {
	var out [][]string
	err := a.tx.Scan(a.ns.Prefix(prefix...), nil, func(k, _ []byte) error {
		parts, ok := a.ns.Parts(k)
		if ok {
			out = append(out, parts[len(prefix):])
		}
		return nil
	})
	return out, err
}

// count counts the keys under prefix.
func (a *account) count(prefix ...string) (int, error) {
	n := 0
	err := a.tx.Scan(a.ns.Prefix(prefix...), nil, func(_, _ []byte) error {
		n++
		return nil
	})
	return n, err
}

// scanJSON decodes every record under prefix, in key order.
func scanJSON[T any](a *account, prefix ...string) ([]T, error) {
	var out []T
	err := a.tx.Scan(a.ns.Prefix(prefix...), nil, func(_, v []byte) error {
		var r T
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// deleteUnder deletes every key under prefix.
func (a *account) deleteUnder(prefix ...string) error {
	var keys [][]byte
	err := a.tx.Scan(a.ns.Prefix(prefix...), nil, func(k, _ []byte) error {
		keys = append(keys, append([]byte(nil), k...))
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := a.tx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func (a *account) user(name string) (*userRecord, error) {
	var u userRecord
	if ok, err := a.get(&u, "user", fold(name)); err != nil || !ok {
		return nil, orErr(err, errNoSuchUser(name))
	}
	return &u, nil
}

func (a *account) role(name string) (*roleRecord, error) {
	var r roleRecord
	if ok, err := a.get(&r, "role", fold(name)); err != nil || !ok {
		return nil, orErr(err, errNoSuchRole(name))
	}
	return &r, nil
}

func (a *account) profile(name string) (*profileRecord, error) {
	var p profileRecord
	if ok, err := a.get(&p, "profile", fold(name)); err != nil || !ok {
		return nil, orErr(err, errNoSuchProfile(name))
	}
	return &p, nil
}

func (a *account) putUser(u *userRecord) error       { return a.put(u, "user", fold(u.Name)) }
func (a *account) putRole(r *roleRecord) error       { return a.put(r, "role", fold(r.Name)) }
func (a *account) putProfile(p *profileRecord) error { return a.put(p, "profile", fold(p.Name)) }

// orErr returns err when it is set, else notFound: a store failure wins
// over the answer that the record is absent.
func orErr(err, notFound error) error {
	if err != nil {
		return err
	}
	return notFound
}
