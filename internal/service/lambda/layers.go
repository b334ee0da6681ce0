package lambda

// Lambda layers: versions of a zip archive that functions add to their
// execution environment (extracted under /opt on AWS).
//
// Store layout, in the namespace of the layer's account and region:
//
//	layer/<name>/<%010d>        layerVersion (immutable)
//	layerseq/<name>             last version number published (never reused)
//	layerpolicy/<name>/<%010d>  policyRecord of the version (AddLayerVersionPermission)
//
// Content lives on disk under CodeRoot/<account>/<region>/.layers/<rev>/
// (extracted) and <rev>.zip (as uploaded, served as Content.Location by the
// handler of function packages: ".layers" can never be a function name).

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// layersDirName is the directory of layer contents beside the functions'.
const layersDirName = ".layers"

// maxFunctionLayers is AWS's quota of layers per function.
const maxFunctionLayers = 5

// layerVersion is one published version of a layer.
type layerVersion struct {
	Name        string    `json:"name"`
	Version     int64     `json:"version"`
	Description string    `json:"description,omitempty"`
	License     string    `json:"license,omitempty"`
	Runtimes    []string  `json:"runtimes,omitempty"`
	Archs       []string  `json:"architectures,omitempty"`
	CodeSha256  string    `json:"codeSha256"`
	CodeSize    int64     `json:"codeSize"`
	Unzipped    int64     `json:"unzipped"`
	Rev         string    `json:"rev"`
	Created     time.Time `json:"created"`
}

// layerRef names a layer (version 0: none given) in an account and region.
type layerRef struct {
	scope
	name    string
	version int64
}

func (r layerRef) layerArn() string {
	return "arn:aws:lambda:" + r.region + ":" + r.account + ":layer:" + r.name
}

func (r layerRef) versionArn() string { return r.layerArn() + ":" + strconv.FormatInt(r.version, 10) }

func layerVersionKey(ns store.Namespace, name string, version int64) []byte {
	return ns.Key("layer", name, fmt.Sprintf("%010d", version))
}

func layerPolicyKey(r layerRef) []byte {
	return r.ns().Key("layerpolicy", r.name, fmt.Sprintf("%010d", r.version))
}

var (
	layerNamePattern = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
	layerArnPattern  = regexp.MustCompile(`^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+)(?::([0-9]+))?$`)
)

// resolveLayerName reads a LayerName parameter: a name (in the caller's
// account and region) or a layer ARN.
func (s *Service) resolveLayerName(ctx context.Context, name *string) (layerRef, error) {
	n := api.Deref(name)
	if m := layerArnPattern.FindStringSubmatch(n); m != nil && m[4] == "" {
		return layerRef{scope: scope{account: m[2], region: m[1]}, name: m[3]}, nil
	}
	if !layerNamePattern.MatchString(n) {
		return layerRef{}, lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%s' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+", n)
	}
	return layerRef{scope: s.scopeOf(ctx), name: n}, nil
}

// parseLayerVersionArn reads a layer version ARN; ok is false when arn is
// not one.
func parseLayerVersionArn(arn string) (layerRef, bool) {
	m := layerArnPattern.FindStringSubmatch(arn)
	if m == nil || m[4] == "" {
		return layerRef{}, false
	}
	v, err := strconv.ParseInt(m[4], 10, 64)
	if err != nil || v < 1 {
		return layerRef{}, false
	}
	return layerRef{scope: scope{account: m[2], region: m[1]}, name: m[3], version: v}, true
}

func layerNotFound() error {
	return lambdaapi.NewResourceNotFoundException("The resource you requested does not exist.")
}

// layerDir is the extracted content of a layer version.
func (s *Service) layerDir(sc scope, rev string) string { return s.codeDir(sc, layersDirName, rev) }

func (s *Service) layerLocation(sc scope, rev string) string {
	return s.codeLocation(sc, layersDirName, rev)
}

