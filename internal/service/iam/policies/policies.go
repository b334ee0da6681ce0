// Package policies is kiri's catalogue of AWS managed policies: the
// policies AWS owns (arn:aws:iam::aws:policy/...) that every account can
// list, read and attach.
//
// Each policy is one JSON file in this directory, named after the policy:
//
//	{"PolicyName", "Path", "PolicyId", "Description", "DefaultVersionId",
//	 "CreateDate", "UpdateDate", "Document"}
//
// The documents are AWS's own, default version only. They were taken from
// the AWS managed policy dump that moto 5.2.1 ships (its `make
// aws_managed_policies` fetches them from a real account with
// iam:GetPolicyVersion), with keys put back in the order the AWS Managed
// Policy Reference prints them (Version, Statement; Sid, Effect, Action,
// Resource, Condition). AWSLambdaFullAccess and AWSLambdaReadOnlyAccess are
// deprecated and gone from current dumps; their last published version (v8
// of each) comes from a GetPolicyVersion capture and the AWS Managed Policy
// Reference. Policy ids are the real ones where a published listing names
// them; an empty PolicyId gets a stable made-up id (see ID).
package policies

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed *.json
var files embed.FS

// Policy is one AWS managed policy.
type Policy struct {
	Name             string
	Path             string
	ID               string
	Description      string
	DefaultVersionID string
	CreateDate       time.Time
	UpdateDate       time.Time
	// Document is the default version's policy document, formatted JSON.
	Document string
}

// Arn is the policy's ARN: arn:aws:iam::aws:policy/<path><name>.
func (p *Policy) Arn() string { return "arn:aws:iam::aws:policy" + p.Path + p.Name }

// record is the file form of a Policy.
type record struct {
	PolicyName       string
	Path             string
	PolicyID         string `json:"PolicyId"`
	Description      string
	DefaultVersionID string `json:"DefaultVersionId"`
	CreateDate       time.Time
	UpdateDate       time.Time
	Document         json.RawMessage
}

var (
	loadOnce sync.Once
	all      []*Policy
	byArn    map[string]*Policy
)

// All returns every managed policy, sorted by name. The result is shared:
// callers must not modify it.
func All() []*Policy {
	loadOnce.Do(load)
	return all
}

// ByArn finds a managed policy by its ARN.
func ByArn(arn string) (*Policy, bool) {
	loadOnce.Do(load)
	p, ok := byArn[arn]
	return p, ok
}

// load parses the embedded files; a bad file is a build defect, hence the panic.
func load() {
	entries, err := files.ReadDir(".")
	if err != nil {
		panic(err)
	}
	byArn = make(map[string]*Policy, len(entries))
	for _, e := range entries {
		p, err := parse(e.Name())
		if err != nil {
			panic(fmt.Sprintf("policies: %s: %v", e.Name(), err))
		}
		all = append(all, p)
		byArn[p.Arn()] = p
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
}

func parse(name string) (*Policy, error) {
	data, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if r.PolicyName+".json" != name {
		return nil, fmt.Errorf("file holds policy %q", r.PolicyName)
	}
	// Re-indent so that the served document does not carry the file's
	// nesting; key order is kept as written.
	var doc bytes.Buffer
	if err := json.Indent(&doc, r.Document, "", "  "); err != nil {
		return nil, err
	}
	p := &Policy{
		Name: r.PolicyName, Path: r.Path, ID: r.PolicyID, Description: r.Description,
		DefaultVersionID: r.DefaultVersionID, CreateDate: r.CreateDate.UTC(), UpdateDate: r.UpdateDate.UTC(),
		Document: doc.String(),
	}
	if p.ID == "" {
		p.ID = ID(p.Arn())
	}
	return p, nil
}

// ID derives a policy id in AWS's form (ANPA + 17 base32 characters) from
// an ARN, for the few policies whose real id is not published. The same ARN
// always gets the same id, so ids are stable across runs and machines.
func ID(arn string) string {
	sum := sha256.Sum256([]byte(arn))
	enc := base32.StdEncoding.EncodeToString(sum[:])
	return "ANPA" + strings.ToUpper(enc[:17])
}
