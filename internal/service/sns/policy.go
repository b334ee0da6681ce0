package sns

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
)

// defaultPolicy is the access policy AWS gives a new topic: the owner's
// account may do everything.
func defaultPolicy(topicArn, account string) string {
	return fmt.Sprintf(`{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":%s,"Condition":{"StringEquals":{"AWS:SourceOwner":%s}}}]}`,
		jsonString(topicArn), jsonString(account))
}

// policyDoc keeps statements verbatim so that editing one does not reorder
// or reformat the others.
type policyDoc struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

func statementSid(raw json.RawMessage) string {
	var st struct{ Sid string }
	_ = json.Unmarshal(raw, &st)
	return st.Sid
}

// editPolicy applies fn to the topic's policy (the default one if none was
// set) and stores the result.
func (s *Service) editPolicy(topicArn *string, fn func(doc *policyDoc, arn, account string) error) error {
	ref, err := parseTopicArn(topicArn, "TopicArn")
	if err != nil {
		return err
	}
	return s.updateIn(ref.account, ref.region, func(r *region) error {
		t, err := r.topic(ref.name)
		if err != nil {
			return err
		}
		arn := r.topicArn(t.Name)
		text := t.Attrs["Policy"]
		if text == "" {
			text = defaultPolicy(arn, r.account)
		}
		var doc policyDoc
		if err := json.Unmarshal([]byte(text), &doc); err != nil {
			return snsapi.NewInvalidParameterException("Invalid parameter: Policy: failed to parse JSON.")
		}
		if err := fn(&doc, arn, r.account); err != nil {
			return err
		}
		out, err := marshalNoEscape(doc)
		if err != nil {
			return err
		}
		if t.Attrs == nil {
			t.Attrs = map[string]string{}
		}
		t.Attrs["Policy"] = string(out)
		return r.putTopic(t)
	})
}

func (s *Service) AddPermission(ctx context.Context, in *snsapi.AddPermissionInput) (*snsapi.AddPermissionOutput, error) {
	label := api.Deref(in.Label)
	if label == "" {
		return nil, snsapi.NewInvalidParameterException("Invalid parameter: Label")
	}
	if len(in.AWSAccountId) == 0 {
		return nil, snsapi.NewInvalidParameterException("Invalid parameter: AWSAccountId")
	}
	if len(in.ActionName) == 0 {
		return nil, snsapi.NewInvalidParameterException("Invalid parameter: ActionName")
	}
	err := s.editPolicy(in.TopicArn, func(doc *policyDoc, arn, _ string) error {
		for _, st := range doc.Statement {
			if statementSid(st) == label {
				return snsapi.NewInvalidParameterException("Invalid parameter: Statement already exists")
			}
		}
		principals := make([]string, len(in.AWSAccountId))
		for i, a := range in.AWSAccountId {
			principals[i] = "arn:aws:iam::" + a + ":root"
		}
		actions := make([]string, len(in.ActionName))
		for i, a := range in.ActionName {
			actions[i] = "SNS:" + a
		}
		// AWS writes a single principal or action as a string, several
		// as a list.
		var principal, action any = principals, actions
		if len(principals) == 1 {
			principal = principals[0]
		}
		if len(actions) == 1 {
			action = actions[0]
		}
		st, err := marshalNoEscape(struct {
			Sid       string         `json:"Sid"`
			Effect    string         `json:"Effect"`
			Principal map[string]any `json:"Principal"`
			Action    any            `json:"Action"`
			Resource  string         `json:"Resource"`
		}{label, "Allow", map[string]any{"AWS": principal}, action, arn})
		if err != nil {
			return err
		}
		doc.Statement = append(doc.Statement, st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.AddPermissionOutput{}, nil
}

func (s *Service) RemovePermission(ctx context.Context, in *snsapi.RemovePermissionInput) (*snsapi.RemovePermissionOutput, error) {
	label := api.Deref(in.Label)
	err := s.editPolicy(in.TopicArn, func(doc *policyDoc, _, _ string) error {
		// Removing a label that is not there succeeds, as on AWS.
		kept := doc.Statement[:0]
		for _, st := range doc.Statement {
			if statementSid(st) != label {
				kept = append(kept, st)
			}
		}
		doc.Statement = kept
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.RemovePermissionOutput{}, nil
}