// PublishLayerVersion stores a new version of a layer from a zip archive.
func (s *Service) PublishLayerVersion(ctx context.Context, in *lambdaapi.PublishLayerVersionRequest) (*lambdaapi.PublishLayerVersionResponse, error) {
	ref, err := s.resolveLayerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	if ref.scope != s.scopeOf(ctx) {
		return nil, accessDenied("kiri: layers can only be published in the caller's account and region.")
	}
	c := in.Content
	if c == nil || (len(c.ZipFile) == 0 && c.S3Bucket == nil && c.S3Key == nil) {
		return nil, lambdaapi.NewInvalidParameterValueException("Please provide a source for layer content.")
	}
	if c.S3Bucket != nil || c.S3Key != nil {
		return nil, lambdaapi.NewInvalidParameterValueException("kiri: Code.S3Bucket/S3Key is not supported yet; upload the package as Code.ZipFile.")
	}
	if len(c.ZipFile) > maxZipped {
		return nil, lambdaapi.NewRequestTooLargeException("Request must be smaller than %d bytes for the PublishLayerVersion operation", maxZipped)
	}
	for _, rt := range in.CompatibleRuntimes {
		if rt == "" {
			return nil, lambdaapi.NewInvalidParameterValueException("Compatible runtimes must not be empty.")
		}
	}
	if len(in.CompatibleRuntimes) > 15 {
		return nil, lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value at 'compatibleRuntimes' failed to satisfy constraint: Member must have length less than or equal to 15")
	}
	sum := sha256.Sum256(c.ZipFile)
	rec := &layerVersion{
		Name: ref.name, Description: api.Deref(in.Description), License: api.Deref(in.LicenseInfo),
		Runtimes: in.CompatibleRuntimes, Archs: in.CompatibleArchitectures,
		CodeSha256: base64.StdEncoding.EncodeToString(sum[:]), CodeSize: int64(len(c.ZipFile)),
		Rev: ref.name + "." + request.NewID(), Created: s.now(),
	}
	dir := s.layerDir(ref.scope, rec.Rev)
	if err := extractZip(c.ZipFile, dir); err != nil {
		s.dropCode(ref.scope, layersDirName, rec.Rev)
		return nil, err
	}
	if err := writeFile(dir+".zip", c.ZipFile); err != nil {
		s.dropCode(ref.scope, layersDirName, rec.Rev)
		return nil, err
	}
	rec.Unzipped = dirSize(dir)
	err = s.st.Update(func(tx store.Tx) error {
		var last int64
		if _, err := store.GetJSON(tx, ref.ns().Key("layerseq", ref.name), &last); err != nil {
			return err
		}
		rec.Version = last + 1
		if err := store.PutJSON(tx, ref.ns().Key("layerseq", ref.name), rec.Version); err != nil {
			return err
		}
		return store.PutJSON(tx, layerVersionKey(ref.ns(), ref.name, rec.Version), rec)
	})
	if err != nil {
		s.dropCode(ref.scope, layersDirName, rec.Rev)
		return nil, err
	}
	ref.version = rec.Version
	out := s.layerVersionOut(ref, rec)
	return (*lambdaapi.PublishLayerVersionResponse)(out), nil
}

// layerVersionOut renders a version as GetLayerVersion returns it.
func (s *Service) layerVersionOut(ref layerRef, rec *layerVersion) *lambdaapi.GetLayerVersionResponse {
	ref.version = rec.Version
	return &lambdaapi.GetLayerVersionResponse{
		Content: &lambdaapi.LayerVersionContentOutput{
			Location: api.Ptr(s.layerLocation(ref.scope, rec.Rev)), CodeSha256: api.Ptr(rec.CodeSha256), CodeSize: api.Ptr(rec.CodeSize),
		},
		LayerArn:                api.Ptr(ref.layerArn()),
		LayerVersionArn:         api.Ptr(ref.versionArn()),
		Description:             api.Ptr(rec.Description),
		CreatedDate:             api.Ptr(lastModified(rec.Created)),
		Version:                 api.Ptr(rec.Version),
		CompatibleRuntimes:      rec.Runtimes,
		CompatibleArchitectures: rec.Archs,
		LicenseInfo:             optional(rec.License),
	}
}

