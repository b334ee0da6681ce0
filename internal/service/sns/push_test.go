package sns

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/mailbox"
)

func (e *env) app(t *testing.T, name, platform string, attrs map[string]string) string {
	t.Helper()
	if attrs == nil {
		attrs = map[string]string{"PlatformCredential": "secret", "PlatformPrincipal": "principal"}
	}
	out := must(e.s.CreatePlatformApplication(bg, &snsapi.CreatePlatformApplicationInput{Name: &name, Platform: &platform, Attributes: attrs}))(t)
	return *out.PlatformApplicationArn
}

func (e *env) endpoint(t *testing.T, appArn, token string, cud *string, attrs map[string]string) string {
	t.Helper()
	out := must(e.s.CreatePlatformEndpoint(bg, &snsapi.CreatePlatformEndpointInput{PlatformApplicationArn: &appArn, Token: &token, CustomUserData: cud, Attributes: attrs}))(t)
	return *out.EndpointArn
}

func (e *env) pushes(t *testing.T) []mailbox.Mail {
	t.Helper()
	all, err := e.mails.List(testAccount)
	if err != nil {
		t.Fatal(err)
	}
	var out []mailbox.Mail
	for _, m := range all {
		if m.Source == "sns-push" {
			out = append(out, m)
		}
	}
	return out
}

func TestPlatformApplications(t *testing.T) {
	e := newEnv(t)
	create := func(name, platform string, attrs map[string]string) error {
		_, err := e.s.CreatePlatformApplication(bg, &snsapi.CreatePlatformApplicationInput{Name: &name, Platform: &platform, Attributes: attrs})
		return err
	}
	wantError(t, create("a", "FOO", map[string]string{"PlatformCredential": "k"}), "InvalidParameter", "")
	wantError(t, create("bad name!", "GCM", map[string]string{"PlatformCredential": "k"}), "InvalidParameter", "")
	wantError(t, create("a", "GCM", nil), "InvalidParameter", "Invalid parameter: Attributes Reason: PlatformCredential attribute is required")
	wantError(t, create("a", "APNS", map[string]string{"PlatformCredential": "k"}), "InvalidParameter", "")
	wantError(t, create("a", "GCM", map[string]string{"PlatformCredential": "k", "Bogus": "x"}), "InvalidParameter", "")

	gcm := e.app(t, "my-app", "GCM", map[string]string{"PlatformCredential": "api-key", "EventEndpointCreated": "arn:aws:sns:us-east-1:123456789012:events"})
	if want := "arn:aws:sns:us-east-1:123456789012:app/GCM/my-app"; gcm != want {
		t.Fatalf("arn = %s, want %s", gcm, want)
	}
	apns := e.app(t, "my-app", "APNS", nil)

	got := must(e.s.GetPlatformApplicationAttributes(bg, &snsapi.GetPlatformApplicationAttributesInput{PlatformApplicationArn: &apns}))(t)
	if _, ok := got.Attributes["PlatformCredential"]; ok || got.Attributes["Enabled"] != "true" || got.Attributes["PlatformPrincipal"] != "principal" {
		t.Errorf("attributes = %v", got.Attributes)
	}
	must(e.s.SetPlatformApplicationAttributes(bg, &snsapi.SetPlatformApplicationAttributesInput{PlatformApplicationArn: &gcm,
		Attributes: map[string]string{"SuccessFeedbackSampleRate": "50", "PlatformCredential": "new-key"}}))(t)
	got = must(e.s.GetPlatformApplicationAttributes(bg, &snsapi.GetPlatformApplicationAttributesInput{PlatformApplicationArn: &gcm}))(t)
	if got.Attributes["SuccessFeedbackSampleRate"] != "50" || got.Attributes["EventEndpointCreated"] == "" || got.Attributes["PlatformCredential"] != "" {
		t.Errorf("attributes after set = %v", got.Attributes)
	}
	_, err := e.s.SetPlatformApplicationAttributes(bg, &snsapi.SetPlatformApplicationAttributesInput{PlatformApplicationArn: &gcm, Attributes: map[string]string{"SuccessFeedbackSampleRate": "200"}})
	wantError(t, err, "InvalidParameter", "")

	missing := "arn:aws:sns:us-east-1:123456789012:app/GCM/nope"
	_, err = e.s.GetPlatformApplicationAttributes(bg, &snsapi.GetPlatformApplicationAttributesInput{PlatformApplicationArn: &missing})
	wantError(t, err, "NotFound", "PlatformApplication does not exist")
	_, err = e.s.GetPlatformApplicationAttributes(bg, &snsapi.GetPlatformApplicationAttributesInput{PlatformApplicationArn: api.Ptr("arn:aws:sns:us-east-1:123456789012:topic")})
	wantError(t, err, "InvalidParameter", "")

	// Listing pages through every application.
	for i := range 150 {
		e.app(t, fmt.Sprintf("app-%03d", i), "GCM", map[string]string{"PlatformCredential": "k"})
	}
	seen := map[string]bool{}
	var tok *string
	pages := 0
	for {
		out := must(e.s.ListPlatformApplications(bg, &snsapi.ListPlatformApplicationsInput{NextToken: tok}))(t)
		pages++
		for _, a := range out.PlatformApplications {
			if seen[*a.PlatformApplicationArn] {
				t.Fatalf("listed twice: %s", *a.PlatformApplicationArn)
			}
			seen[*a.PlatformApplicationArn] = true
			if _, ok := a.Attributes["PlatformCredential"]; ok {
				t.Fatalf("listed credential: %v", a.Attributes)
			}
		}
		if out.NextToken == nil {
			break
		}
		tok = out.NextToken
	}
	if len(seen) != 152 || pages != 2 || !seen[gcm] || !seen[apns] {
		t.Errorf("listed %d applications in %d pages", len(seen), pages)
	}

	must(e.s.DeletePlatformApplication(bg, &snsapi.DeletePlatformApplicationInput{PlatformApplicationArn: &apns}))(t)
	must(e.s.DeletePlatformApplication(bg, &snsapi.DeletePlatformApplicationInput{PlatformApplicationArn: &apns}))(t) // idempotent
	_, err = e.s.GetPlatformApplicationAttributes(bg, &snsapi.GetPlatformApplicationAttributesInput{PlatformApplicationArn: &apns})
	wantError(t, err, "NotFound", "")
}

