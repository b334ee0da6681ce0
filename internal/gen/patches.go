package main

import "github.com/kiricloud/kiri/internal/model"

// patchModel corrects what a model says and the service does not do, so
// that validation does not refuse requests AWS accepts. Each patch says why.
func patchModel(pkg string, api *model.API) {
	if pkg == "sqs" {
		acceptMessageAttributesInReceive(api)
	}
}

// ReceiveMessage's deprecated AttributeNames is modelled as a list of queue
// attribute names, but SQS reads it as message system attribute names
// (ApproximateReceiveCount, SentTimestamp…), which is how clients have used
// it for years. It gets a list of plain strings, like a real SQS front end.
func acceptMessageAttributesInReceive(api *model.API) {
	in := api.Shapes["ReceiveMessageRequest"]
	ref := in.Members.Get("AttributeNames")
	if ref == nil || api.Shapes["String"] == nil {
		return
	}
	// The query protocol names the items AttributeName.N, as the list it
	// replaces does in SQS's query model.
	list := &model.Shape{Name: "ReceiveAttributeNameList", Type: "list", Flattened: ref.Shape.Flattened,
		Member: &model.ShapeRef{ShapeName: "String", Shape: api.Shapes["String"], LocationName: "AttributeName"}}
	api.Shapes[list.Name] = list
	ref.ShapeName, ref.Shape = list.Name, list
}
