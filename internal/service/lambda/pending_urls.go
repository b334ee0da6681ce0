package lambda

// Function URLs are implemented in the next commit; until then these answer NotImplemented.

import (
	"context"
	"net/http"

	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/protocol"
)

func (s *Service) CreateFunctionUrlConfig(ctx context.Context, in *lambdaapi.CreateFunctionUrlConfigRequest) (*lambdaapi.CreateFunctionUrlConfigResponse, error) {
	return nil, protocol.Errorf("NotImplemented", http.StatusNotImplemented, "kiri does not implement CreateFunctionUrlConfig yet")
}

func (s *Service) DeleteFunctionUrlConfig(ctx context.Context, in *lambdaapi.DeleteFunctionUrlConfigRequest) (*lambdaapi.DeleteFunctionUrlConfigOutput, error) {
	return nil, protocol.Errorf("NotImplemented", http.StatusNotImplemented, "kiri does not implement DeleteFunctionUrlConfig yet")
}

func (s *Service) GetFunctionUrlConfig(ctx context.Context, in *lambdaapi.GetFunctionUrlConfigRequest) (*lambdaapi.GetFunctionUrlConfigResponse, error) {
	return nil, protocol.Errorf("NotImplemented", http.StatusNotImplemented, "kiri does not implement GetFunctionUrlConfig yet")
}

func (s *Service) ListFunctionUrlConfigs(ctx context.Context, in *lambdaapi.ListFunctionUrlConfigsRequest) (*lambdaapi.ListFunctionUrlConfigsResponse, error) {
	return nil, protocol.Errorf("NotImplemented", http.StatusNotImplemented, "kiri does not implement ListFunctionUrlConfigs yet")
}

func (s *Service) UpdateFunctionUrlConfig(ctx context.Context, in *lambdaapi.UpdateFunctionUrlConfigRequest) (*lambdaapi.UpdateFunctionUrlConfigResponse, error) {
	return nil, protocol.Errorf("NotImplemented", http.StatusNotImplemented, "kiri does not implement UpdateFunctionUrlConfig yet")
}
