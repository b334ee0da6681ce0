package restxml

import (
	"sort"
	"strconv"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody"
)

// S3Namespace is the namespace of S3's documents.
const S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// bodyCodec is rest-xml's document format for package rest.
type bodyCodec struct {
	api *model.API
}

func (bodyCodec) ContentType() string { return "application/xml" }

// DecodeBody reads a request document. Its root element's name is not
// checked (clients name it from the model, and AWS is lenient about it).
func (bodyCodec) DecodeBody(ref *model.ShapeRef, body []byte) (any, error) {
	return xmlbody.Decode(body, ref)
}

// EncodeBody writes a response document: a payload structure, or the body
// members of an output. An output with no body members has no document.
func (bc bodyCodec) EncodeBody(ref *model.ShapeRef, v any) ([]byte, error) {
	s := ref.Shape
	if s.Type == "structure" && !hasBodyMembers(s) {
		return nil, nil
	}
	var x xmlbody.Writer
	x.Grow(1024)
	x.Raw(xmlbody.Declaration)
	root := bc.rootRef(ref)
	name := bc.rootName(ref)
	if bc.isS3() && ref.ShapeName == "GetBucketLocationOutput" {
		writeLocationConstraint(&x, root, v)
		return x.Bytes(), nil
	}
	x.Value(name, root, v)
	return x.Bytes(), nil
}

// writeLocationConstraint writes GetBucketLocation's answer, which S3 gives
// as a bare <LocationConstraint> element holding the region (empty for
// us-east-1) rather than as a structure; every SDK special-cases it.
func writeLocationConstraint(x *xmlbody.Writer, root *model.ShapeRef, v any) {
	attrs := []xmlbody.Attr{xmlbody.NamespaceAttr(root.XMLNamespace)}
	x.Start("LocationConstraint", attrs...)
	if m, ok := v.(map[string]any); ok {
		if region, ok := m["LocationConstraint"].(string); ok {
			x.Text(region)
		}
	}
	x.End("LocationConstraint")
}

// rootName names a document's root element: the reference's or its
// shape's locationName; for S3 outputs, the name S3 uses (the api-2.json
// models lost the xmlName traits that carried them); else the shape name,
// which is what S3's payload structures are called.
func (bc bodyCodec) rootName(ref *model.ShapeRef) string {
	if ref.LocationName != "" {
		return ref.LocationName
	}
	if ref.Shape.LocationName != "" {
		return ref.Shape.LocationName
	}
	if name, ok := s3RootNames[ref.ShapeName]; ok && bc.isS3() {
		return name
	}
	return ref.ShapeName
}

// rootRef is ref with the namespace its document declares: its own or its
// shape's default namespace, else the service's.
func (bc bodyCodec) rootRef(ref *model.ShapeRef) *model.ShapeRef {
	if hasDefaultNamespace(ref.XMLNamespace) || hasDefaultNamespace(ref.Shape.XMLNamespace) {
		return ref
	}
	ns := bc.namespace()
	if ns == "" {
		return ref
	}
	root := *ref
	root.XMLNamespace = &model.XMLNamespace{URI: ns}
	return &root
}

func hasDefaultNamespace(ns *model.XMLNamespace) bool {
	return ns != nil && ns.Prefix == "" && ns.URI != ""
}

// namespace is the service's document namespace: the model's, S3's, or
// https://<endpointPrefix>.amazonaws.com/doc/<apiVersion>/ as Route 53 uses.
func (bc bodyCodec) namespace() string {
	md := bc.api.Metadata
	switch {
	case md.XMLNamespace != "":
		return md.XMLNamespace
	case bc.isS3():
		return S3Namespace
	case md.EndpointPrefix != "" && md.APIVersion != "":
		return "https://" + md.EndpointPrefix + ".amazonaws.com/doc/" + md.APIVersion + "/"
	}
	return ""
}

func (bc bodyCodec) isS3() bool {
	return bc.api.Metadata.ServiceID == "S3" || bc.api.Metadata.EndpointPrefix == "s3"
}

func hasBodyMembers(s *model.Shape) bool {
	for _, m := range s.Members {
		if m.Location == "" {
			return true
		}
	}
	return false
}

// s3RootNames are the root elements of S3's output documents, by output
// shape: the xmlName traits of S3's Smithy model, which the api-2.json
// conversion drops. Payload outputs are absent: their payload shape names
// (CopyObjectResult, ServerSideEncryptionConfiguration…) are the roots.
var s3RootNames = map[string]string{
	"CompleteMultipartUploadOutput":                    "CompleteMultipartUploadResult",
	"CreateMultipartUploadOutput":                      "InitiateMultipartUploadResult",
	"CreateSessionOutput":                              "CreateSessionResult",
	"DeleteObjectsOutput":                              "DeleteResult",
	"GetBucketAccelerateConfigurationOutput":           "AccelerateConfiguration",
	"GetBucketAclOutput":                               "AccessControlPolicy",
	"GetBucketCorsOutput":                              "CORSConfiguration",
	"GetBucketLifecycleOutput":                         "LifecycleConfiguration",
	"GetBucketLifecycleConfigurationOutput":            "LifecycleConfiguration",
	"GetBucketLocationOutput":                          "LocationConstraint",
	"GetBucketLoggingOutput":                           "BucketLoggingStatus",
	"NotificationConfigurationDeprecated":              "NotificationConfiguration",
	"GetBucketRequestPaymentOutput":                    "RequestPaymentConfiguration",
	"GetBucketTaggingOutput":                           "Tagging",
	"GetBucketVersioningOutput":                        "VersioningConfiguration",
	"GetBucketWebsiteOutput":                           "WebsiteConfiguration",
	"GetObjectAclOutput":                               "AccessControlPolicy",
	"GetObjectAttributesOutput":                        "GetObjectAttributesResponse",
	"GetObjectTaggingOutput":                           "Tagging",
	"ListBucketAnalyticsConfigurationsOutput":          "ListBucketAnalyticsConfigurationResult",
	"ListBucketIntelligentTieringConfigurationsOutput": "ListBucketIntelligentTieringConfigurationsOutput",
	"ListBucketInventoryConfigurationsOutput":          "ListInventoryConfigurationsResult",
	"ListBucketMetricsConfigurationsOutput":            "ListMetricsConfigurationsResult",
	"ListBucketsOutput":                                "ListAllMyBucketsResult",
	"ListDirectoryBucketsOutput":                       "ListAllMyDirectoryBucketsResult",
	"ListMultipartUploadsOutput":                       "ListMultipartUploadsResult",
	"ListObjectVersionsOutput":                         "ListVersionsResult",
	"ListObjectsOutput":                                "ListBucketResult",
	"ListObjectsV2Output":                              "ListBucketResult",
	"ListPartsOutput":                                  "ListPartsResult",
}

// fieldOrder lists an error's field names: the error shape's members in
// model order first, then any others by name.
func fieldOrder(shape *model.Shape, fields map[string]any) []string {
	var names []string
	seen := map[string]bool{}
	if shape != nil {
		for _, m := range shape.Members {
			if v, ok := fields[m.Name]; ok && v != nil {
				names = append(names, m.Name)
				seen[m.Name] = true
			}
		}
	}
	var rest []string
	for k, v := range fields {
		if !seen[k] && v != nil {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(names, rest...)
}

func itoa(n int) string { return strconv.Itoa(n) }
