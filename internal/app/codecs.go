package app

import (
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/awsjson"
	"github.com/kiricloud/kiri/internal/protocol/query"
	"github.com/kiricloud/kiri/internal/protocol/restjson"
	"github.com/kiricloud/kiri/internal/protocol/restxml"
)

// codecs maps each model protocol name to its wire codec.
func codecs() map[string]protocol.Codec {
	return map[string]protocol.Codec{
		"json":      awsjson.Codec{},
		"rest-json": restjson.Codec{},
		"rest-xml":  restxml.Codec{},
		"query":     query.Codec{},
		"ec2":       query.Codec{EC2: true},
	}
}