func TestPlatformEndpoints(t *testing.T) {
	e := newEnv(t)
	app := e.app(t, "my-app", "GCM", map[string]string{"PlatformCredential": "k"})

	ep := e.endpoint(t, app, "token-1", api.Ptr("user 42"), nil)
	if !strings.HasPrefix(ep, "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/my-app/") || len(ep) != len("arn:aws:sns:us-east-1:123456789012:endpoint/GCM/my-app/")+36 {
		t.Fatalf("endpoint arn = %s", ep)
	}
	// Same token and attributes: the same endpoint.
	if again := e.endpoint(t, app, "token-1", api.Ptr("user 42"), map[string]string{"Enabled": "true"}); again != ep {
		t.Errorf("idempotent create = %s, want %s", again, ep)
	}
	// Same token, other attributes: AWS's error naming the endpoint.
	_, err := e.s.CreatePlatformEndpoint(bg, &snsapi.CreatePlatformEndpointInput{PlatformApplicationArn: &app, Token: api.Ptr("token-1"), CustomUserData: api.Ptr("someone else")})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Token Reason: Endpoint "+ep+" already exists with the same Token, but different attributes.")
	_, err = e.s.CreatePlatformEndpoint(bg, &snsapi.CreatePlatformEndpointInput{PlatformApplicationArn: &app, Token: api.Ptr("token-1")})
	wantError(t, err, "InvalidParameter", "")
	_, err = e.s.CreatePlatformEndpoint(bg, &snsapi.CreatePlatformEndpointInput{PlatformApplicationArn: &app, Token: api.Ptr("")})
	wantError(t, err, "InvalidParameter", "")
	_, err = e.s.CreatePlatformEndpoint(bg, &snsapi.CreatePlatformEndpointInput{PlatformApplicationArn: api.Ptr("arn:aws:sns:us-east-1:123456789012:app/GCM/nope"), Token: api.Ptr("t")})
	wantError(t, err, "NotFound", "")

	got := must(e.s.GetEndpointAttributes(bg, &snsapi.GetEndpointAttributesInput{EndpointArn: &ep}))(t)
	if got.Attributes["Token"] != "token-1" || got.Attributes["Enabled"] != "true" || got.Attributes["CustomUserData"] != "user 42" {
		t.Errorf("attributes = %v", got.Attributes)
	}

	ep2 := e.endpoint(t, app, "token-2", nil, map[string]string{"Enabled": "false"})
	// A token already used by another endpoint cannot be taken over.
	_, err = e.s.SetEndpointAttributes(bg, &snsapi.SetEndpointAttributesInput{EndpointArn: &ep2, Attributes: map[string]string{"Token": "token-1"}})
	wantError(t, err, "InvalidParameter", "")
	must(e.s.SetEndpointAttributes(bg, &snsapi.SetEndpointAttributesInput{EndpointArn: &ep2, Attributes: map[string]string{"Token": "token-3", "Enabled": "true", "CustomUserData": "x"}}))(t)
	got = must(e.s.GetEndpointAttributes(bg, &snsapi.GetEndpointAttributesInput{EndpointArn: &ep2}))(t)
	if got.Attributes["Token"] != "token-3" || got.Attributes["Enabled"] != "true" || got.Attributes["CustomUserData"] != "x" {
		t.Errorf("attributes after set = %v", got.Attributes)
	}
	// The old token is free again, the new one is taken.
	if ep4 := e.endpoint(t, app, "token-2", nil, nil); ep4 == ep2 {
		t.Error("old token still maps to the endpoint")
	}
	if again := e.endpoint(t, app, "token-3", api.Ptr("x"), nil); again != ep2 {
		t.Errorf("create with the new token = %s, want %s", again, ep2)
	}
	_, err = e.s.SetEndpointAttributes(bg, &snsapi.SetEndpointAttributesInput{EndpointArn: &ep2, Attributes: map[string]string{"Enabled": "maybe"}})
	wantError(t, err, "InvalidParameter", "")
	_, err = e.s.SetEndpointAttributes(bg, &snsapi.SetEndpointAttributesInput{EndpointArn: &ep2, Attributes: map[string]string{"Colour": "red"}})
	wantError(t, err, "InvalidParameter", "")

	list := must(e.s.ListEndpointsByPlatformApplication(bg, &snsapi.ListEndpointsByPlatformApplicationInput{PlatformApplicationArn: &app}))(t)
	if len(list.Endpoints) != 3 || list.NextToken != nil {
		t.Errorf("listed %d endpoints", len(list.Endpoints))
	}

	must(e.s.DeleteEndpoint(bg, &snsapi.DeleteEndpointInput{EndpointArn: &ep}))(t)
	must(e.s.DeleteEndpoint(bg, &snsapi.DeleteEndpointInput{EndpointArn: &ep}))(t) // idempotent
	_, err = e.s.GetEndpointAttributes(bg, &snsapi.GetEndpointAttributesInput{EndpointArn: &ep})
	wantError(t, err, "NotFound", "Endpoint does not exist")
	if again := e.endpoint(t, app, "token-1", nil, nil); again == ep {
		t.Error("deleted endpoint came back")
	}
}

