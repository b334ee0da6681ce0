package main

import (
	"github.com/kiricloud/kiri/internal/model"
)

// SQS switched its model from the query protocol to awsJson 1.0 in late
// 2023 (aws-sdk-go v1.47.x → v1.48). AWS still answers query requests, and
// older SDKs and tools send nothing else, so kiri serves both from one set of
// Go types: the query model is the current model — its member names are the
// ones the Go types carry — with the query serialisation traits of the old
// model laid over it wherever the old model has the same shape or member.

// copyErrorCodes gives the current model's error shapes the codes and
// statuses of the old model. A query-compatible JSON service reports the
// query code in the x-amzn-query-error header ("AWS.SimpleQueueService.
// NonExistentQueue;Sender"), so the JSON model needs them as well.
func copyErrorCodes(api, old *model.API) {
	for name, s := range api.Shapes {
		if o, ok := old.Shapes[name]; ok && o.Error != nil && (s.Exception || s.Fault) {
			e := *o.Error
			s.Error = &e
		}
	}
}

// overlayQuery turns a (trimmed, private) copy of the current model into the
// query model: the old model's metadata (protocol, XML namespace), its
// output result wrappers, and its XML names and flattening.
func overlayQuery(api, old *model.API) {
	api.Metadata = old.Metadata
	for name, op := range api.Operations {
		o, ok := old.Operations[name]
		if !ok || op.Output == nil || o.Output == nil {
			continue
		}
		if o.Output.ResultWrapper != "" {
			op.Output.ResultWrapper = o.Output.ResultWrapper
		}
	}
	for name, s := range api.Shapes {
		o, ok := old.Shapes[name]
		if !ok {
			continue
		}
		if o.LocationName != "" {
			s.LocationName = o.LocationName
		}
		if o.XMLNamespace != nil {
			s.XMLNamespace = o.XMLNamespace
		}
		s.Flattened = s.Flattened || o.Flattened
		if o.Error != nil {
			e := *o.Error
			s.Error = &e
		}
		for _, m := range s.Members {
			overlayRef(m.ShapeRef, o.Members.Get(m.Name))
		}
		overlayRef(s.Member, o.Member)
		overlayRef(s.Key, o.Key)
		overlayRef(s.Value, o.Value)
	}
}

// overlayRef copies the query traits of a reference. The shape it points
// to may have been renamed (Integer became NullableInteger); the traits
// belong to the member, so they carry over regardless.
func overlayRef(r, o *model.ShapeRef) {
	if r == nil || o == nil {
		return
	}
	if o.LocationName != "" {
		r.LocationName = o.LocationName
	}
	if o.QueryName != "" {
		r.QueryName = o.QueryName
	}
	if o.XMLNamespace != nil {
		r.XMLNamespace = o.XMLNamespace
	}
	r.Flattened = r.Flattened || o.Flattened
	r.XMLAttribute = r.XMLAttribute || o.XMLAttribute
}
