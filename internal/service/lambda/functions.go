package lambda

import (
	"context"
	"maps"
	"os"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// CreateFunction stores a function and its package. The function is
// usable at once: the response says State Pending (StateReasonCode
// Creating) as AWS's does, and every later read says Active, so clients
// that wait (the SDKs' FunctionActiveV2 waiter) and clients that do not
// both work.
func (s *Service) CreateFunction(ctx context.Context, in *lambdaapi.CreateFunctionRequest) (*lambdaapi.FunctionConfiguration, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, nil)
	if err != nil {
		return nil, err
	}
	if ref.qualifier != "" {
		return nil, lambdaapi.NewInvalidParameterValueException("Unsupported function name: %s", api.Deref(in.FunctionName))
	}
	if api.Deref(in.PackageType) == lambdaapi.PackageTypeImage {
		return nil, lambdaapi.NewInvalidParameterValueException("kiri: container image functions (PackageType Image) are not supported.")
	}
	cfg := newConfig(in)
	cfg.LastModified = s.now()
	if err := s.validateConfig(ctx, cfg, true); err != nil {
		return nil, err
	}
	layers, err := s.prepareFunctionLayers(ctx, ref.scope, cfg.Layers)
	if err != nil {
		return nil, err
	}
	cfg.LayerSizes = layerSizes(layers)
	code, err := s.storeCode(ref.scope, ref.name, in.Code)
	if err != nil {
		return nil, err
	}
	if err := checkCombinedSize(s.codeDir(ref.scope, ref.name, code.Rev), layers); err != nil {
		s.dropCode(ref.scope, ref.name, code.Rev)
		return nil, err
	}
	cfg.CodeSha256, cfg.CodeSize, cfg.CodeRev = code.Sha256, code.Size, code.Rev
	rec := &functionRecord{Latest: *cfg, Tags: in.Tags}
	var published *fnConfig
	err = s.st.Update(func(tx store.Tx) error {
		if _, ok := tx.Get(fnKey(ref.ns(), ref.name)); ok {
			return lambdaapi.NewResourceConflictException("Function already exist: %s", ref.name)
		}
		if api.Deref(in.Publish) {
			published = publish(rec, "", s.now())
			if err := store.PutJSON(tx, versionKey(ref.ns(), ref.name, published.Version), published); err != nil {
				return err
			}
		}
		return store.PutJSON(tx, fnKey(ref.ns(), ref.name), rec)
	})
	if err != nil {
		s.dropCode(ref.scope, ref.name, code.Rev)
		return nil, err
	}
	if _, err := s.buildLayerMount(ref.scope, ref.name, cfg.Layers, layers); err != nil {
		s.log.Warn("lambda: merging layers failed", "function", ref.name, "error", err)
	}
	out := rec.Latest.toAPI(ref.scope)
	if published != nil {
		out = published.toAPI(ref.scope)
	}
	out.State, out.StateReason, out.StateReasonCode = api.Ptr(lambdaapi.StatePending), api.Ptr("The function is being created."), api.Ptr(lambdaapi.StateReasonCodeCreating)
	return out, nil
}

// newConfig is $LATEST as CreateFunction describes it, with AWS's defaults.
func newConfig(in *lambdaapi.CreateFunctionRequest) *fnConfig {
	c := &fnConfig{
		Name: functionNameOf(api.Deref(in.FunctionName)), Version: latest, Runtime: api.Deref(in.Runtime), Role: api.Deref(in.Role), Handler: api.Deref(in.Handler),
		Description: api.Deref(in.Description), Timeout: 3, MemorySize: 128, RevisionID: request.NewID(),
		KMSKeyArn: api.Deref(in.KMSKeyArn), Arch: in.Architectures, Layers: in.Layers,
	}
	if in.Timeout != nil {
		c.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		c.MemorySize = *in.MemorySize
	}
	applyCommon(c, in.Environment, in.DeadLetterConfig, in.TracingConfig, in.VpcConfig, in.EphemeralStorage, in.LoggingConfig)
	return c
}

// applyCommon sets the optional settings CreateFunction and
// UpdateFunctionConfiguration share; nil leaves a setting as it is.
func applyCommon(c *fnConfig, env *lambdaapi.Environment, dlq *lambdaapi.DeadLetterConfig, tr *lambdaapi.TracingConfig,
	vpc *lambdaapi.VpcConfig, eph *lambdaapi.EphemeralStorage, lg *lambdaapi.LoggingConfig) {
	if env != nil {
		c.Env = maps.Clone(env.Variables)
	}
	if dlq != nil {
		c.DeadLetter = api.Deref(dlq.TargetArn)
	}
	if tr != nil {
		c.Tracing = api.Deref(tr.Mode)
	}
	if vpc != nil {
		c.Subnets, c.SecGroups = vpc.SubnetIds, vpc.SecurityGroupIds
	}
	if eph != nil {
		c.Ephemeral = api.Deref(eph.Size)
	}
	if lg != nil {
		c.LogFormat, c.LogGroup = api.Deref(lg.LogFormat), api.Deref(lg.LogGroup)
	}
}

