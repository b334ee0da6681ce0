package lambda

import (
	"context"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// UpdateFunctionCode replaces $LATEST's package (and publishes a version
// with Publish). Warm environments of the old $LATEST are retired.
func (s *Service) UpdateFunctionCode(ctx context.Context, in *lambdaapi.UpdateFunctionCodeRequest) (*lambdaapi.FunctionConfiguration, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	if api.Deref(in.DryRun) {
		return s.dryRunCode(ref)
	}
	code, err := s.storeCode(ref.scope, ref.name, &lambdaapi.FunctionCode{ZipFile: in.ZipFile, S3Bucket: in.S3Bucket, S3Key: in.S3Key, ImageUri: in.ImageUri})
	if err != nil {
		return nil, err
	}
	out, old, err := s.updateLatest(ref, in.RevisionId, api.Deref(in.Publish), func(c *fnConfig) error {
		c.CodeSha256, c.CodeSize, c.CodeRev = code.Sha256, code.Size, code.Rev
		if len(in.Architectures) > 0 {
			c.Arch = in.Architectures
		}
		return nil
	})
	if err != nil {
		s.dropCode(ref.scope, ref.name, code.Rev)
		return nil, err
	}
	s.dropUnusedCode(ref, old.CodeRev)
	return out, nil
}

func (s *Service) dryRunCode(ref fnRef) (*lambdaapi.FunctionConfiguration, error) {
	var out *lambdaapi.FunctionConfiguration
	err := s.st.View(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err == nil {
			out = f.Latest.toAPI(ref.scope)
		}
		return err
	})
	return out, err
}

// dropUnusedCode removes the package $LATEST no longer uses unless a
// published version still runs it.
func (s *Service) dropUnusedCode(ref fnRef, rev string) {
	used := false
	_ = s.st.View(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		used = f.Latest.CodeRev == rev
		return scanVersions(tx, ref.scope, ref.name, func(c *fnConfig) { used = used || c.CodeRev == rev })
	})
	if !used {
		s.dropCode(ref.scope, ref.name, rev)
	}
}

// UpdateFunctionConfiguration changes $LATEST's settings; omitted members
// keep their values.
func (s *Service) UpdateFunctionConfiguration(ctx context.Context, in *lambdaapi.UpdateFunctionConfigurationRequest) (*lambdaapi.FunctionConfiguration, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	if in.Role != nil {
		// Checked outside the transaction: RoleByArn opens its own.
		if err := s.validateRole(ctx, *in.Role); err != nil {
			return nil, err
		}
	}
	if err := s.validateUpdatedVpcRole(ctx, ref, in); err != nil {
		return nil, err
	}
	var layers []usedLayer
	if in.Layers != nil {
		if layers, err = s.prepareFunctionLayers(ctx, ref.scope, in.Layers); err != nil {
			return nil, err
		}
	}
	out, _, err := s.updateLatest(ref, in.RevisionId, false, func(c *fnConfig) error {
		setIf(&c.Role, in.Role)
		setIf(&c.Handler, in.Handler)
		setIf(&c.Description, in.Description)
		setIf(&c.Timeout, in.Timeout)
		setIf(&c.MemorySize, in.MemorySize)
		setIf(&c.Runtime, in.Runtime)
		setIf(&c.KMSKeyArn, in.KMSKeyArn)
		if in.Layers != nil {
			if err := checkCombinedSize(s.codeDir(ref.scope, ref.name, c.CodeRev), layers); err != nil {
				return err
			}
			c.Layers, c.LayerSizes = in.Layers, layerSizes(layers)
		}
		applyCommon(c, in.Environment, in.DeadLetterConfig, in.TracingConfig, in.VpcConfig, in.EphemeralStorage, in.LoggingConfig)
		return s.validateConfig(ctx, c, false)
	})
	if err == nil && in.Layers != nil {
		if _, err := s.buildLayerMount(ref.scope, ref.name, in.Layers, layers); err != nil {
			s.log.Warn("lambda: merging layers failed", "function", ref.name, "error", err)
		}
		s.dropUnusedLayerMounts(ref)
	}
	return out, err
}

// validateUpdatedVpcRole checks the network permissions of the role that
// an update leaves a VPC function with, when the update changes the role
// or the VPC settings. Like validateRole it runs before the update's
// transaction, so the settings the update keeps are read first.
func (s *Service) validateUpdatedVpcRole(ctx context.Context, ref fnRef, in *lambdaapi.UpdateFunctionConfigurationRequest) error {
	if s.cfg.IAM == nil || (in.Role == nil && in.VpcConfig == nil) {
		return nil
	}
	role, subnets := api.Deref(in.Role), []string(nil)
	if in.VpcConfig != nil {
		subnets = in.VpcConfig.SubnetIds
	}
	if in.Role == nil || in.VpcConfig == nil {
		err := s.st.View(func(tx store.Tx) error {
			f, err := getFunction(tx, ref)
			if err != nil {
				return err
			}
			if in.Role == nil {
				role = f.Latest.Role
			}
			if in.VpcConfig == nil {
				subnets = f.Latest.Subnets
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return s.validateVpcRole(ctx, role, subnets)
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// unqualified resolves a name that must not carry a qualifier (the
// operations that only change $LATEST).
func (s *Service) unqualified(ctx context.Context, name *string) (fnRef, error) {
	ref, err := s.resolveName(ctx, name, nil)
	if err == nil && ref.qualifier != "" {
		err = lambdaapi.NewInvalidParameterValueException("Unsupported function name: %s", api.Deref(name))
	}
	return ref, err
}

// updateLatest applies change to $LATEST in one transaction, checking
// RevisionId, and gives the new configuration (or the published version)
// and the old one. Every change gets a new RevisionId, and so a new
// runtime Key: the old $LATEST environments are retired.
func (s *Service) updateLatest(ref fnRef, revisionID *string, publishToo bool, change func(*fnConfig) error) (*lambdaapi.FunctionConfiguration, fnConfig, error) {
	var out *lambdaapi.FunctionConfiguration
	var old fnConfig
	err := s.st.Update(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		if err := checkRevision(revisionID, f.Latest.RevisionID); err != nil {
			return err
		}
		old = f.Latest
		if err := change(&f.Latest); err != nil {
			return err
		}
		f.Latest.RevisionID, f.Latest.LastModified = request.NewID(), s.now()
		out = f.Latest.toAPI(ref.scope)
		out.LastUpdateStatus = api.Ptr(lambdaapi.LastUpdateStatusInProgress)
		if publishToo {
			if v := publish(f, "", s.now()); v != nil {
				if err := store.PutJSON(tx, versionKey(ref.ns(), ref.name, v.Version), v); err != nil {
					return err
				}
				out = v.toAPI(ref.scope)
			}
		}
		return store.PutJSON(tx, fnKey(ref.ns(), ref.name), f)
	})
	if err != nil {
		return nil, old, err
	}
	s.invoker.Retire(runtimeKeyPrefix(ref.scope, ref.name, latest))
	return out, old, nil
}

func checkRevision(given *string, current string) error {
	if given != nil && *given != current {
		return lambdaapi.NewPreconditionFailedException("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	return nil
}