// listItem renders a version as ListLayerVersions and ListLayers do.
func (rec *layerVersion) listItem(ref layerRef) lambdaapi.LayerVersionsListItem {
	ref.version = rec.Version
	return lambdaapi.LayerVersionsListItem{
		LayerVersionArn:         api.Ptr(ref.versionArn()),
		Version:                 api.Ptr(rec.Version),
		Description:             api.Ptr(rec.Description),
		CreatedDate:             api.Ptr(lastModified(rec.Created)),
		CompatibleRuntimes:      rec.Runtimes,
		CompatibleArchitectures: rec.Archs,
		LicenseInfo:             optional(rec.License),
	}
}

// getLayerVersion reads a version; callers in other accounts need the
// version's policy to let them (lambda:GetLayerVersion).
func getLayerVersion(tx store.Tx, ref layerRef, caller scope) (*layerVersion, error) {
	var rec layerVersion
	ok, err := store.GetJSON(tx, layerVersionKey(ref.ns(), ref.name, ref.version), &rec)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, layerNotFound()
	}
	if caller.account != ref.account && !layerShared(tx, ref, caller.account) {
		return nil, accessDenied("User: arn:aws:iam::%s:root is not authorized to perform: lambda:GetLayerVersion on resource: %s", caller.account, ref.versionArn())
	}
	return &rec, nil
}

// layerShared reports whether the version's policy grants account
// lambda:GetLayerVersion (an organization condition is taken as met:
// kiri has no organizations).
func layerShared(tx store.Tx, ref layerRef, account string) bool {
	var p policyRecord
	if ok, err := store.GetJSON(tx, layerPolicyKey(ref), &p); err != nil || !ok {
		return false
	}
	for _, st := range p.Statements {
		if st.Action != "lambda:GetLayerVersion" && st.Action != "lambda:*" {
			continue
		}
		switch pr := st.Principal.(type) {
		case string:
			if pr == "*" {
				return true
			}
		case map[string]any:
			if pr["AWS"] == "arn:aws:iam::"+account+":root" {
				return true
			}
		}
	}
	return false
}

// GetLayerVersion returns a version of a layer.
func (s *Service) GetLayerVersion(ctx context.Context, in *lambdaapi.GetLayerVersionRequest) (*lambdaapi.GetLayerVersionResponse, error) {
	ref, err := s.resolveLayerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	ref.version = api.Deref(in.VersionNumber)
	return s.getLayerVersionOut(ctx, ref)
}

