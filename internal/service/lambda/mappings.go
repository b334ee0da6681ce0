package lambda

import (
	"context"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

// Poller reads one kind of event source — an SQS queue, a Kinesis stream,
// a DynamoDB stream — on behalf of event source mappings and delivers
// batches by calling the service's Invoke (RequestResponse) with the
// mapping's FunctionArn. The SQS, Kinesis and DynamoDB services register
// one each with RegisterPoller; until then mappings are stored only.
//
// Sync and Remove must return quickly (start or stop a goroutine); they
// are called after the change is durable, and Sync is called again for
// every stored mapping when the poller registers, so a restart resumes
// polling.
type Poller interface {
	// Sync starts, reconfigures or (Enabled false) pauses polling for m.
	Sync(m EventSourceMapping)
	// Remove stops polling for a deleted mapping.
	Remove(uuid string)
}

// EventSourceMapping is a mapping as a Poller needs it.
type EventSourceMapping struct {
	UUID, Account, Region string
	FunctionArn           string // possibly qualified (version or alias)
	EventSourceArn        string
	Enabled               bool
	Config                lambdaapi.EventSourceMappingConfiguration // every setting, as stored
}

// RegisterPoller attaches p to the event sources whose ARN names service
// ("sqs", "kinesis", "dynamodb") and syncs the mappings already stored.
func (s *Service) RegisterPoller(service string, p Poller) {
	s.pollersMu.Lock()
	s.pollers[service] = p
	s.pollersMu.Unlock()
	_ = s.st.View(func(tx store.Tx) error {
		return tx.Scan(globalNS.Prefix("esm"), nil, func(_, v []byte) error {
			var m esmRecord
			if jsonDecode(v, &m) == nil && sourceService(api.Deref(m.Config.EventSourceArn)) == service {
				p.Sync(m.public())
			}
			return nil
		})
	})
}

func (s *Service) poller(arn string) Poller {
	s.pollersMu.Lock()
	defer s.pollersMu.Unlock()
	return s.pollers[sourceService(arn)]
}

func sourceService(arn string) string {
	if parts := strings.SplitN(arn, ":", 4); len(parts) >= 3 {
		return parts[2]
	}
	return ""
}

// esmRecord is a stored mapping. Mappings live in the account-less
// namespace (esm/<uuid>) so pollers can be synced across accounts; Account
// and Region scope them for the API.
type esmRecord struct {
	Account string                                    `json:"account"`
	Region  string                                    `json:"region"`
	Enabled bool                                      `json:"enabled"`
	Config  lambdaapi.EventSourceMappingConfiguration `json:"config"`
}

func (m *esmRecord) public() EventSourceMapping {
	return EventSourceMapping{UUID: api.Deref(m.Config.UUID), Account: m.Account, Region: m.Region, FunctionArn: api.Deref(m.Config.FunctionArn),
		EventSourceArn: api.Deref(m.Config.EventSourceArn), Enabled: m.Enabled, Config: m.Config}
}

// view is the mapping as the API shows it, in a transitional state
// (Creating, Updating, Deleting) or the settled one.
func (m *esmRecord) view(state string) *lambdaapi.EventSourceMappingConfiguration {
	c := m.Config
	if state == "" {
		state = "Disabled"
		if m.Enabled {
			state = "Enabled"
		}
	}
	c.State = api.Ptr(state)
	return &c
}

func esmKey(uuid string) []byte { return globalNS.Key("esm", uuid) }

func getMapping(tx store.Tx, sc scope, uuid string) (*esmRecord, error) {
	var m esmRecord
	ok, err := store.GetJSON(tx, esmKey(uuid), &m)
	if err != nil {
		return nil, err
	}
	if !ok || m.Account != sc.account || m.Region != sc.region {
		return nil, lambdaapi.NewResourceNotFoundException("The resource you requested does not exist.")
	}
	return &m, nil
}

// defaultBatchSize is AWS's default per source type.
func defaultBatchSize(arn string) int64 {
	if sourceService(arn) == "sqs" {
		return 10
	}
	return 100 // Kinesis, DynamoDB Streams, MQ, Kafka
}

// CreateEventSourceMapping stores a mapping; it reports State Creating and
// is Enabled (or Disabled) from the next read on.
func (s *Service) CreateEventSourceMapping(ctx context.Context, in *lambdaapi.CreateEventSourceMappingRequest) (*lambdaapi.EventSourceMappingConfiguration, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, nil)
	if err != nil {
		return nil, err
	}
	source := api.Deref(in.EventSourceArn)
	if source == "" {
		return nil, lambdaapi.NewInvalidParameterValueException("kiri: EventSourceArn is required (self-managed Kafka sources are not supported)")
	}
	if _, err := CompileFilters(in.FilterCriteria); err != nil {
		return nil, err
	}
	m := &esmRecord{Account: ref.account, Region: ref.region, Enabled: in.Enabled == nil || *in.Enabled}
	m.Config = lambdaapi.EventSourceMappingConfiguration{
		UUID: api.Ptr(request.NewID()), EventSourceArn: &source, FunctionArn: api.Ptr(ref.qualifiedArn()),
		BatchSize: api.Ptr(defaultBatchSize(source)), MaximumBatchingWindowInSeconds: api.Ptr(int64(0)),
		StartingPosition: in.StartingPosition, StartingPositionTimestamp: in.StartingPositionTimestamp,
		FilterCriteria: in.FilterCriteria, DestinationConfig: in.DestinationConfig, FunctionResponseTypes: in.FunctionResponseTypes,
		MaximumRecordAgeInSeconds: in.MaximumRecordAgeInSeconds, BisectBatchOnFunctionError: in.BisectBatchOnFunctionError,
		MaximumRetryAttempts: in.MaximumRetryAttempts, ParallelizationFactor: in.ParallelizationFactor,
		TumblingWindowInSeconds: in.TumblingWindowInSeconds, ScalingConfig: in.ScalingConfig, Topics: in.Topics, Queues: in.Queues,
		LastModified: api.Ptr(s.now()), LastProcessingResult: api.Ptr("No records processed"), StateTransitionReason: api.Ptr("USER_INITIATED"),
	}
	if in.BatchSize != nil {
		m.Config.BatchSize = in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		m.Config.MaximumBatchingWindowInSeconds = in.MaximumBatchingWindowInSeconds
	}
	err = s.st.Update(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		if dup := findMapping(tx, ref.scope, source, api.Deref(m.Config.FunctionArn)); dup != "" {
			return lambdaapi.NewResourceConflictException("An event source mapping with event source (\"%s\") and function (\"%s\") already exists. Please update or delete the existing mapping with UUID %s", source, ref.name, dup)
		}
		return store.PutJSON(tx, esmKey(*m.Config.UUID), m)
	})
	if err != nil {
		return nil, err
	}
	s.syncPoller(m)
	return m.view("Creating"), nil
}

