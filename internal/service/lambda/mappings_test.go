package lambda

import (
	"sync"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
)

// fakePoller records what the registry tells it.
type fakePoller struct {
	mu      sync.Mutex
	synced  map[string]EventSourceMapping
	removed []string
}

func (p *fakePoller) Sync(m EventSourceMapping) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.synced[m.UUID] = m
}

func (p *fakePoller) Remove(uuid string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.removed = append(p.removed, uuid)
}

func TestEventSourceMappings(t *testing.T) {
	e := newEnv(t)
	e.create(t, "mailworker")
	queue := "arn:aws:sqs:us-east-1:000000000000:mailsendqueue000"
	created, err := e.s.CreateEventSourceMapping(bg, &lambdaapi.CreateEventSourceMappingRequest{FunctionName: api.Ptr("mailworker"), EventSourceArn: api.Ptr(queue),
		FunctionResponseTypes: []string{"ReportBatchItemFailures"}})
	if err != nil {
		t.Fatal(err)
	}
	uuid := *created.UUID
	if *created.State != "Creating" || *created.BatchSize != 10 || *created.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:mailworker" {
		t.Errorf("created = %s %d %s", *created.State, *created.BatchSize, *created.FunctionArn)
	}
	_, err = e.s.CreateEventSourceMapping(bg, &lambdaapi.CreateEventSourceMappingRequest{FunctionName: api.Ptr("mailworker"), EventSourceArn: api.Ptr(queue)})
	wantErr(t, err, "ResourceConflictException")
	_, err = e.s.CreateEventSourceMapping(bg, &lambdaapi.CreateEventSourceMappingRequest{FunctionName: api.Ptr("nope"), EventSourceArn: api.Ptr(queue)})
	wantErr(t, err, "ResourceNotFoundException")
	badFilter := &lambdaapi.FilterCriteria{Filters: []lambdaapi.Filter{{Pattern: api.Ptr(`{"body":{"kind":"not a list"}}`)}}}
	_, err = e.s.CreateEventSourceMapping(bg, &lambdaapi.CreateEventSourceMappingRequest{FunctionName: api.Ptr("mailworker"),
		EventSourceArn: api.Ptr(queue + "2"), FilterCriteria: badFilter})
	wantErr(t, err, "InvalidParameterValueException")
	_, err = e.s.UpdateEventSourceMapping(bg, &lambdaapi.UpdateEventSourceMappingRequest{UUID: &uuid, FilterCriteria: badFilter})
	wantErr(t, err, "InvalidParameterValueException")

	// A poller registered later is told about the stored mapping.
	p := &fakePoller{synced: map[string]EventSourceMapping{}}
	e.s.RegisterPoller("sqs", p)
	if m := p.synced[uuid]; !m.Enabled || m.EventSourceArn != queue {
		t.Errorf("poller sync = %+v", m)
	}

	got, _ := e.s.GetEventSourceMapping(bg, &lambdaapi.GetEventSourceMappingRequest{UUID: &uuid})
	if *got.State != "Enabled" || got.FunctionResponseTypes[0] != "ReportBatchItemFailures" {
		t.Errorf("get = %+v", got)
	}
	upd, err := e.s.UpdateEventSourceMapping(bg, &lambdaapi.UpdateEventSourceMappingRequest{UUID: &uuid, Enabled: api.Ptr(false), BatchSize: api.Ptr(int64(5))})
	if err != nil || *upd.State != "Updating" || *upd.BatchSize != 5 {
		t.Fatalf("update = %+v, %v", upd, err)
	}
	if p.synced[uuid].Enabled {
		t.Error("poller not told the mapping was disabled")
	}
	got, _ = e.s.GetEventSourceMapping(bg, &lambdaapi.GetEventSourceMappingRequest{UUID: &uuid})
	if *got.State != "Disabled" {
		t.Errorf("state after disable = %s", *got.State)
	}
	list, _ := e.s.ListEventSourceMappings(bg, &lambdaapi.ListEventSourceMappingsRequest{FunctionName: api.Ptr("mailworker")})
	if len(list.EventSourceMappings) != 1 {
		t.Errorf("list = %d", len(list.EventSourceMappings))
	}
	del, err := e.s.DeleteEventSourceMapping(bg, &lambdaapi.DeleteEventSourceMappingRequest{UUID: &uuid})
	if err != nil || *del.State != "Deleting" || len(p.removed) != 1 {
		t.Fatalf("delete = %+v, %v, removed %v", del, err, p.removed)
	}
	_, err = e.s.GetEventSourceMapping(bg, &lambdaapi.GetEventSourceMappingRequest{UUID: &uuid})
	wantErr(t, err, "ResourceNotFoundException")
}