func (s *Service) getLayerVersionOut(ctx context.Context, ref layerRef) (*lambdaapi.GetLayerVersionResponse, error) {
	var rec *layerVersion
	err := s.st.View(func(tx store.Tx) error {
		var err error
		rec, err = getLayerVersion(tx, ref, s.scopeOf(ctx))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.layerVersionOut(ref, rec), nil
}

// GetLayerVersionByArn returns a version of a layer named by its ARN.
func (s *Service) GetLayerVersionByArn(ctx context.Context, in *lambdaapi.GetLayerVersionByArnRequest) (*lambdaapi.GetLayerVersionResponse, error) {
	ref, ok := parseLayerVersionArn(api.Deref(in.Arn))
	if !ok {
		return nil, lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%s' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+", api.Deref(in.Arn))
	}
	return s.getLayerVersionOut(ctx, ref)
}

// layerMatches applies ListLayers' and ListLayerVersions' filters.
func (rec *layerVersion) matches(runtime, arch string) bool {
	if runtime != "" && !slices.Contains(rec.Runtimes, runtime) {
		return false
	}
	return arch == "" || slices.Contains(rec.Archs, arch)
}

// ListLayerVersions lists a layer's versions, newest first. Marker is the
// version number to resume at.
func (s *Service) ListLayerVersions(ctx context.Context, in *lambdaapi.ListLayerVersionsRequest) (*lambdaapi.ListLayerVersionsResponse, error) {
	ref, err := s.resolveLayerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	if ref.scope != s.scopeOf(ctx) {
		return nil, accessDenied("kiri: layers of other accounts cannot be listed.")
	}
	var recs []*layerVersion
	err = s.st.View(func(tx store.Tx) error {
		return tx.Scan(ref.ns().Prefix("layer", ref.name), nil, func(_, v []byte) error {
			var rec layerVersion
			if err := jsonDecode(v, &rec); err != nil {
				return err
			}
			if rec.matches(api.Deref(in.CompatibleRuntime), api.Deref(in.CompatibleArchitecture)) {
				recs = append(recs, &rec)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(recs)
	var from int64 = -1
	if m := api.Deref(in.Marker); m != "" {
		if from, err = strconv.ParseInt(m, 10, 64); err != nil {
			return nil, lambdaapi.NewInvalidParameterValueException("Invalid marker: %s", m)
		}
	}
	page := newPager(nil, in.MaxItems)
	out := &lambdaapi.ListLayerVersionsResponse{LayerVersions: []lambdaapi.LayerVersionsListItem{}}
	for _, rec := range recs {
		if from >= 0 && rec.Version > from {
			continue
		}
		if !page.take(strconv.FormatInt(rec.Version, 10)) {
			break
		}
		out.LayerVersions = append(out.LayerVersions, rec.listItem(ref))
	}
	out.NextMarker = page.next
	return out, nil
}

// ListLayers lists the account's layers by name, each with its newest
// version that matches the filters. Marker is the name to resume at.
func (s *Service) ListLayers(ctx context.Context, in *lambdaapi.ListLayersRequest) (*lambdaapi.ListLayersResponse, error) {
	sc := s.scopeOf(ctx)
	rt, arch := api.Deref(in.CompatibleRuntime), api.Deref(in.CompatibleArchitecture)
	latestOf := map[string]*layerVersion{}
	var names []string
	err := s.st.View(func(tx store.Tx) error {
		return tx.Scan(sc.ns().Prefix("layer"), nil, func(_, v []byte) error {
			var rec layerVersion
			if err := jsonDecode(v, &rec); err != nil {
				return err
			}
			if !rec.matches(rt, arch) {
				return nil
			}
			if _, seen := latestOf[rec.Name]; !seen {
				names = append(names, rec.Name)
			}
			latestOf[rec.Name] = &rec // ascending versions: the last wins
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	page := newPager(nil, in.MaxItems)
	marker := api.Deref(in.Marker)
	out := &lambdaapi.ListLayersResponse{Layers: []lambdaapi.LayersListItem{}}
	for _, name := range names {
		if name < marker {
			continue
		}
		if !page.take(name) {
			break
		}
		ref := layerRef{scope: sc, name: name}
		item := latestOf[name].listItem(ref)
		out.Layers = append(out.Layers, lambdaapi.LayersListItem{LayerName: api.Ptr(name), LayerArn: api.Ptr(ref.layerArn()), LatestMatchingVersion: &item})
	}
	out.NextMarker = page.next
	return out, nil
}

// DeleteLayerVersion deletes a version and its permissions. Deleting a
// version that does not exist succeeds, as on AWS. Functions already
// configured with the version keep their copy of its content (see
// layerMount), as functions on AWS keep working.
func (s *Service) DeleteLayerVersion(ctx context.Context, in *lambdaapi.DeleteLayerVersionRequest) (*lambdaapi.DeleteLayerVersionOutput, error) {
	ref, err := s.resolveLayerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	if ref.scope != s.scopeOf(ctx) {
		return nil, accessDenied("kiri: layers of other accounts cannot be deleted.")
	}
	ref.version = api.Deref(in.VersionNumber)
	var rec layerVersion
	found := false
	err = s.st.Update(func(tx store.Tx) error {
		ok, err := store.GetJSON(tx, layerVersionKey(ref.ns(), ref.name, ref.version), &rec)
		if err != nil || !ok {
			return err
		}
		found = true
		if err := tx.Delete(layerPolicyKey(ref)); err != nil {
			return err
		}
		return tx.Delete(layerVersionKey(ref.ns(), ref.name, ref.version))
	})
	if err != nil {
		return nil, err
	}
	if found {
		s.dropCode(ref.scope, layersDirName, rec.Rev)
	}
	return &lambdaapi.DeleteLayerVersionOutput{}, nil
}

// AddLayerVersionPermission grants an account, or every account (of an
// organization), use of a layer version.
func (s *Service) AddLayerVersionPermission(ctx context.Context, in *lambdaapi.AddLayerVersionPermissionRequest) (*lambdaapi.AddLayerVersionPermissionResponse, error) {
	ref, err := s.resolveLayerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	ref.version = api.Deref(in.VersionNumber)
	action, principal, org := api.Deref(in.Action), api.Deref(in.Principal), api.Deref(in.OrganizationId)
	if action != "lambda:GetLayerVersion" {
		return nil, lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion", action)
	}
	if principal != "*" && !accountPattern.MatchString(principal) && !strings.HasPrefix(principal, "arn:aws:iam::") {
		return nil, lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%s' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root", principal)
	}
	if org != "" && principal != "*" {
		return nil, lambdaapi.NewInvalidParameterValueException("OrganizationId can only be specified when principal is '*'.")
	}
	sid := api.Deref(in.StatementId)
	st := statement{Sid: sid, Effect: "Allow", Principal: principalOf(principal), Action: action, Resource: ref.versionArn()}
	if org != "" {
		st.Condition = map[string]map[string]string{"StringEquals": {"aws:PrincipalOrgID": org}}
	}
	var p policyRecord
	err = s.st.Update(func(tx store.Tx) error {
		if _, ok := tx.Get(layerVersionKey(ref.ns(), ref.name, ref.version)); !ok {
			return layerNotFound()
		}
		if _, err := store.GetJSON(tx, layerPolicyKey(ref), &p); err != nil {
			return err
		}
		if p.RevisionID != "" {
			if err := checkRevision(in.RevisionId, p.RevisionID); err != nil {
				return err
			}
		}
		if indexSid(p.Statements, sid) >= 0 {
			return lambdaapi.NewResourceConflictException("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", sid)
		}
		p.Statements, p.RevisionID = append(p.Statements, st), request.NewID()
		return store.PutJSON(tx, layerPolicyKey(ref), &p)
	})
	if err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(st)
	return &lambdaapi.AddLayerVersionPermissionResponse{Statement: api.Ptr(string(doc)), RevisionId: api.Ptr(p.RevisionID)}, nil
}

// RemoveLayerVersionPermission removes a statement by its Sid.
func (s *Service) RemoveLayerVersionPermission(ctx context.Context, in *lambdaapi.RemoveLayerVersionPermissionRequest) (*lambdaapi.RemoveLayerVersionPermissionOutput, error) {
	ref, err := s.resolveLayerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	ref.version = api.Deref(in.VersionNumber)
	sid := api.Deref(in.StatementId)
	err = s.st.Update(func(tx store.Tx) error {
		if _, ok := tx.Get(layerVersionKey(ref.ns(), ref.name, ref.version)); !ok {
			return layerNotFound()
		}
		return removeStatement(tx, layerPolicyKey(ref), sid, in.RevisionId)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.RemoveLayerVersionPermissionOutput{}, nil
}

// GetLayerVersionPolicy returns a version's policy document.
func (s *Service) GetLayerVersionPolicy(ctx context.Context, in *lambdaapi.GetLayerVersionPolicyRequest) (*lambdaapi.GetLayerVersionPolicyResponse, error) {
	ref, err := s.resolveLayerName(ctx, in.LayerName)
	if err != nil {
		return nil, err
	}
	ref.version = api.Deref(in.VersionNumber)
	var p policyRecord
	err = s.st.View(func(tx store.Tx) error {
		if _, ok := tx.Get(layerVersionKey(ref.ns(), ref.name, ref.version)); !ok {
			return layerNotFound()
		}
		ok, err := store.GetJSON(tx, layerPolicyKey(ref), &p)
		if err == nil && !ok {
			err = lambdaapi.NewResourceNotFoundException("No policy is associated with the given resource.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	doc, err := p.document()
	if err != nil {
		return nil, err
	}
	return &lambdaapi.GetLayerVersionPolicyResponse{Policy: api.Ptr(doc), RevisionId: api.Ptr(p.RevisionID)}, nil
}

// accessDenied is Lambda's AccessDeniedException (403), which its model
// does not declare.
func accessDenied(format string, args ...any) error {
	return protocol.Errorf("AccessDeniedException", http.StatusForbidden, format, args...)
}
