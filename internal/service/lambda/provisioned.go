package lambda

import (
	"context"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
	"github.com/kiricloud/kiri/internal/store"
)

// Provisioned concurrency: the configuration is stored here (pc/<name>/<qualifier>)
// and the engine keeps that many initialized environments of the version
// (an alias's: the version it points to) while it exists. Status comes from
// the engine: IN_PROGRESS until they all finished init, READY, or FAILED
// when init failed. With an alias whose RoutingConfig splits traffic, kiri
// provisions the alias's main version only.

// pcRecord is one provisioned concurrency configuration.
type pcRecord struct {
	Name         string    `json:"name"`
	Qualifier    string    `json:"qualifier"` // a version or an alias
	Requested    int64     `json:"requested"`
	LastModified time.Time `json:"lastModified"`
}

func pcKey(ref fnRef, qualifier string) []byte { return ref.ns().Key("pc", ref.name, qualifier) }

func pcNotFound() error {
	return lambdaapi.NewProvisionedConcurrencyConfigNotFoundException("No Provisioned Concurrency Config found for this function")
}

// provisioner is the engine's provisioning, nil when the Invoker has none.
func (s *Service) provisioner() runtime.Provisioner {
	p, _ := s.invoker.(runtime.Provisioner)
	return p
}

// PutProvisionedConcurrencyConfig allocates provisioned concurrency to a
// version or alias (never $LATEST), out of the function's reservation when
// it has one, else out of the account's unreserved concurrency.
func (s *Service) PutProvisionedConcurrencyConfig(ctx context.Context, in *lambdaapi.PutProvisionedConcurrencyConfigRequest) (*lambdaapi.PutProvisionedConcurrencyConfigResponse, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	n := api.Deref(in.ProvisionedConcurrentExecutions)
	if n < 1 {
		return nil, lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%d' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1", n)
	}
	rec := &pcRecord{Name: ref.name, Qualifier: ref.qualifier, Requested: n, LastModified: s.now()}
	err = s.st.Update(func(tx store.Tx) error {
		f, c, err := resolveVersion(tx, ref)
		if err != nil {
			return err
		}
		if ref.qualifier == "" || c.Version == latest {
			return lambdaapi.NewInvalidParameterValueException("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
		}
		if err := checkProvisionedOverlap(tx, ref, c.Version); err != nil {
			return err
		}
		if err := s.checkProvisionedLimits(tx, ref, f, n); err != nil {
			return err
		}
		return store.PutJSON(tx, pcKey(ref, ref.qualifier), rec)
	})
	if err != nil {
		return nil, err
	}
	s.provision(ref, rec)
	v := s.pcView(ref, rec)
	return &lambdaapi.PutProvisionedConcurrencyConfigResponse{
		RequestedProvisionedConcurrentExecutions: v.RequestedProvisionedConcurrentExecutions,
		AvailableProvisionedConcurrentExecutions: v.AvailableProvisionedConcurrentExecutions,
		AllocatedProvisionedConcurrentExecutions: v.AllocatedProvisionedConcurrentExecutions,
		Status:                                   v.Status, StatusReason: v.StatusReason, LastModified: v.LastModified,
	}, nil
}

// checkProvisionedOverlap refuses a configuration on an alias whose version
// has its own, and on a version that an alias with one points to.
func checkProvisionedOverlap(tx store.Tx, ref fnRef, version string) error {
	if !isVersion(ref.qualifier) {
		if _, ok := tx.Get(pcKey(ref, version)); ok {
			return lambdaapi.NewResourceConflictException("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version")
		}
		return nil
	}
	conflict := false
	err := tx.Scan(ref.ns().Prefix("alias", ref.name), nil, func(_, v []byte) error {
		var a aliasRecord
		if err := jsonDecode(v, &a); err != nil {
			return err
		}
		if _, ok := tx.Get(pcKey(ref, a.Name)); ok && a.Version == version {
			conflict = true
			return store.ErrStop
		}
		return nil
	})
	if err == nil && conflict {
		err = lambdaapi.NewResourceConflictException("Version is pointed by a Provisioned Concurrency alias")
	}
	return err
}

// checkProvisionedLimits keeps n within the function's reservation, or
// within the account's unreserved concurrency less the 100 AWS keeps free.
func (s *Service) checkProvisionedLimits(tx store.Tx, ref fnRef, f *functionRecord, n int64) error {
	if f.Reserved != nil {
		own, err := committedConcurrency(tx, ref.scope, func(name, q string) bool { return name != ref.name || q == "" || q == ref.qualifier })
		if err != nil {
			return err
		}
		if own+n > *f.Reserved {
			return lambdaapi.NewInvalidParameterValueException("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function")
		}
		return nil
	}
	others, err := committedConcurrency(tx, ref.scope, func(name, q string) bool { return name == ref.name && q == ref.qualifier })
	if err != nil {
		return err
	}
	unreserved := int64(s.cfg.AccountConcurrency) - others
	if n > unreserved {
		return lambdaapi.NewInvalidParameterValueException("Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [%d].", unreserved)
	}
	if unreserved-n < minUnreserved {
		return lambdaapi.NewInvalidParameterValueException("Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
	}
	return nil
}

// committedConcurrency sums what the account has set aside: reservations
// (qualifier ""), and the provisioned concurrency of functions without a
// reservation (a reservation already holds its function's). skip leaves
// some out.
func committedConcurrency(tx store.Tx, sc scope, skip func(name, qualifier string) bool) (int64, error) {
	reserved := map[string]bool{}
	var total int64
	err := scanFunctions(tx, sc, func(f *functionRecord) {
		if f.Reserved == nil {
			return
		}
		reserved[f.Latest.Name] = true
		if !skip(f.Latest.Name, "") {
			total += *f.Reserved
		}
	})
	if err != nil {
		return 0, err
	}
	err = tx.Scan(sc.ns().Prefix("pc"), nil, func(_, v []byte) error {
		var r pcRecord
		if err := jsonDecode(v, &r); err != nil {
			return err
		}
		if (!reserved[r.Name] || skip(r.Name, "")) && !skip(r.Name, r.Qualifier) {
			total += r.Requested
		}
		return nil
	})
	return total, err
}

// provision hands the configuration to the engine, for the version the
// qualifier names now.
func (s *Service) provision(ref fnRef, rec *pcRecord) {
	p := s.provisioner()
	if p == nil {
		return
	}
	ref.qualifier = rec.Qualifier
	var t *target
	err := s.st.View(func(tx store.Tx) error {
		f, c, err := resolveVersion(tx, ref)
		if err == nil {
			t = &target{ref: ref, cfg: c, reserved: f.Reserved}
		}
		return err
	})
	if err != nil {
		s.log.Warn("lambda: provisioned concurrency not applied", "function", ref.qualifiedArn(), "error", err)
		return
	}
	p.Provision(ref.qualifiedArn(), s.runtimeFunction(t), int(rec.Requested))
}

// reprovision follows an alias to its new version (AWS re-provisions too).
func (s *Service) reprovision(ref fnRef, alias string) {
	var rec pcRecord
	ok := false
	_ = s.st.View(func(tx store.Tx) (err error) {
		ok, err = store.GetJSON(tx, pcKey(ref, alias), &rec)
		return err
	})
	if ok {
		s.provision(ref, &rec)
	}
}

// replayProvisioned provisions again, at start, every stored configuration
// of every account and region.
func (s *Service) replayProvisioned() {
	if s.provisioner() == nil {
		return
	}
	type item struct {
		ref fnRef
		rec pcRecord
	}
	var items []item
	root := store.Namespace{}
	_ = s.st.View(func(tx store.Tx) error {
		return tx.Scan(root.Prefix("lambda"), nil, func(k, v []byte) error {
			parts, ok := root.Parts(k)
			if !ok || len(parts) != 6 || parts[3] != "pc" || parts[1] == "" {
				return nil
			}
			var r pcRecord
			if jsonDecode(v, &r) == nil {
				items = append(items, item{fnRef{scope: scope{account: parts[1], region: parts[2]}, name: r.Name}, r})
			}
			return nil
		})
	})
	for _, it := range items {
		s.provision(it.ref, &it.rec)
	}
}

// pcView renders a configuration with the engine's progress.
func (s *Service) pcView(ref fnRef, rec *pcRecord) *lambdaapi.ProvisionedConcurrencyConfigListItem {
	status, reason, allocated := lambdaapi.ProvisionedConcurrencyStatusEnumReady, "", rec.Requested
	if p := s.provisioner(); p != nil {
		st, ok := p.Provisioned(ref.scope.qualifiedArn(ref.name, rec.Qualifier))
		allocated = int64(st.Allocated)
		switch {
		case ok && st.Failed != "":
			status, reason = lambdaapi.ProvisionedConcurrencyStatusEnumFailed, st.Failed
		case !ok || allocated < rec.Requested:
			status = lambdaapi.ProvisionedConcurrencyStatusEnumInProgress
		}
	}
	return &lambdaapi.ProvisionedConcurrencyConfigListItem{
		FunctionArn:                              api.Ptr(ref.scope.qualifiedArn(ref.name, rec.Qualifier)),
		RequestedProvisionedConcurrentExecutions: api.Ptr(rec.Requested),
		AllocatedProvisionedConcurrentExecutions: api.Ptr(allocated),
		AvailableProvisionedConcurrentExecutions: api.Ptr(allocated),
		Status:                                   api.Ptr(status),
		StatusReason:                             optional(reason),
		LastModified:                             api.Ptr(rec.LastModified.UTC().Format("2006-01-02T15:04:05-0700")),
	}
}

// getPC reads the configuration ref's qualifier names.
func (s *Service) getPC(ref fnRef) (*pcRecord, error) {
	var rec pcRecord
	err := s.st.View(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		ok, err := store.GetJSON(tx, pcKey(ref, ref.qualifier), &rec)
		if err == nil && !ok {
			err = pcNotFound()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// GetProvisionedConcurrencyConfig describes a version's or alias's configuration.
func (s *Service) GetProvisionedConcurrencyConfig(ctx context.Context, in *lambdaapi.GetProvisionedConcurrencyConfigRequest) (*lambdaapi.GetProvisionedConcurrencyConfigResponse, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	rec, err := s.getPC(ref)
	if err != nil {
		return nil, err
	}
	v := s.pcView(ref, rec)
	return &lambdaapi.GetProvisionedConcurrencyConfigResponse{
		RequestedProvisionedConcurrentExecutions: v.RequestedProvisionedConcurrentExecutions,
		AvailableProvisionedConcurrentExecutions: v.AvailableProvisionedConcurrentExecutions,
		AllocatedProvisionedConcurrentExecutions: v.AllocatedProvisionedConcurrentExecutions,
		Status:                                   v.Status, StatusReason: v.StatusReason, LastModified: v.LastModified,
	}, nil
}

// DeleteProvisionedConcurrencyConfig removes a configuration and stops its environments.
func (s *Service) DeleteProvisionedConcurrencyConfig(ctx context.Context, in *lambdaapi.DeleteProvisionedConcurrencyConfigRequest) (*lambdaapi.DeleteProvisionedConcurrencyConfigOutput, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		if _, ok := tx.Get(pcKey(ref, ref.qualifier)); !ok {
			return pcNotFound()
		}
		return tx.Delete(pcKey(ref, ref.qualifier))
	})
	if err != nil {
		return nil, err
	}
	s.unprovision(ref, ref.qualifier)
	return &lambdaapi.DeleteProvisionedConcurrencyConfigOutput{}, nil
}

func (s *Service) unprovision(ref fnRef, qualifier string) {
	if p := s.provisioner(); p != nil {
		p.Unprovision(ref.scope.qualifiedArn(ref.name, qualifier))
	}
}

// ListProvisionedConcurrencyConfigs lists a function's configurations by qualifier.
func (s *Service) ListProvisionedConcurrencyConfigs(ctx context.Context, in *lambdaapi.ListProvisionedConcurrencyConfigsRequest) (*lambdaapi.ListProvisionedConcurrencyConfigsResponse, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	page := newPager(in.Marker, in.MaxItems)
	var recs []pcRecord
	err = s.st.View(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		return tx.Scan(ref.ns().Prefix("pc", ref.name), page.start(ref.ns(), "pc", ref.name), func(_, v []byte) error {
			var r pcRecord
			if err := jsonDecode(v, &r); err != nil {
				return err
			}
			if !page.take(r.Qualifier) {
				return store.ErrStop
			}
			recs = append(recs, r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.ListProvisionedConcurrencyConfigsResponse{ProvisionedConcurrencyConfigs: []lambdaapi.ProvisionedConcurrencyConfigListItem{}, NextMarker: page.next}
	for i := range recs {
		out.ProvisionedConcurrencyConfigs = append(out.ProvisionedConcurrencyConfigs, *s.pcView(ref, &recs[i]))
	}
	return out, nil
}
