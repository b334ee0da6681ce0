package lambda

import (
	"context"
	"regexp"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/store"
)

// Runtime management configuration (rtm/<name>/<qualifier>) is stored and
// reported as AWS does, but it changes nothing in kiri: functions always run
// on the host's interpreter (python3, node) or their own bootstrap, whatever
// UpdateRuntimeOn and RuntimeVersionArn say.

type rtmRecord struct {
	UpdateRuntimeOn   string `json:"updateRuntimeOn"`
	RuntimeVersionArn string `json:"runtimeVersionArn,omitempty"`
}

func rtmKey(ref fnRef, qualifier string) []byte {
	return ref.ns().Key("rtm", ref.name, orDefault(qualifier, latest))
}

var runtimeVersionPattern = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}::runtime:.+$`)

// validateRTM checks a PutRuntimeManagementConfig request: a known mode,
// and a runtime version ARN with Manual and only with Manual.
func validateRTM(mode, arn string) error {
	switch mode {
	case lambdaapi.UpdateRuntimeOnAuto, lambdaapi.UpdateRuntimeOnFunctionUpdate, lambdaapi.UpdateRuntimeOnManual:
	default:
		return lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%s' at 'updateRuntimeOn' failed to satisfy constraint: Member must satisfy enum value set: [Auto, Manual, FunctionUpdate]", mode)
	}
	if arn != "" && (len(arn) > 2048 || !runtimeVersionPattern.MatchString(arn)) {
		return lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%s' at 'runtimeVersionArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}::runtime:.+$", arn)
	}
	switch {
	case mode == lambdaapi.UpdateRuntimeOnManual && arn == "":
		return lambdaapi.NewInvalidParameterValueException("RuntimeVersionArn must be specified when UpdateRuntimeOn is Manual.")
	case mode != lambdaapi.UpdateRuntimeOnManual && arn != "":
		return lambdaapi.NewInvalidParameterValueException("RuntimeVersionArn can only be specified when UpdateRuntimeOn is Manual.")
	}
	return nil
}

// PutRuntimeManagementConfig sets when a version's runtime would be updated.
func (s *Service) PutRuntimeManagementConfig(ctx context.Context, in *lambdaapi.PutRuntimeManagementConfigRequest) (*lambdaapi.PutRuntimeManagementConfigResponse, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	rec := rtmRecord{UpdateRuntimeOn: api.Deref(in.UpdateRuntimeOn), RuntimeVersionArn: api.Deref(in.RuntimeVersionArn)}
	if err := validateRTM(rec.UpdateRuntimeOn, rec.RuntimeVersionArn); err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		return store.PutJSON(tx, rtmKey(ref, ref.qualifier), rec)
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.PutRuntimeManagementConfigResponse{UpdateRuntimeOn: api.Ptr(rec.UpdateRuntimeOn),
		FunctionArn: api.Ptr(rtmFunctionArn(ref)), RuntimeVersionArn: optional(rec.RuntimeVersionArn)}, nil
}

// GetRuntimeManagementConfig reports the setting, Auto when none was put.
func (s *Service) GetRuntimeManagementConfig(ctx context.Context, in *lambdaapi.GetRuntimeManagementConfigRequest) (*lambdaapi.GetRuntimeManagementConfigResponse, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	rec := rtmRecord{UpdateRuntimeOn: lambdaapi.UpdateRuntimeOnAuto}
	err = s.st.View(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		_, err := store.GetJSON(tx, rtmKey(ref, ref.qualifier), &rec)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.GetRuntimeManagementConfigResponse{UpdateRuntimeOn: api.Ptr(rec.UpdateRuntimeOn),
		FunctionArn: api.Ptr(rtmFunctionArn(ref)), RuntimeVersionArn: optional(rec.RuntimeVersionArn)}, nil
}

// rtmFunctionArn is the ARN the answers carry: qualified by a version,
// unqualified for $LATEST.
func rtmFunctionArn(ref fnRef) string {
	if ref.qualifier == latest {
		return ref.arn()
	}
	return ref.qualifiedArn()
}
