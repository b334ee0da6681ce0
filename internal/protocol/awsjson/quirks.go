package awsjson

import (
	"strings"

	"github.com/kiricloud/kiri/internal/model"
)

// quirks are the wire habits of one awsJson service that its model does not
// record.
type quirks struct {
	// typePrefix namespaces the __type of the service's modelled errors
	// ("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException").
	typePrefix string
	// frameworkPrefix namespaces the errors its front end raises before the
	// service runs (Coral's "com.amazon.coral.service#SerializationException");
	// validationPrefix the constraint violations it reports.
	frameworkPrefix, validationPrefix string
	// crc32 adds X-Amz-Crc32, the CRC32 of the body, to every response;
	// the SDKs verify it for DynamoDB.
	crc32 bool
}

const (
	coralService  = "com.amazon.coral.service#"
	coralValidate = "com.amazon.coral.validate#"
)

// serviceQuirks is keyed by metadata.serviceId. Sources: DynamoDB's error
// documentation and dynalite (which mirrors DynamoDB's front end byte for
// byte); the SQS developer guide's "JSON error response structure".
var serviceQuirks = map[string]*quirks{
	"DynamoDB": {
		typePrefix:       "com.amazonaws.dynamodb.v20120810#",
		frameworkPrefix:  coralService,
		validationPrefix: coralValidate,
		crc32:            true,
	},
	"DynamoDB Streams": {
		typePrefix:       "com.amazonaws.dynamodb.v20120810#",
		frameworkPrefix:  coralService,
		validationPrefix: coralValidate,
		crc32:            true,
	},
	"SQS": {
		typePrefix: "com.amazonaws.sqs#",
	},
}

var noQuirks = &quirks{}

func quirksOf(api *model.API) *quirks {
	if q, ok := serviceQuirks[api.Metadata.ServiceID]; ok {
		return q
	}
	return noQuirks
}

// wireType is the __type of an error: modelled errors carry the service's
// namespace, front-end errors Coral's, where the service shows them.
func (q *quirks) wireType(api *model.API, typ string) string {
	if strings.Contains(typ, "#") {
		return typ
	}
	if s, ok := api.Shapes[typ]; ok && s.Exception {
		return q.typePrefix + typ
	}
	if typ == "ValidationException" && q.validationPrefix != "" {
		return q.validationPrefix + typ
	}
	if q.frameworkPrefix != "" {
		return q.frameworkPrefix + typ
	}
	return q.typePrefix + typ
}
