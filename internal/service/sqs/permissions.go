package sqs

import (
	"context"
	"encoding/json"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

// AddPermission and RemovePermission edit the queue's Policy attribute, one
// statement per label, as AWS does.

type policyDoc struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

type statement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal"`
	Action    []string       `json:"Action"`
	Resource  string         `json:"Resource"`
}

func (r *region) policy(q *queueRec) (policyDoc, error) {
	doc := policyDoc{Version: "2012-10-17", ID: r.arn(q.Name) + "/SQSDefaultPolicy"}
	if raw := q.Attrs[attrPolicy]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			return doc, errAttrValue(attrPolicy)
		}
	}
	return doc, nil
}

func sidOf(raw json.RawMessage) string {
	var st struct{ Sid string }
	_ = json.Unmarshal(raw, &st)
	return st.Sid
}

// AddPermission adds a statement allowing the accounts the actions.
func (s *Service) AddPermission(ctx context.Context, in *sqsapi.AddPermissionRequest) (*sqsapi.AddPermissionOutput, error) {
	label := api.Deref(in.Label)
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		doc, err := r.policy(q)
		if err != nil {
			return err
		}
		for _, st := range doc.Statement {
			if sidOf(st) == label {
				return errParamValue(label, "Label", "Already exists")
			}
		}
		principals := make([]string, len(in.AWSAccountIds))
		for i, a := range in.AWSAccountIds {
			principals[i] = "arn:aws:iam::" + a + ":root"
		}
		actions := make([]string, len(in.Actions))
		for i, a := range in.Actions {
			actions[i] = "SQS:" + a
		}
		st, _ := json.Marshal(statement{Sid: label, Effect: "Allow", Principal: map[string]any{"AWS": principals}, Action: actions, Resource: r.arn(q.Name)})
		doc.Statement = append(doc.Statement, st)
		return r.savePolicy(q, doc)
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.AddPermissionOutput{}, nil
}

// RemovePermission removes the statement with the label.
func (s *Service) RemovePermission(ctx context.Context, in *sqsapi.RemovePermissionRequest) (*sqsapi.RemovePermissionOutput, error) {
	label := api.Deref(in.Label)
	err := s.onQueue(ctx, in.QueueUrl, true, func(r *region, q *queueRec) error {
		doc, err := r.policy(q)
		if err != nil {
			return err
		}
		kept := doc.Statement[:0]
		for _, st := range doc.Statement {
			if sidOf(st) != label {
				kept = append(kept, st)
			}
		}
		if len(kept) == len(doc.Statement) {
			return errParamValue(label, "Label", "can't find label on existing policy")
		}
		doc.Statement = kept
		return r.savePolicy(q, doc)
	})
	if err != nil {
		return nil, err
	}
	return &sqsapi.RemovePermissionOutput{}, nil
}

// savePolicy stores the policy; with no statements left it is removed.
func (r *region) savePolicy(q *queueRec, doc policyDoc) error {
	if len(doc.Statement) == 0 {
		delete(q.Attrs, attrPolicy)
	} else {
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		q.Attrs[attrPolicy] = string(b)
	}
	q.Modified = r.now / 1000
	return r.putQueue(q)
}
