package lambda

import (
	"context"
	"maps"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// aliasRecord is a named pointer to a version, optionally shifting some
// traffic to a second version (RoutingConfig).
type aliasRecord struct {
	Name        string             `json:"name"`
	Version     string             `json:"version"`
	Description string             `json:"description,omitempty"`
	Weights     map[string]float64 `json:"weights,omitempty"`
	RevisionID  string             `json:"revisionId"`
}

func aliasKey(ref fnRef, name string) []byte { return ref.ns().Key("alias", ref.name, name) }

func getAlias(tx store.Tx, ref fnRef, name string) (*aliasRecord, error) {
	var a aliasRecord
	ok, err := store.GetJSON(tx, aliasKey(ref, name), &a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, lambdaapi.NewResourceNotFoundException("Alias not found: %s", ref.scope.qualifiedArn(ref.name, name))
	}
	return &a, nil
}

func (a *aliasRecord) toAPI(ref fnRef) *lambdaapi.AliasConfiguration {
	out := &lambdaapi.AliasConfiguration{
		AliasArn: api.Ptr(ref.scope.qualifiedArn(ref.name, a.Name)), Name: api.Ptr(a.Name), FunctionVersion: api.Ptr(a.Version),
		Description: api.Ptr(a.Description), RevisionId: api.Ptr(a.RevisionID),
	}
	if len(a.Weights) > 0 {
		out.RoutingConfig = &lambdaapi.AliasRoutingConfiguration{AdditionalVersionWeights: maps.Clone(a.Weights)}
	}
	return out
}

// aliasUsing names an alias that routes traffic to version, if any.
func aliasUsing(tx store.Tx, ref fnRef, version string) (string, bool) {
	found := ""
	_ = tx.Scan(ref.ns().Prefix("alias", ref.name), nil, func(_, v []byte) error {
		var a aliasRecord
		if jsonDecode(v, &a) == nil {
			if _, weighted := a.Weights[version]; a.Version == version || weighted {
				found = a.Name
				return store.ErrStop
			}
		}
		return nil
	})
	return found, found != ""
}

// checkAliasTarget checks that the versions an alias routes to exist.
func checkAliasTarget(tx store.Tx, ref fnRef, f *functionRecord, a *aliasRecord) error {
	for _, v := range append([]string{a.Version}, keys(a.Weights)...) {
		if _, err := loadVersion(tx, fnRef{scope: ref.scope, name: ref.name, qualifier: v}, f, v); err != nil {
			return err
		}
	}
	for v, w := range a.Weights {
		if v == a.Version {
			return lambdaapi.NewInvalidParameterValueException("Invalid function version %s. Function version %s is already included in routing configuration.", v, v)
		}
		if w < 0 || w > 1 {
			return lambdaapi.NewInvalidParameterValueException("Invalid weight %v for version %s: weights must be between 0.0 and 1.0", w, v)
		}
	}
	return nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// CreateAlias names a version.
func (s *Service) CreateAlias(ctx context.Context, in *lambdaapi.CreateAliasRequest) (*lambdaapi.AliasConfiguration, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	name := api.Deref(in.Name)
	if isVersion(name) || name == latest || len(name) > 128 || !qualifierPattern.MatchString(name) {
		return nil, lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)", name)
	}
	a := &aliasRecord{Name: name, Version: api.Deref(in.FunctionVersion), Description: api.Deref(in.Description), RevisionID: request.NewID()}
	if in.RoutingConfig != nil {
		a.Weights = in.RoutingConfig.AdditionalVersionWeights
	}
	err = s.st.Update(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		if _, ok := tx.Get(aliasKey(ref, name)); ok {
			return lambdaapi.NewResourceConflictException("Alias already exists: %s", ref.scope.qualifiedArn(ref.name, name))
		}
		if err := checkAliasTarget(tx, ref, f, a); err != nil {
			return err
		}
		return store.PutJSON(tx, aliasKey(ref, name), a)
	})
	if err != nil {
		return nil, err
	}
	return a.toAPI(ref), nil
}

// GetAlias describes an alias.
func (s *Service) GetAlias(ctx context.Context, in *lambdaapi.GetAliasRequest) (*lambdaapi.AliasConfiguration, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.AliasConfiguration
	err = s.st.View(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		a, err := getAlias(tx, ref, api.Deref(in.Name))
		if err == nil {
			out = a.toAPI(ref)
		}
		return err
	})
	return out, err
}

// UpdateAlias repoints an alias; the runtime follows at the next invoke.
func (s *Service) UpdateAlias(ctx context.Context, in *lambdaapi.UpdateAliasRequest) (*lambdaapi.AliasConfiguration, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	var out *lambdaapi.AliasConfiguration
	moved := false
	err = s.st.Update(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		a, err := getAlias(tx, ref, api.Deref(in.Name))
		if err != nil {
			return err
		}
		if err := checkRevision(in.RevisionId, a.RevisionID); err != nil {
			return err
		}
		moved = in.FunctionVersion != nil && *in.FunctionVersion != a.Version
		setIf(&a.Version, in.FunctionVersion)
		setIf(&a.Description, in.Description)
		if in.RoutingConfig != nil {
			a.Weights = in.RoutingConfig.AdditionalVersionWeights
		}
		if err := checkAliasTarget(tx, ref, f, a); err != nil {
			return err
		}
		a.RevisionID = request.NewID()
		out = a.toAPI(ref)
		return store.PutJSON(tx, aliasKey(ref, a.Name), a)
	})
	if err == nil && moved {
		// Its provisioned environments move to the new version.
		s.reprovision(ref, api.Deref(in.Name))
	}
	return out, err
}

// DeleteAlias deletes an alias with its policy and event invoke config.
func (s *Service) DeleteAlias(ctx context.Context, in *lambdaapi.DeleteAliasRequest) (*lambdaapi.DeleteAliasOutput, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	name := api.Deref(in.Name)
	err = s.st.Update(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		// Deleting a missing alias succeeds on AWS.
		if err := tx.Delete(aliasKey(ref, name)); err != nil {
			return err
		}
		if err := tx.Delete(ref.ns().Key("policy", ref.name, name)); err != nil {
			return err
		}
		if err := tx.Delete(ref.ns().Key("url", ref.name, name)); err != nil {
			return err
		}
		if err := tx.Delete(pcKey(ref, name)); err != nil {
			return err
		}
		return tx.Delete(ref.ns().Key("eic", ref.name, name))
	})
	if err != nil {
		return nil, err
	}
	s.unprovision(ref, name)
	return &lambdaapi.DeleteAliasOutput{}, nil
}

// ListAliases lists a function's aliases by name, optionally only those
// pointing to FunctionVersion.
func (s *Service) ListAliases(ctx context.Context, in *lambdaapi.ListAliasesRequest) (*lambdaapi.ListAliasesResponse, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	page := newPager(in.Marker, in.MaxItems)
	out := &lambdaapi.ListAliasesResponse{Aliases: []lambdaapi.AliasConfiguration{}}
	err = s.st.View(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		return tx.Scan(ref.ns().Prefix("alias", ref.name), page.start(ref.ns(), "alias", ref.name), func(_, v []byte) error {
			var a aliasRecord
			if err := jsonDecode(v, &a); err != nil {
				return err
			}
			if in.FunctionVersion != nil && *in.FunctionVersion != a.Version {
				return nil
			}
			if !page.take(a.Name) {
				return store.ErrStop
			}
			out.Aliases = append(out.Aliases, *a.toAPI(ref))
			return nil
		})
	})
	out.NextMarker = page.next
	return out, err
}