func TestListEndpointsPages(t *testing.T) {
	e := newEnv(t)
	app := e.app(t, "a", "GCM", map[string]string{"PlatformCredential": "k"})
	for i := range 130 {
		e.endpoint(t, app, fmt.Sprintf("tok-%d", i), nil, nil)
	}
	seen := map[string]bool{}
	var tok *string
	for {
		out := must(e.s.ListEndpointsByPlatformApplication(bg, &snsapi.ListEndpointsByPlatformApplicationInput{PlatformApplicationArn: &app, NextToken: tok}))(t)
		for _, ep := range out.Endpoints {
			seen[*ep.EndpointArn] = true
		}
		if tok = out.NextToken; tok == nil {
			break
		}
	}
	if len(seen) != 130 {
		t.Errorf("listed %d endpoints, want 130", len(seen))
	}
}

func TestDeletePlatformApplicationDeletesEndpoints(t *testing.T) {
	e := newEnv(t)
	app := e.app(t, "a", "GCM", map[string]string{"PlatformCredential": "k"})
	other := e.app(t, "b", "GCM", map[string]string{"PlatformCredential": "k"})
	ep := e.endpoint(t, app, "tok", nil, nil)
	kept := e.endpoint(t, other, "tok", nil, nil)
	must(e.s.DeletePlatformApplication(bg, &snsapi.DeletePlatformApplicationInput{PlatformApplicationArn: &app}))(t)
	_, err := e.s.GetEndpointAttributes(bg, &snsapi.GetEndpointAttributesInput{EndpointArn: &ep})
	wantError(t, err, "NotFound", "")
	must(e.s.GetEndpointAttributes(bg, &snsapi.GetEndpointAttributesInput{EndpointArn: &kept}))(t)
	_, err = e.s.ListEndpointsByPlatformApplication(bg, &snsapi.ListEndpointsByPlatformApplicationInput{PlatformApplicationArn: &app})
	wantError(t, err, "NotFound", "")
	// Re-created, the application starts empty and the token is free.
	app = e.app(t, "a", "GCM", map[string]string{"PlatformCredential": "k"})
	list := must(e.s.ListEndpointsByPlatformApplication(bg, &snsapi.ListEndpointsByPlatformApplicationInput{PlatformApplicationArn: &app}))(t)
	if len(list.Endpoints) != 0 {
		t.Errorf("endpoints survived: %d", len(list.Endpoints))
	}
	if again := e.endpoint(t, app, "tok", api.Ptr("new"), nil); again == ep {
		t.Error("endpoint survived its application")
	}
}

