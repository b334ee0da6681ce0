package lambda

import (
	"context"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/store"
)

// AWS's asynchronous-invocation defaults.
const (
	defaultMaxRetries = 2
	defaultMaxAge     = 6 * time.Hour
)

// eicRecord is the asynchronous-invocation configuration of a function
// version or alias.
type eicRecord struct {
	Qualifier    string                       `json:"qualifier"`
	MaxRetries   *int64                       `json:"maxRetries,omitempty"`
	MaxAge       *int64                       `json:"maxAge,omitempty"`
	Destinations *lambdaapi.DestinationConfig `json:"destinations,omitempty"`
	LastModified time.Time                    `json:"lastModified"`
}

// eicRef defaults the qualifier to $LATEST, as these operations do.
func eicRef(ref fnRef) fnRef {
	if ref.qualifier == "" {
		ref.qualifier = latest
	}
	return ref
}

func eicKey(ref fnRef) []byte { return ref.ns().Key("eic", ref.name, ref.qualifier) }

func (r *eicRecord) toAPI(ref fnRef) *lambdaapi.FunctionEventInvokeConfig {
	return &lambdaapi.FunctionEventInvokeConfig{
		LastModified: api.Ptr(r.LastModified), FunctionArn: api.Ptr(ref.scope.qualifiedArn(ref.name, r.Qualifier)),
		MaximumRetryAttempts: r.MaxRetries, MaximumEventAgeInSeconds: r.MaxAge, DestinationConfig: r.Destinations,
	}
}

func validateEIC(retries, age *int64) error {
	if retries != nil && (*retries < 0 || *retries > 2) {
		return lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%d' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value %s", *retries, bound(*retries < 0, "greater than or equal to 0", "less than or equal to 2"))
	}
	if age != nil && (*age < 60 || *age > 21600) {
		return lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%d' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value %s", *age, bound(*age < 60, "greater than or equal to 60", "less than or equal to 21600"))
	}
	return nil
}

func eicNotFound(ref fnRef) error {
	return lambdaapi.NewResourceNotFoundException("The function %s doesn't have an EventInvokeConfig", ref.qualifiedArn())
}

// PutFunctionEventInvokeConfig replaces the configuration.
func (s *Service) PutFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.PutFunctionEventInvokeConfigRequest) (*lambdaapi.FunctionEventInvokeConfig, error) {
	return s.writeEIC(ctx, in.FunctionName, in.Qualifier, false, func(r *eicRecord) {
		r.MaxRetries, r.MaxAge, r.Destinations = in.MaximumRetryAttempts, in.MaximumEventAgeInSeconds, in.DestinationConfig
	}, in.MaximumRetryAttempts, in.MaximumEventAgeInSeconds)
}

// UpdateFunctionEventInvokeConfig changes the members given.
func (s *Service) UpdateFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.UpdateFunctionEventInvokeConfigRequest) (*lambdaapi.FunctionEventInvokeConfig, error) {
	return s.writeEIC(ctx, in.FunctionName, in.Qualifier, true, func(r *eicRecord) {
		if in.MaximumRetryAttempts != nil {
			r.MaxRetries = in.MaximumRetryAttempts
		}
		if in.MaximumEventAgeInSeconds != nil {
			r.MaxAge = in.MaximumEventAgeInSeconds
		}
		if in.DestinationConfig != nil {
			r.Destinations = in.DestinationConfig
		}
	}, in.MaximumRetryAttempts, in.MaximumEventAgeInSeconds)
}

func (s *Service) writeEIC(ctx context.Context, name, qualifier *string, mustExist bool, change func(*eicRecord), retries, age *int64) (*lambdaapi.FunctionEventInvokeConfig, error) {
	if err := validateEIC(retries, age); err != nil {
		return nil, err
	}
	ref, err := s.resolveName(ctx, name, qualifier)
	if err != nil {
		return nil, err
	}
	ref = eicRef(ref)
	var out *lambdaapi.FunctionEventInvokeConfig
	err = s.st.Update(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		r := eicRecord{Qualifier: ref.qualifier}
		ok, err := store.GetJSON(tx, eicKey(ref), &r)
		if err != nil {
			return err
		}
		if !ok && mustExist {
			return eicNotFound(ref)
		}
		change(&r)
		r.LastModified = s.now()
		out = r.toAPI(ref)
		return store.PutJSON(tx, eicKey(ref), &r)
	})
	return out, err
}

// GetFunctionEventInvokeConfig returns the configuration.
func (s *Service) GetFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.GetFunctionEventInvokeConfigRequest) (*lambdaapi.FunctionEventInvokeConfig, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	ref = eicRef(ref)
	var out *lambdaapi.FunctionEventInvokeConfig
	err = s.st.View(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		var r eicRecord
		ok, err := store.GetJSON(tx, eicKey(ref), &r)
		if err == nil && !ok {
			err = eicNotFound(ref)
		}
		if err == nil {
			out = r.toAPI(ref)
		}
		return err
	})
	return out, err
}

// DeleteFunctionEventInvokeConfig deletes the configuration.
func (s *Service) DeleteFunctionEventInvokeConfig(ctx context.Context, in *lambdaapi.DeleteFunctionEventInvokeConfigRequest) (*lambdaapi.DeleteFunctionEventInvokeConfigOutput, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	ref = eicRef(ref)
	err = s.st.Update(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		if _, ok := tx.Get(eicKey(ref)); !ok {
			return eicNotFound(ref)
		}
		return tx.Delete(eicKey(ref))
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.DeleteFunctionEventInvokeConfigOutput{}, nil
}

// ListFunctionEventInvokeConfigs lists the configurations of a function's
// versions and aliases.
func (s *Service) ListFunctionEventInvokeConfigs(ctx context.Context, in *lambdaapi.ListFunctionEventInvokeConfigsRequest) (*lambdaapi.ListFunctionEventInvokeConfigsResponse, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	page := newPager(in.Marker, in.MaxItems)
	out := &lambdaapi.ListFunctionEventInvokeConfigsResponse{FunctionEventInvokeConfigs: []lambdaapi.FunctionEventInvokeConfig{}}
	err = s.st.View(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		return tx.Scan(ref.ns().Prefix("eic", ref.name), page.start(ref.ns(), "eic", ref.name), func(_, v []byte) error {
			var r eicRecord
			if err := jsonDecode(v, &r); err != nil {
				return err
			}
			if !page.take(r.Qualifier) {
				return store.ErrStop
			}
			out.FunctionEventInvokeConfigs = append(out.FunctionEventInvokeConfigs, *r.toAPI(ref))
			return nil
		})
	})
	out.NextMarker = page.next
	return out, err
}

// asyncPolicy is the retry policy for an asynchronous event on qualifier.
func asyncPolicy(tx store.Tx, ref fnRef) (retries int, maxAge time.Duration, dest *lambdaapi.DestinationConfig) {
	retries, maxAge = defaultMaxRetries, defaultMaxAge
	var r eicRecord
	if ok, _ := store.GetJSON(tx, eicKey(eicRef(ref)), &r); ok {
		if r.MaxRetries != nil {
			retries = int(*r.MaxRetries)
		}
		if r.MaxAge != nil {
			maxAge = time.Duration(*r.MaxAge) * time.Second
		}
		dest = r.Destinations
	}
	return retries, maxAge, dest
}
