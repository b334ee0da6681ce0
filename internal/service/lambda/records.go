package lambda

import (
	"fmt"
	"maps"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/store"
)

// fnConfig is one version's code and configuration: $LATEST inside
// functionRecord, or a published version, stored on its own and never
// changed again.
type fnConfig struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"` // "$LATEST", "1", …
	Runtime      string            `json:"runtime"`
	Role         string            `json:"role"`
	Handler      string            `json:"handler,omitempty"`
	Description  string            `json:"description,omitempty"`
	Timeout      int64             `json:"timeout"`
	MemorySize   int64             `json:"memorySize"`
	Env          map[string]string `json:"env,omitempty"`
	CodeSha256   string            `json:"codeSha256"`
	CodeSize     int64             `json:"codeSize"`
	CodeRev      string            `json:"codeRev"` // directory of the extracted package
	RevisionID   string            `json:"revisionId"`
	LastModified time.Time         `json:"lastModified"`
	DeadLetter   string            `json:"deadLetter,omitempty"`
	KMSKeyArn    string            `json:"kmsKeyArn,omitempty"`
	Tracing      string            `json:"tracing,omitempty"`
	Subnets      []string          `json:"subnets,omitempty"`
	SecGroups    []string          `json:"securityGroups,omitempty"`
	Arch         []string          `json:"architectures,omitempty"`
	Ephemeral    int64             `json:"ephemeralStorage,omitempty"`
	Layers       []string          `json:"layers,omitempty"`
	LayerSizes   []int64           `json:"layerSizes,omitempty"` // CodeSize of each of Layers
	LogFormat    string            `json:"logFormat,omitempty"`
	LogGroup     string            `json:"logGroup,omitempty"`
}

// functionRecord is a function: its $LATEST and what belongs to the
// function as a whole.
type functionRecord struct {
	Latest      fnConfig          `json:"latest"`
	Tags        map[string]string `json:"tags,omitempty"`
	Reserved    *int64            `json:"reserved,omitempty"`
	LastVersion int               `json:"lastVersion"`
	// PublishedRevision is $LATEST's RevisionId when version LastVersion
	// was taken: PublishVersion without changes since returns that version.
	PublishedRevision string `json:"publishedRevision,omitempty"`
}

func fnKey(ns store.Namespace, name string) []byte { return ns.Key("fn", name) }

func versionKey(ns store.Namespace, name, version string) []byte {
	var n int
	fmt.Sscan(version, &n)
	return ns.Key("ver", name, fmt.Sprintf("%010d", n))
}

func getFunction(tx store.Tx, r fnRef) (*functionRecord, error) {
	var f functionRecord
	ok, err := store.GetJSON(tx, fnKey(r.ns(), r.name), &f)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, functionNotFound(fnRef{scope: r.scope, name: r.name})
	}
	return &f, nil
}

// lastModified is Lambda's LastModified format.
func lastModified(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

// toAPI renders a version's configuration as Lambda reports it.
func (c *fnConfig) toAPI(sc scope) *lambdaapi.FunctionConfiguration {
	out := &lambdaapi.FunctionConfiguration{
		FunctionName:     api.Ptr(c.Name),
		FunctionArn:      api.Ptr(sc.functionArn(c.Name)),
		Runtime:          api.Ptr(c.Runtime),
		Role:             api.Ptr(c.Role),
		Handler:          optional(c.Handler),
		CodeSize:         api.Ptr(c.CodeSize),
		Description:      api.Ptr(c.Description),
		Timeout:          api.Ptr(c.Timeout),
		MemorySize:       api.Ptr(c.MemorySize),
		LastModified:     api.Ptr(lastModified(c.LastModified)),
		CodeSha256:       api.Ptr(c.CodeSha256),
		Version:          api.Ptr(c.Version),
		RevisionId:       api.Ptr(c.RevisionID),
		KMSKeyArn:        optional(c.KMSKeyArn),
		TracingConfig:    &lambdaapi.TracingConfigResponse{Mode: api.Ptr(orDefault(c.Tracing, lambdaapi.TracingModePassThrough))},
		State:            api.Ptr(lambdaapi.StateActive),
		LastUpdateStatus: api.Ptr(lambdaapi.LastUpdateStatusSuccessful),
		PackageType:      api.Ptr(lambdaapi.PackageTypeZip),
		Architectures:    orDefaultSlice(c.Arch, []string{lambdaapi.ArchitectureX8664}),
		EphemeralStorage: &lambdaapi.EphemeralStorage{Size: api.Ptr(orDefaultInt(c.Ephemeral, 512))},
		SnapStart:        &lambdaapi.SnapStartResponse{ApplyOn: api.Ptr(lambdaapi.SnapStartApplyOnNone), OptimizationStatus: api.Ptr(lambdaapi.SnapStartOptimizationStatusOff)},
		LoggingConfig: &lambdaapi.LoggingConfig{
			LogFormat: api.Ptr(orDefault(c.LogFormat, lambdaapi.LogFormatText)),
			LogGroup:  api.Ptr(orDefault(c.LogGroup, "/aws/lambda/"+c.Name)),
		},
	}
	if c.Version != latest {
		out.FunctionArn = api.Ptr(sc.qualifiedArn(c.Name, c.Version))
	}
	if len(c.Env) > 0 {
		out.Environment = &lambdaapi.EnvironmentResponse{Variables: maps.Clone(c.Env)}
	}
	if c.DeadLetter != "" {
		out.DeadLetterConfig = &lambdaapi.DeadLetterConfig{TargetArn: api.Ptr(c.DeadLetter)}
	}
	if len(c.Subnets) > 0 || len(c.SecGroups) > 0 {
		out.VpcConfig = &lambdaapi.VpcConfigResponse{SubnetIds: c.Subnets, SecurityGroupIds: c.SecGroups, VpcId: api.Ptr("vpc-00000000")}
	}
	for i, l := range c.Layers {
		var size int64
		if i < len(c.LayerSizes) {
			size = c.LayerSizes[i]
		}
		out.Layers = append(out.Layers, lambdaapi.Layer{Arn: api.Ptr(l), CodeSize: api.Ptr(size)})
	}
	return out
}

const latest = "$LATEST"

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDefaultInt(v, def int64) int64 {
	if v == 0 {
		return def
	}
	return v
}

func orDefaultSlice(v, def []string) []string {
	if len(v) == 0 {
		return def
	}
	return v
}