// findMapping returns the UUID of the mapping of source to function, if any.
func findMapping(tx store.Tx, sc scope, source, function string) string {
	found := ""
	_ = scanMappings(tx, sc, func(m *esmRecord) bool {
		if api.Deref(m.Config.EventSourceArn) == source && api.Deref(m.Config.FunctionArn) == function {
			found = api.Deref(m.Config.UUID)
			return false
		}
		return true
	})
	return found
}

func scanMappings(tx store.Tx, sc scope, fn func(*esmRecord) bool) error {
	return tx.Scan(globalNS.Prefix("esm"), nil, func(_, v []byte) error {
		var m esmRecord
		if err := jsonDecode(v, &m); err != nil || m.Account != sc.account || m.Region != sc.region {
			return err
		}
		if !fn(&m) {
			return store.ErrStop
		}
		return nil
	})
}

func (s *Service) syncPoller(m *esmRecord) {
	if p := s.poller(api.Deref(m.Config.EventSourceArn)); p != nil {
		p.Sync(m.public())
	}
}

// GetEventSourceMapping describes a mapping.
func (s *Service) GetEventSourceMapping(ctx context.Context, in *lambdaapi.GetEventSourceMappingRequest) (*lambdaapi.EventSourceMappingConfiguration, error) {
	sc := s.scopeOf(ctx)
	var m *esmRecord
	err := s.st.View(func(tx store.Tx) (err error) {
		m, err = getMapping(tx, sc, api.Deref(in.UUID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return m.view(""), nil
}

// UpdateEventSourceMapping changes the settings given; it reports State Updating.
func (s *Service) UpdateEventSourceMapping(ctx context.Context, in *lambdaapi.UpdateEventSourceMappingRequest) (*lambdaapi.EventSourceMappingConfiguration, error) {
	sc := s.scopeOf(ctx)
	if _, err := CompileFilters(in.FilterCriteria); err != nil {
		return nil, err
	}
	var fnArn *string
	var fref fnRef
	if in.FunctionName != nil {
		ref, err := s.resolveName(ctx, in.FunctionName, nil)
		if err != nil {
			return nil, err
		}
		fref, fnArn = ref, api.Ptr(ref.qualifiedArn())
	}
	var m *esmRecord
	err := s.st.Update(func(tx store.Tx) (err error) {
		if m, err = getMapping(tx, sc, api.Deref(in.UUID)); err != nil {
			return err
		}
		if fnArn != nil {
			if err := checkQualifierExists(tx, fref); err != nil {
				return err
			}
			m.Config.FunctionArn = fnArn
		}
		applyMappingUpdate(m, in)
		m.Config.LastModified = api.Ptr(s.now())
		return store.PutJSON(tx, esmKey(api.Deref(in.UUID)), m)
	})
	if err != nil {
		return nil, err
	}
	s.syncPoller(m)
	return m.view("Updating"), nil
}

func applyMappingUpdate(m *esmRecord, in *lambdaapi.UpdateEventSourceMappingRequest) {
	c := &m.Config
	if in.Enabled != nil {
		m.Enabled = *in.Enabled
	}
	for dst, v := range map[**int64]*int64{
		&c.BatchSize: in.BatchSize, &c.MaximumBatchingWindowInSeconds: in.MaximumBatchingWindowInSeconds,
		&c.MaximumRecordAgeInSeconds: in.MaximumRecordAgeInSeconds, &c.MaximumRetryAttempts: in.MaximumRetryAttempts,
		&c.ParallelizationFactor: in.ParallelizationFactor, &c.TumblingWindowInSeconds: in.TumblingWindowInSeconds,
	} {
		if v != nil {
			*dst = v
		}
	}
	if in.FilterCriteria != nil {
		// An empty criteria object (no Filters) removes the filters.
		c.FilterCriteria = in.FilterCriteria
		if len(in.FilterCriteria.Filters) == 0 {
			c.FilterCriteria = nil
		}
	}
	if in.DestinationConfig != nil {
		c.DestinationConfig = in.DestinationConfig
	}
	if in.BisectBatchOnFunctionError != nil {
		c.BisectBatchOnFunctionError = in.BisectBatchOnFunctionError
	}
	if in.FunctionResponseTypes != nil {
		c.FunctionResponseTypes = in.FunctionResponseTypes
	}
	if in.ScalingConfig != nil {
		c.ScalingConfig = in.ScalingConfig
	}
}

// DeleteEventSourceMapping deletes a mapping; it reports State Deleting.
func (s *Service) DeleteEventSourceMapping(ctx context.Context, in *lambdaapi.DeleteEventSourceMappingRequest) (*lambdaapi.EventSourceMappingConfiguration, error) {
	sc := s.scopeOf(ctx)
	var m *esmRecord
	err := s.st.Update(func(tx store.Tx) (err error) {
		if m, err = getMapping(tx, sc, api.Deref(in.UUID)); err != nil {
			return err
		}
		return tx.Delete(esmKey(api.Deref(in.UUID)))
	})
	if err != nil {
		return nil, err
	}
	if p := s.poller(api.Deref(m.Config.EventSourceArn)); p != nil {
		p.Remove(api.Deref(in.UUID))
	}
	return m.view("Deleting"), nil
}

// ListEventSourceMappings lists mappings, optionally of one source and/or
// function. Marker is the UUID to resume at.
func (s *Service) ListEventSourceMappings(ctx context.Context, in *lambdaapi.ListEventSourceMappingsRequest) (*lambdaapi.ListEventSourceMappingsResponse, error) {
	sc := s.scopeOf(ctx)
	var fnArn string
	if in.FunctionName != nil {
		ref, err := s.resolveName(ctx, in.FunctionName, nil)
		if err != nil {
			return nil, err
		}
		sc, fnArn = ref.scope, ref.qualifiedArn()
	}
	page := newPager(in.Marker, in.MaxItems)
	out := &lambdaapi.ListEventSourceMappingsResponse{EventSourceMappings: []lambdaapi.EventSourceMappingConfiguration{}}
	started := page.marker == ""
	err := s.st.View(func(tx store.Tx) error {
		return scanMappings(tx, sc, func(m *esmRecord) bool {
			uuid := api.Deref(m.Config.UUID)
			started = started || uuid == page.marker
			if !started || (fnArn != "" && api.Deref(m.Config.FunctionArn) != fnArn) ||
				(in.EventSourceArn != nil && api.Deref(m.Config.EventSourceArn) != *in.EventSourceArn) {
				return true
			}
			if !page.take(uuid) {
				return false
			}
			out.EventSourceMappings = append(out.EventSourceMappings, *m.view(""))
			return true
		})
	})
	out.NextMarker = page.next
	return out, err
}
