package logs

// Subscription filters are implemented in the next commit; until then these answer NotImplemented.

import (
	"context"
	"net/http"

	logsapi "github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/protocol"
)

func (s *Service) PutSubscriptionFilter(ctx context.Context, in *logsapi.PutSubscriptionFilterRequest) (*logsapi.PutSubscriptionFilterOutput, error) {
	return nil, protocol.Errorf("NotImplemented", http.StatusNotImplemented, "kiri does not implement PutSubscriptionFilter yet")
}

func (s *Service) DescribeSubscriptionFilters(ctx context.Context, in *logsapi.DescribeSubscriptionFiltersRequest) (*logsapi.DescribeSubscriptionFiltersResponse, error) {
	return nil, protocol.Errorf("NotImplemented", http.StatusNotImplemented, "kiri does not implement DescribeSubscriptionFilters yet")
}

func (s *Service) DeleteSubscriptionFilter(ctx context.Context, in *logsapi.DeleteSubscriptionFilterRequest) (*logsapi.DeleteSubscriptionFilterOutput, error) {
	return nil, protocol.Errorf("NotImplemented", http.StatusNotImplemented, "kiri does not implement DeleteSubscriptionFilter yet")
}
