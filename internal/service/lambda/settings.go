package lambda

import (
	"context"
	"maps"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/store"
)

// minUnreserved is the part of the account's concurrency that reservations
// may not take (AWS keeps 100 for functions without one).
const minUnreserved = 100

// TagResource adds tags to a function (Resource is its ARN).
func (s *Service) TagResource(ctx context.Context, in *lambdaapi.TagResourceRequest) (*lambdaapi.TagResourceOutput, error) {
	return &lambdaapi.TagResourceOutput{}, s.changeTags(ctx, in.Resource, func(tags map[string]string) { maps.Copy(tags, in.Tags) })
}

// UntagResource removes tags from a function.
func (s *Service) UntagResource(ctx context.Context, in *lambdaapi.UntagResourceRequest) (*lambdaapi.UntagResourceOutput, error) {
	return &lambdaapi.UntagResourceOutput{}, s.changeTags(ctx, in.Resource, func(tags map[string]string) {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
	})
}

func (s *Service) changeTags(ctx context.Context, resource *string, change func(map[string]string)) error {
	ref, err := s.unqualified(ctx, resource)
	if err != nil {
		return err
	}
	return s.st.Update(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		if f.Tags == nil {
			f.Tags = map[string]string{}
		}
		change(f.Tags)
		return store.PutJSON(tx, fnKey(ref.ns(), ref.name), f)
	})
}

// ListTags returns a function's tags.
func (s *Service) ListTags(ctx context.Context, in *lambdaapi.ListTagsRequest) (*lambdaapi.ListTagsResponse, error) {
	ref, err := s.unqualified(ctx, in.Resource)
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListTagsResponse{Tags: map[string]string{}}
	err = s.st.View(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err == nil {
			maps.Copy(out.Tags, f.Tags)
		}
		return err
	})
	return out, err
}

// PutFunctionConcurrency reserves concurrency for a function, keeping at
// least 100 unreserved in the account.
func (s *Service) PutFunctionConcurrency(ctx context.Context, in *lambdaapi.PutFunctionConcurrencyRequest) (*lambdaapi.Concurrency, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	want := api.Deref(in.ReservedConcurrentExecutions)
	err = s.st.Update(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		// Reservations and other functions' provisioned concurrency.
		others, err := committedConcurrency(tx, ref.scope, func(name, _ string) bool { return name == ref.name })
		if err != nil {
			return err
		}
		if int64(s.cfg.AccountConcurrency)-others-want < minUnreserved {
			return lambdaapi.NewInvalidParameterValueException("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
		}
		f.Reserved = &want
		return store.PutJSON(tx, fnKey(ref.ns(), ref.name), f)
	})
	if err != nil {
		return nil, err
	}
	// The engine reads the cap from runtime.Function at each invoke; no retire needed.
	return &lambdaapi.Concurrency{ReservedConcurrentExecutions: &want}, nil
}

func scanFunctions(tx store.Tx, sc scope, fn func(*functionRecord)) error {
	return tx.Scan(sc.ns().Prefix("fn"), nil, func(_, v []byte) error {
		var f functionRecord
		if err := jsonDecode(v, &f); err != nil {
			return err
		}
		fn(&f)
		return nil
	})
}

// GetFunctionConcurrency returns the reservation, if any.
func (s *Service) GetFunctionConcurrency(ctx context.Context, in *lambdaapi.GetFunctionConcurrencyRequest) (*lambdaapi.GetFunctionConcurrencyResponse, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.GetFunctionConcurrencyResponse{}
	err = s.st.View(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err == nil {
			out.ReservedConcurrentExecutions = f.Reserved
		}
		return err
	})
	return out, err
}

// DeleteFunctionConcurrency removes the reservation.
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, in *lambdaapi.DeleteFunctionConcurrencyRequest) (*lambdaapi.DeleteFunctionConcurrencyOutput, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx store.Tx) error {
		f, err := getFunction(tx, ref)
		if err != nil {
			return err
		}
		f.Reserved = nil
		return store.PutJSON(tx, fnKey(ref.ns(), ref.name), f)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.DeleteFunctionConcurrencyOutput{}, nil
}

// GetAccountSettings reports AWS's default quotas and the account's usage.
func (s *Service) GetAccountSettings(ctx context.Context, _ *lambdaapi.GetAccountSettingsRequest) (*lambdaapi.GetAccountSettingsResponse, error) {
	sc := s.scopeOf(ctx)
	var count, codeSize, reserved int64
	err := s.st.View(func(tx store.Tx) error {
		err := scanFunctions(tx, sc, func(f *functionRecord) {
			count++
			codeSize += f.Latest.CodeSize
			_ = scanVersions(tx, sc, f.Latest.Name, func(c *fnConfig) { codeSize += c.CodeSize })
		})
		if err != nil {
			return err
		}
		reserved, err = committedConcurrency(tx, sc, func(string, string) bool { return false })
		return err
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.GetAccountSettingsResponse{
		AccountLimit: &lambdaapi.AccountLimit{
			TotalCodeSize:                  api.Ptr(int64(80530636800)),
			CodeSizeUnzipped:               api.Ptr(int64(maxUnzipped)),
			CodeSizeZipped:                 api.Ptr(int64(maxZipped)),
			ConcurrentExecutions:           api.Ptr(int64(s.cfg.AccountConcurrency)),
			UnreservedConcurrentExecutions: api.Ptr(int64(s.cfg.AccountConcurrency) - reserved),
		},
		AccountUsage: &lambdaapi.AccountUsage{TotalCodeSize: &codeSize, FunctionCount: &count},
	}, nil
}
