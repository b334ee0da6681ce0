package main

import (
	"slices"

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
//
// Error shapes added after the switch are in no query model; their codes
// come from the @awsQueryError traits of AWS's Smithy model, which win
// where both exist.
func copyErrorCodes(api, old *model.API) {
	for name, s := range api.Shapes {
		if !s.Exception && !s.Fault {
			continue
		}
		if e, ok := awsQueryErrors[name]; ok {
			s.Error = &e
		} else if o, ok := old.Shapes[name]; ok && o.Error != nil {
			e := *o.Error
			s.Error = &e
		}
	}
}

// awsQueryErrors are SQS's @awsQueryError traits (code and status), as in
// the Smithy model that aws-sdk-go-v2/service/sqs/schemas is built from.
var awsQueryErrors = map[string]model.ErrorInfo{
	"BatchEntryIdsNotDistinct":     {Code: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", HTTPStatusCode: 400, SenderFault: true},
	"BatchRequestTooLong":          {Code: "AWS.SimpleQueueService.BatchRequestTooLong", HTTPStatusCode: 400, SenderFault: true},
	"EmptyBatchRequest":            {Code: "AWS.SimpleQueueService.EmptyBatchRequest", HTTPStatusCode: 400, SenderFault: true},
	"InvalidAddress":               {Code: "InvalidAddress", HTTPStatusCode: 404, SenderFault: true},
	"InvalidBatchEntryId":          {Code: "AWS.SimpleQueueService.InvalidBatchEntryId", HTTPStatusCode: 400, SenderFault: true},
	"InvalidSecurity":              {Code: "InvalidSecurity", HTTPStatusCode: 403, SenderFault: true},
	"KmsAccessDenied":              {Code: "KMS.AccessDeniedException", HTTPStatusCode: 400, SenderFault: true},
	"KmsDisabled":                  {Code: "KMS.DisabledException", HTTPStatusCode: 400, SenderFault: true},
	"KmsInvalidKeyUsage":           {Code: "KMS.InvalidKeyUsageException", HTTPStatusCode: 400, SenderFault: true},
	"KmsInvalidState":              {Code: "KMS.InvalidStateException", HTTPStatusCode: 400, SenderFault: true},
	"KmsNotFound":                  {Code: "KMS.NotFoundException", HTTPStatusCode: 400, SenderFault: true},
	"KmsOptInRequired":             {Code: "KMS.OptInRequired", HTTPStatusCode: 403, SenderFault: true},
	"KmsThrottled":                 {Code: "KMS.ThrottlingException", HTTPStatusCode: 400, SenderFault: true},
	"MessageNotInflight":           {Code: "AWS.SimpleQueueService.MessageNotInflight", HTTPStatusCode: 400, SenderFault: true},
	"OverLimit":                    {Code: "OverLimit", HTTPStatusCode: 403, SenderFault: true},
	"PurgeQueueInProgress":         {Code: "AWS.SimpleQueueService.PurgeQueueInProgress", HTTPStatusCode: 403, SenderFault: true},
	"QueueDeletedRecently":         {Code: "AWS.SimpleQueueService.QueueDeletedRecently", HTTPStatusCode: 400, SenderFault: true},
	"QueueDoesNotExist":            {Code: "AWS.SimpleQueueService.NonExistentQueue", HTTPStatusCode: 400, SenderFault: true},
	"QueueNameExists":              {Code: "QueueAlreadyExists", HTTPStatusCode: 400, SenderFault: true},
	"ReceiptHandleIsInvalid":       {Code: "ReceiptHandleIsInvalid", HTTPStatusCode: 404, SenderFault: true},
	"RequestThrottled":             {Code: "RequestThrottled", HTTPStatusCode: 403, SenderFault: true},
	"ResourceNotFoundException":    {Code: "ResourceNotFoundException", HTTPStatusCode: 404, SenderFault: true},
	"TooManyEntriesInBatchRequest": {Code: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", HTTPStatusCode: 400, SenderFault: true},
	"UnsupportedOperation":         {Code: "AWS.SimpleQueueService.UnsupportedOperation", HTTPStatusCode: 400, SenderFault: true},
}

// overlayQuery turns a (trimmed, private) copy of the current model into the
// query model: the old model's metadata (protocol, XML namespace), its
// output result wrappers, and its XML names and flattening; and QueueUrl
// made optional (see queueURLFromPath).
func overlayQuery(api, old *model.API) {
	api.Metadata = old.Metadata
	queueURLFromPath(api)
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

// queueURLFromPath makes QueueUrl an optional member of every operation
// input in the query model. On the query protocol a queue-scoped action may
// be posted to the queue URL itself without a QueueUrl field — boto 2,
// aws-sdk-java v1 and plain curl do so — and AWS then takes the queue from
// the request path. The model cannot say "required, unless the path names
// it", and the codec validates before any service runs, so the query model
// leaves the member optional and the SQS service, which sees the request
// path in request.Info, resolves the queue (field first, then path) and
// answers MissingParameter when neither names one. The JSON model keeps
// QueueUrl required: JSON clients always send it.
func queueURLFromPath(api *model.API) {
	for _, op := range api.Operations {
		if op.Input == nil || op.Input.Shape == nil {
			continue
		}
		in := op.Input.Shape
		in.Required = slices.DeleteFunc(in.Required, func(m string) bool { return m == "QueueUrl" })
		if len(in.Required) == 0 {
			in.Required = nil
		}
	}
}