func TestPublishToEndpoint(t *testing.T) {
	e := newEnv(t)
	gcmApp := e.app(t, "a", "GCM", map[string]string{"PlatformCredential": "k"})
	apnsApp := e.app(t, "a", "APNS", nil)
	gcm := e.endpoint(t, gcmApp, "gcm-token", nil, nil)
	apns := e.endpoint(t, apnsApp, "apns-token", nil, nil)

	msg := `{"default":"plain","GCM":"{\"notification\":{\"body\":\"hi\"}}","APNS":"{\"aps\":{\"alert\":\"hi\"}}"}`
	e.publish(t, &snsapi.PublishInput{TargetArn: &gcm, MessageStructure: api.Ptr("json"), Message: &msg})
	e.publish(t, &snsapi.PublishInput{TargetArn: &apns, MessageStructure: api.Ptr("json"), Message: api.Ptr(`{"default":"only default"}`)})
	out := e.publish(t, &snsapi.PublishInput{TargetArn: &apns, Message: api.Ptr("raw text")})
	if api.Deref(out.MessageId) == "" {
		t.Error("no MessageId")
	}
	got := e.pushes(t)
	if len(got) != 3 {
		t.Fatalf("pushes = %+v", got)
	}
	if got[0].To[0] != gcm || got[0].Text != `{"notification":{"body":"hi"}}` || got[0].From != gcmApp || got[0].Subject != "GCM" || got[0].Account != testAccount {
		t.Errorf("GCM push = %+v", got[0])
	}
	if got[1].To[0] != apns || got[1].Text != "only default" || got[2].Text != "raw text" {
		t.Errorf("APNS pushes = %+v", got[1:])
	}

	// A disabled endpoint refuses; a deleted one is not found.
	must(e.s.SetEndpointAttributes(bg, &snsapi.SetEndpointAttributesInput{EndpointArn: &gcm, Attributes: map[string]string{"Enabled": "false"}}))(t)
	_, err := e.s.Publish(bg, &snsapi.PublishInput{TargetArn: &gcm, Message: api.Ptr("x")})
	wantError(t, err, "EndpointDisabled", "Endpoint is disabled")
	must(e.s.DeleteEndpoint(bg, &snsapi.DeleteEndpointInput{EndpointArn: &gcm}))(t)
	_, err = e.s.Publish(bg, &snsapi.PublishInput{TargetArn: &gcm, Message: api.Ptr("x")})
	wantError(t, err, "NotFound", "Endpoint does not exist")
	// A disabled application refuses too.
	must(e.s.SetPlatformApplicationAttributes(bg, &snsapi.SetPlatformApplicationAttributesInput{PlatformApplicationArn: &apnsApp, Attributes: map[string]string{"Enabled": "false"}}))(t)
	_, err = e.s.Publish(bg, &snsapi.PublishInput{TargetArn: &apns, Message: api.Ptr("x")})
	wantError(t, err, "PlatformApplicationDisabled", "")
	_, err = e.s.Publish(bg, &snsapi.PublishInput{TargetArn: &apns, TopicArn: api.Ptr("arn:aws:sns:us-east-1:123456789012:t"), Message: api.Ptr("x")})
	wantError(t, err, "InvalidParameter", "")
	if n := len(e.pushes(t)); n != 3 {
		t.Errorf("%d pushes after refusals, want 3", n)
	}
}

func TestTopicToApplicationSubscription(t *testing.T) {
	e := newEnv(t)
	gcmApp := e.app(t, "a", "GCM", map[string]string{"PlatformCredential": "k"})
	apnsApp := e.app(t, "a", "APNS_SANDBOX", nil)
	gcm := e.endpoint(t, gcmApp, "gcm-token", nil, nil)
	apns := e.endpoint(t, apnsApp, "apns-token", nil, nil)
	off := e.endpoint(t, gcmApp, "off-token", nil, map[string]string{"Enabled": "false"})
	topic := e.topic(t, "news", nil)
	for _, ep := range []string{gcm, apns, off} {
		e.subscribe(t, topic, "application", ep, nil)
	}
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, MessageStructure: api.Ptr("json"),
		Message: api.Ptr(`{"default":"plain","GCM":"{\"data\":{\"k\":\"v\"}}","APNS_SANDBOX":"{\"aps\":{\"alert\":\"sandbox\"}}"}`)})
	var got []mailbox.Mail
	eventually(t, "two pushes", func() bool { got = e.pushes(t); return len(got) >= 2 })
	byTo := map[string]string{}
	for _, m := range got {
		byTo[m.To[0]] = m.Text
	}
	if len(got) != 2 || byTo[gcm] != `{"data":{"k":"v"}}` || byTo[apns] != `{"aps":{"alert":"sandbox"}}` {
		t.Errorf("pushes = %v", byTo)
	}
}
