package logs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	logsapi "github.com/kiricloud/kiri/internal/api/logs"
)

func (s *Service) CreateLogStream(ctx context.Context, in *logsapi.CreateLogStreamRequest) (*logsapi.CreateLogStreamOutput, error) {
	return &logsapi.CreateLogStreamOutput{}, s.update(ctx, func(r *region) error {
		group, name := api.Deref(in.LogGroupName), api.Deref(in.LogStreamName)
		if _, err := r.mustGroup(group); err != nil {
			return err
		}
		st, err := r.stream(group, name)
		if err != nil {
			return err
		}
		if st != nil {
			return errStreamExists()
		}
		return r.putStream(group, &streamRec{Name: name, Created: r.now})
	})
}

func (s *Service) DeleteLogStream(ctx context.Context, in *logsapi.DeleteLogStreamRequest) (*logsapi.DeleteLogStreamOutput, error) {
	return &logsapi.DeleteLogStreamOutput{}, s.update(ctx, func(r *region) error {
		group, name := api.Deref(in.LogGroupName), api.Deref(in.LogStreamName)
		if _, err := r.mustGroup(group); err != nil {
			return err
		}
		if _, err := r.mustStream(group, name); err != nil {
			return err
		}
		if err := r.deletePrefix(r.ns.Prefix("event", group, name)); err != nil {
			return err
		}
		return r.tx.Delete(r.ns.Key("stream", group, name))
	})
}

func (s *Service) DescribeLogStreams(ctx context.Context, in *logsapi.DescribeLogStreamsRequest) (*logsapi.DescribeLogStreamsResponse, error) {
	byTime := api.Deref(in.OrderBy) == logsapi.OrderByLastEventTime
	if byTime && in.LogStreamNamePrefix != nil {
		return nil, errInvalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	var out logsapi.DescribeLogStreamsResponse
	err := s.view(ctx, func(r *region) error {
		group, err := groupIdentifier(r, in.LogGroupName, in.LogGroupIdentifier)
		if err != nil {
			return err
		}
		if _, err := r.mustGroup(group); err != nil {
			return err
		}
		all, err := r.streams(group)
		if err != nil {
			return err
		}
		prefix := api.Deref(in.LogStreamNamePrefix)
		all = slices.DeleteFunc(all, func(st *streamRec) bool { return !strings.HasPrefix(st.Name, prefix) })
		key := streamOrder(byTime)
		desc := api.Deref(in.Descending)
		slices.SortStableFunc(all, func(a, b *streamRec) int {
			if desc {
				return strings.Compare(key(b), key(a))
			}
			return strings.Compare(key(a), key(b))
		})
		page, next, err := pageAfter(all, key, desc, in.NextToken, limitOf(in.Limit, describeLimit, describeLimit))
		if err != nil {
			return err
		}
		out.LogStreams = make([]logsapi.LogStream, len(page))
		for i, st := range page {
			out.LogStreams[i] = r.streamOut(group, st)
		}
		out.NextToken = next
		return nil
	})
	return &out, err
}

// streamOrder is the sort key of DescribeLogStreams: the name, or the last
// event time (streams without events first) with the name to break ties.
func streamOrder(byTime bool) func(*streamRec) string {
	if !byTime {
		return func(st *streamRec) string { return st.Name }
	}
	return func(st *streamRec) string {
		last := int64(0)
		if st.HasEvents {
			last = st.Last
		}
		return fmt.Sprintf("%020d/%s", max(last, 0), st.Name)
	}
}

func (r *region) streamOut(group string, st *streamRec) logsapi.LogStream {
	out := logsapi.LogStream{
		LogStreamName:       api.Ptr(st.Name),
		CreationTime:        api.Ptr(st.Created),
		Arn:                 api.Ptr(r.streamArn(group, st.Name)),
		StoredBytes:         api.Ptr(int64(0)), // deprecated by AWS; always 0
		UploadSequenceToken: api.Ptr(sequenceToken(st.Uploads)),
	}
	if st.HasEvents {
		out.FirstEventTimestamp = api.Ptr(st.First)
		out.LastEventTimestamp = api.Ptr(st.Last)
		out.LastIngestionTime = api.Ptr(st.LastIngestion)
	}
	return out
}

// sequenceToken renders a stream's upload count as the long decimal token
// AWS hands out. AWS no longer checks sequence tokens, and neither does
// kiri, but clients still read them.
func sequenceToken(uploads int64) string {
	return fmt.Sprintf("%056d", uploads+1)
}

// groupIdentifier resolves the logGroupName / logGroupIdentifier pair some
// operations take; the identifier may be a name or an ARN.
func groupIdentifier(r *region, name, ident *string) (string, error) {
	switch {
	case name != nil && ident != nil:
		return "", errInvalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name != nil:
		return *name, nil
	case ident == nil:
		return "", errInvalid("Should provide either name or ARN of the log group.")
	case strings.HasPrefix(*ident, "arn:"):
		return r.groupFromArn(*ident)
	}
	return *ident, nil
}

// groupFromArn extracts the group name from a log group ARN of this account
// and region, with or without the trailing ":*". A group elsewhere is not
// found.
func (r *region) groupFromArn(arn string) (string, error) {
	prefix := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:", r.name, r.account)
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		if strings.Count(arn, ":") < 6 || !strings.HasPrefix(arn, "arn:aws:logs:") {
			return "", errInvalid("Invalid resource arn %s", arn)
		}
		return "", errGroupNotFound()
	}
	return strings.TrimSuffix(name, ":*"), nil
}