// GetFunction returns a version's configuration with the function's tags
// and reserved concurrency, and where to download the package.
func (s *Service) GetFunction(ctx context.Context, in *lambdaapi.GetFunctionRequest) (*lambdaapi.GetFunctionResponse, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	var out lambdaapi.GetFunctionResponse
	err = s.st.View(func(tx store.Tx) error {
		f, cfg, err := resolveVersion(tx, ref)
		if err != nil {
			return err
		}
		out.Configuration = cfg.toAPI(ref.scope)
		out.Code = &lambdaapi.FunctionCodeLocation{RepositoryType: api.Ptr("S3"), Location: api.Ptr(s.codeLocation(ref.scope, ref.name, cfg.CodeRev))}
		if len(f.Tags) > 0 {
			out.Tags = maps.Clone(f.Tags)
		}
		if f.Reserved != nil {
			out.Concurrency = &lambdaapi.Concurrency{ReservedConcurrentExecutions: f.Reserved}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// codeLocation is the download URL of a package; kiri's app serves it from
// CodePath(account, region, name, rev).
func (s *Service) codeLocation(sc scope, name, rev string) string {
	return s.cfg.Endpoint + "/_kiri/lambda/code/" + sc.account + "/" + sc.region + "/" + name + "/" + rev + ".zip"
}

// CodePath is the file holding an uploaded package, for the gateway to
// serve GetFunction's Code.Location.
func (s *Service) CodePath(account, region, name, rev string) string {
	return s.codeDir(scope{account: account, region: region}, name, rev) + ".zip"
}

// GetFunctionConfiguration returns a version's (or an alias's) configuration.
func (s *Service) GetFunctionConfiguration(ctx context.Context, in *lambdaapi.GetFunctionConfigurationRequest) (*lambdaapi.FunctionConfiguration, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.FunctionConfiguration
	err = s.st.View(func(tx store.Tx) error {
		_, cfg, err := resolveVersion(tx, ref)
		if err == nil {
			out = cfg.toAPI(ref.scope)
		}
		return err
	})
	return out, err
}

// ListFunctions lists $LATEST of every function by name, or every version
// too with FunctionVersion ALL. Marker is the name to resume at.
func (s *Service) ListFunctions(ctx context.Context, in *lambdaapi.ListFunctionsRequest) (*lambdaapi.ListFunctionsResponse, error) {
	sc := s.scopeOf(ctx)
	all := api.Deref(in.FunctionVersion) == lambdaapi.FunctionVersionAll
	page := newPager(in.Marker, in.MaxItems)
	out := &lambdaapi.ListFunctionsResponse{Functions: []lambdaapi.FunctionConfiguration{}}
	err := s.st.View(func(tx store.Tx) error {
		return tx.Scan(sc.ns().Prefix("fn"), page.start(sc.ns(), "fn"), func(k, v []byte) error {
			var f functionRecord
			if err := jsonDecode(v, &f); err != nil {
				return err
			}
			if !page.take(f.Latest.Name) {
				return store.ErrStop
			}
			out.Functions = append(out.Functions, *f.Latest.toAPI(sc))
			if all {
				return scanVersions(tx, sc, f.Latest.Name, func(c *fnConfig) { out.Functions = append(out.Functions, *c.toAPI(sc)) })
			}
			return nil
		})
	})
	out.NextMarker = page.next
	return out, err
}

// DeleteFunction deletes a function with everything that belongs to it,
// or, with a version qualifier, that version alone.
func (s *Service) DeleteFunction(ctx context.Context, in *lambdaapi.DeleteFunctionRequest) (*lambdaapi.DeleteFunctionOutput, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	switch {
	case ref.qualifier == latest:
		return nil, lambdaapi.NewInvalidParameterValueException("$LATEST version cannot be deleted without deleting the function.")
	case ref.qualifier != "" && !isVersion(ref.qualifier):
		return nil, lambdaapi.NewInvalidParameterValueException("Deletion of aliases is not supported.")
	case ref.qualifier != "":
		return &lambdaapi.DeleteFunctionOutput{}, s.deleteVersion(ref)
	}
	err = s.st.Update(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		for _, p := range [][]byte{fnKey(ref.ns(), ref.name), ref.ns().Prefix("ver", ref.name), ref.ns().Prefix("alias", ref.name),
			ref.ns().Prefix("policy", ref.name), ref.ns().Prefix("eic", ref.name), ref.ns().Prefix("url", ref.name),
			ref.ns().Prefix("pc", ref.name), ref.ns().Prefix("rtm", ref.name)} {
			if err := deletePrefix(tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.invoker.Retire(ref.arn() + ":")
	_ = os.RemoveAll(s.functionDir(ref.scope, ref.name))
	return &lambdaapi.DeleteFunctionOutput{}, nil
}

func (s *Service) deleteVersion(ref fnRef) error {
	err := s.st.Update(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		key := versionKey(ref.ns(), ref.name, ref.qualifier)
		if _, ok := tx.Get(key); !ok {
			return functionNotFound(ref)
		}
		if alias, ok := aliasUsing(tx, ref, ref.qualifier); ok {
			return lambdaapi.NewResourceConflictException("Unable to delete version because the following aliases reference it: [%s]", alias)
		}
		if err := deletePrefix(tx, ref.ns().Key("policy", ref.name, ref.qualifier)); err != nil {
			return err
		}
		if err := tx.Delete(ref.ns().Key("eic", ref.name, ref.qualifier)); err != nil {
			return err
		}
		// Its provisioned environments go with Retire below.
		if err := tx.Delete(pcKey(ref, ref.qualifier)); err != nil {
			return err
		}
		if err := tx.Delete(rtmKey(ref, ref.qualifier)); err != nil {
			return err
		}
		return tx.Delete(key)
	})
	if err == nil {
		s.invoker.Retire(ref.arn() + ":" + ref.qualifier + ":")
	}
	return err
}

// deletePrefix deletes every key under p (p itself included).
func deletePrefix(tx store.Tx, p []byte) error {
	var keys [][]byte
	if err := tx.Scan(p, nil, func(k, _ []byte) error {
		keys = append(keys, append([]byte(nil), k...))
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
