package lambda

import (
	"context"
	"strconv"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/store"
)

// publish snapshots $LATEST as the next version, or returns nil when
// $LATEST has not changed since the last version.
func publish(f *functionRecord, description string, now time.Time) *fnConfig {
	if f.LastVersion > 0 && f.PublishedRevision == f.Latest.RevisionID {
		return nil
	}
	f.LastVersion++
	f.PublishedRevision = f.Latest.RevisionID
	v := f.Latest
	v.Version = strconv.Itoa(f.LastVersion)
	v.LastModified = now
	if description != "" {
		v.Description = description
	}
	return &v
}

// PublishVersion creates version n+1 from $LATEST; publishing again
// without changes returns the last version.
func (s *Service) PublishVersion(ctx context.Context, in *lambdaapi.PublishVersionRequest) (*lambdaapi.FunctionConfiguration, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	var out *fnConfig
	err = s.st.Update(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		if err := checkRevision(in.RevisionId, f.Latest.RevisionID); err != nil {
			return err
		}
		if sha := api.Deref(in.CodeSha256); sha != "" && sha != f.Latest.CodeSha256 {
			return lambdaapi.NewInvalidParameterValueException("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST(%s). Please try again with the CodeSHA256 in $LATEST.", sha, f.Latest.CodeSha256)
		}
		if out = publish(f, api.Deref(in.Description), s.now()); out == nil {
			out = new(fnConfig)
			_, err := store.GetJSON(tx, versionKey(ref.ns(), ref.name, strconv.Itoa(f.LastVersion)), out)
			return err
		}
		if err := store.PutJSON(tx, versionKey(ref.ns(), ref.name, out.Version), out); err != nil {
			return err
		}
		return store.PutJSON(tx, fnKey(ref.ns(), ref.name), f)
	})
	if err != nil {
		return nil, err
	}
	return out.toAPI(ref.scope), nil
}

// ListVersionsByFunction lists $LATEST and then the versions in order.
func (s *Service) ListVersionsByFunction(ctx context.Context, in *lambdaapi.ListVersionsByFunctionRequest) (*lambdaapi.ListVersionsByFunctionResponse, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	var all []*fnConfig
	err = s.st.View(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		all = append(all, &f.Latest)
		return scanVersions(tx, ref.scope, ref.name, func(c *fnConfig) { all = append(all, c) })
	})
	if err != nil {
		return nil, err
	}
	page := newPager(in.Marker, in.MaxItems)
	out := &lambdaapi.ListVersionsByFunctionResponse{Versions: []lambdaapi.FunctionConfiguration{}}
	started := page.marker == ""
	for _, c := range all {
		started = started || c.Version == page.marker
		if !started {
			continue
		}
		if !page.take(c.Version) {
			break
		}
		out.Versions = append(out.Versions, *c.toAPI(ref.scope))
	}
	out.NextMarker = page.next
	return out, nil
}

// scanVersions visits a function's published versions in order.
func scanVersions(tx store.Tx, sc scope, name string, fn func(*fnConfig)) error {
	return tx.Scan(sc.ns().Prefix("ver", name), nil, func(_, v []byte) error {
		var c fnConfig
		if err := jsonDecode(v, &c); err != nil {
			return err
		}
		fn(&c)
		return nil
	})
}

// resolveVersion finds the configuration a qualifier names: $LATEST (or
// none), a published version, or the version an alias points to.
func resolveVersion(tx store.Tx, ref fnRef) (*functionRecord, *fnConfig, error) {
	f, err := getFunction(tx, ref)
	if err != nil {
		return nil, nil, err
	}
	version := ref.qualifier
	if version != "" && version != latest && !isVersion(version) {
		a, err := getAlias(tx, ref, version)
		if err != nil {
			return nil, nil, functionNotFound(ref)
		}
		version = a.Version
	}
	c, err := loadVersion(tx, ref, f, version)
	return f, c, err
}

func loadVersion(tx store.Tx, ref fnRef, f *functionRecord, version string) (*fnConfig, error) {
	if version == "" || version == latest {
		return &f.Latest, nil
	}
	var c fnConfig
	ok, err := store.GetJSON(tx, versionKey(ref.ns(), ref.name, version), &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, functionNotFound(ref)
	}
	return &c, nil
}

// runtimeKeyPrefix is the prefix of the runtime Keys of one version of a
// function; the full Key appends the RevisionId, which changes with every
// update, so that a change starts fresh environments.
func runtimeKeyPrefix(sc scope, name, version string) string {
	return sc.functionArn(name) + ":" + version + ":"
}
