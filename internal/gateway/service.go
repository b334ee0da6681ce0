package gateway

import (
	"strings"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
)

// Service is one AWS service as the gateway sees it: how to recognise its
// requests, its model, and the handlers of the operations kiri implements.
type Service struct {
	Name         string // kiri's name for it, e.g. "iam", "dynamodbstreams"
	SigningName  string // the SigV4 credential-scope service, e.g. "iam", "ses", "iotdata"
	TargetPrefix string // X-Amz-Target prefix of the JSON protocols, e.g. "DynamoDB_20120810"
	// Protocol, APIVersion and EndpointPrefix repeat the model's metadata so
	// routing needs no model parsed: models load on a service's first call.
	Protocol       string
	APIVersion     string
	EndpointPrefix string
	// OperationCount is the number of operations in the model.
	OperationCount int
	Model          func() *model.API
	// QueryModel is a second model in the query protocol for a service that
	// also answers old clients in it (SQS); nil for all others.
	QueryModel func() *model.API
	// Handlers run the implemented operations, by operation name. An
	// operation of the model without a handler answers 501.
	Handlers map[string]protocol.Handler
	// Global services (IAM, STS) keep one state per account, whatever region
	// a client signs for.
	Global bool
}

// Implemented counts the operations the service implements.
func (s *Service) Implemented() int { return len(s.Handlers) }

// registry finds services by the clues a request carries.
type registry struct {
	all       []*Service
	byName    map[string]*Service
	bySigning map[string][]*Service
	byTarget  map[string]*Service
	byVersion map[string]*Service // query protocols: the form's Version field
	byPrefix  map[string]*Service // endpoint prefix, for host-based routing
}

func newRegistry(services []*Service) *registry {
	r := &registry{
		all:       services,
		byName:    map[string]*Service{},
		bySigning: map[string][]*Service{},
		byTarget:  map[string]*Service{},
		byVersion: map[string]*Service{},
		byPrefix:  map[string]*Service{},
	}
	for _, s := range services {
		r.byName[s.Name] = s
		r.bySigning[s.SigningName] = append(r.bySigning[s.SigningName], s)
		if s.TargetPrefix != "" {
			r.byTarget[s.TargetPrefix] = s
		}
		if s.QueryModel != nil || s.Protocol == "query" || s.Protocol == "ec2" {
			r.byVersion[s.APIVersion] = s
		}
		r.byPrefix[s.EndpointPrefix] = s
	}
	return r
}

// byTargetHeader resolves "DynamoDB_20120810.GetItem" to its service.
func (r *registry) byTargetHeader(target string) *Service {
	prefix, _, ok := strings.Cut(target, ".")
	if !ok {
		return nil
	}
	return r.byTarget[prefix]
}

// bySigningName resolves a credential-scope service. DynamoDB and DynamoDB
// Streams share "dynamodb"; the target header tells them apart before this
// is asked, so the first registered wins here.
func (r *registry) bySigningName(name string) *Service {
	if s := r.bySigning[name]; len(s) > 0 {
		return s[0]
	}
	return nil
}
