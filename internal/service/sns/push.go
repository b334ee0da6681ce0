package sns

// Mobile push: platform applications, their endpoints, and Publish to an
// endpoint (directly with TargetArn, or through an "application"
// subscription of a topic).
//
// kiri cannot talk to Apple, Google, Amazon, Baidu or Microsoft, so it takes
// any non-empty PlatformCredential / PlatformPrincipal and delivers push
// notifications to its outbound mailbox instead, as a mail with
//
//	Source  "sns-push"
//	From    the platform application's ARN
//	To      [the endpoint's ARN] (stable, unlike the device token, which SetEndpointAttributes may change)
//	Subject the platform (GCM, APNS, …)
//	Text    the platform's body: MessageStructure json's entry for the platform ("GCM", "APNS", …), else "default"
//
// Key layout inside the namespace ("sns", account, region), next to the
// topics (see state.go):
//
//	("app", platform, name)                 → appRec
//	("endpoint", platform, app, id)         → endpointRec; ARN …:endpoint/<platform>/<app>/<id>
//	("endpointtoken", platform, app, token) → the id of the app's endpoint with that device token
//
// Endpoints sort under their application, so listing and cascading deletes
// are prefix scans.

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/mailbox"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

const (
	platformAppsPerPage = 100
	endpointsPerPage    = 100
	maxCustomUserData   = 2048
)

// platforms are the push platforms SNS supports, with whether each needs a
// PlatformPrincipal besides its PlatformCredential: APNS's certificate (or
// signing key id), ADM's client id, Baidu's API key, WNS's package SID.
// GCM (FCM) has none; MPNS only for authenticated (TLS) notifications.
var platforms = map[string]bool{
	"ADM": true, "APNS": true, "APNS_SANDBOX": true, "BAIDU": true, "GCM": false, "MPNS": false, "WNS": true,
}

// platformAppAttributes are the attributes Create/SetPlatformApplicationAttributes accept.
var platformAppAttributes = map[string]bool{
	"PlatformCredential": true, "PlatformPrincipal": true,
	"EventEndpointCreated": true, "EventEndpointDeleted": true, "EventEndpointUpdated": true, "EventDeliveryFailure": true,
	"SuccessFeedbackRoleArn": true, "FailureFeedbackRoleArn": true, "SuccessFeedbackSampleRate": true,
	"ApplePlatformTeamID": true, "ApplePlatformBundleID": true, "AuthenticationMethod": true,
	"Enabled": true,
}

// appRec is a stored platform application. Attrs holds what the user set,
// PlatformCredential included (never returned).
type appRec struct {
	Platform string            `json:"platform"`
	Name     string            `json:"name"`
	Attrs    map[string]string `json:"attrs,omitempty"`
}

func (a *appRec) enabled() bool { return a.Attrs["Enabled"] != "false" }

// endpointRec is a stored platform endpoint. Attrs holds Token, Enabled
// and CustomUserData (when set).
type endpointRec struct {
	ID       string            `json:"id"`
	Platform string            `json:"platform"`
	App      string            `json:"app"`
	Attrs    map[string]string `json:"attrs"`
}

func (e *endpointRec) enabled() bool { return e.Attrs["Enabled"] != "false" }

func (r *region) appArn(platform, name string) string {
	return "arn:aws:sns:" + r.name + ":" + r.account + ":app/" + platform + "/" + name
}

func (r *region) endpointArn(e *endpointRec) string {
	return "arn:aws:sns:" + r.name + ":" + r.account + ":endpoint/" + e.Platform + "/" + e.App + "/" + e.ID
}

// appRef is a parsed platform application ARN; endpointRef a parsed
// endpoint ARN.
type appRef struct{ account, region, platform, name string }

type endpointRef struct {
	appRef
	id string
}

// splitPushArn splits arn:aws:sns:<region>:<account>:<kind>/<parts…>.
func splitPushArn(arn, kind string, n int) (acct, reg string, parts []string, ok bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[2] != "sns" || f[3] == "" || f[4] == "" {
		return "", "", nil, false
	}
	rest, found := strings.CutPrefix(f[5], kind+"/")
	if !found {
		return "", "", nil, false
	}
	parts = strings.Split(rest, "/")
	if len(parts) != n {
		return "", "", nil, false
	}
	for _, p := range parts {
		if p == "" {
			return "", "", nil, false
		}
	}
	return f[4], f[3], parts, true
}

func parseAppArn(arn *string) (appRef, error) {
	acct, reg, p, ok := splitPushArn(api.Deref(arn), "app", 2)
	if !ok {
		return appRef{}, invalid("Invalid parameter: PlatformApplicationArn")
	}
	return appRef{acct, reg, p[0], p[1]}, nil
}

// isEndpointArn reports whether arn names a platform endpoint (rather than
// a topic).
func isEndpointArn(arn string) bool {
	_, _, _, ok := splitPushArn(arn, "endpoint", 3)
	return ok
}

func parseEndpointArn(arn *string, param string) (endpointRef, error) {
	acct, reg, p, ok := splitPushArn(api.Deref(arn), "endpoint", 3)
	if !ok {
		return endpointRef{}, invalid("Invalid parameter: %s", param)
	}
	return endpointRef{appRef{acct, reg, p[0], p[1]}, p[2]}, nil
}

// deliveryProtocol is the key of a MessageStructure json message whose
// body sub receives: its protocol, or for application subscriptions the
// platform of its endpoint (GCM, APNS, …), as on AWS.
func deliveryProtocol(sub *subRec) string {
	if sub.Protocol == "application" {
		if _, _, p, ok := splitPushArn(sub.Endpoint, "endpoint", 3); ok {
			return p[0]
		}
	}
	return sub.Protocol
}

func (r *region) app(platform, name string) (*appRec, error) {
	var a appRec
	ok, err := store.GetJSON(r.tx, r.ns.Key("app", platform, name), &a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, snsapi.NewNotFoundException("PlatformApplication does not exist")
	}
	return &a, nil
}

func (r *region) endpoint(ref endpointRef) (*endpointRec, error) {
	var e endpointRec
	ok, err := store.GetJSON(r.tx, r.ns.Key("endpoint", ref.platform, ref.name, ref.id), &e)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, snsapi.NewNotFoundException("Endpoint does not exist")
	}
	return &e, nil
}

func (r *region) putEndpoint(e *endpointRec) error {
	if err := store.PutJSON(r.tx, r.ns.Key("endpoint", e.Platform, e.App, e.ID), e); err != nil {
		return err
	}
	return r.tx.Put(r.ns.Key("endpointtoken", e.Platform, e.App, e.Attrs["Token"]), []byte(e.ID))
}

func (r *region) deleteEndpoint(e *endpointRec) error {
	tokKey := r.ns.Key("endpointtoken", e.Platform, e.App, e.Attrs["Token"])
	if id, ok := r.tx.Get(tokKey); ok && string(id) == e.ID {
		if err := r.tx.Delete(tokKey); err != nil {
			return err
		}
	}
	return r.tx.Delete(r.ns.Key("endpoint", e.Platform, e.App, e.ID))
}

// validAppName: 1–256 letters, digits, '_', '-' and '.', as AWS allows.
func validAppName(name string) bool {
	if name == "" || len(name) > 256 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// checkAppAttribute validates one platform application attribute.
func checkAppAttribute(name, value string) error {
	if !platformAppAttributes[name] {
		return invalid("Invalid parameter: Attributes Reason: Invalid attribute name: %s", name)
	}
	switch name {
	case "PlatformCredential", "PlatformPrincipal":
		if value == "" {
			return invalid("Invalid parameter: Attributes Reason: %s must not be empty", name)
		}
	case "SuccessFeedbackSampleRate":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 100 {
			return invalid("Invalid parameter: Attributes Reason: SuccessFeedbackSampleRate must be an integer between 0 and 100")
		}
	case "Enabled":
		if value != "true" && value != "false" {
			return invalid("Invalid parameter: Attributes Reason: Enabled must be true or false")
		}
	}
	return nil
}

func (s *Service) CreatePlatformApplication(ctx context.Context, in *snsapi.CreatePlatformApplicationInput) (*snsapi.CreatePlatformApplicationResponse, error) {
	name, platform := api.Deref(in.Name), api.Deref(in.Platform)
	if !validAppName(name) {
		return nil, invalid("Invalid parameter: Name Reason: must be at most 256 characters long and may only contain alphanumeric characters, hyphens, underscores and periods")
	}
	needsPrincipal, ok := platforms[platform]
	if !ok {
		return nil, invalid("Invalid parameter: Platform Reason: %s is not supported", platform)
	}
	attrs := map[string]string{}
	for k, v := range in.Attributes {
		if err := checkAppAttribute(k, v); err != nil {
			return nil, err
		}
		attrs[k] = v
	}
	if attrs["PlatformCredential"] == "" {
		return nil, invalid("Invalid parameter: Attributes Reason: PlatformCredential attribute is required")
	}
	if needsPrincipal && attrs["PlatformPrincipal"] == "" {
		return nil, invalid("Invalid parameter: Attributes Reason: PlatformPrincipal attribute is required for %s", platform)
	}
	var arn string
	err := s.update(ctx, func(r *region) error {
		arn = r.appArn(platform, name)
		// Creating an existing application again updates its attributes
		// and keeps its endpoints, as CreateTopic on an existing topic.
		a, err := r.app(platform, name)
		if err != nil && !isNotFound(err) {
			return err
		}
		if a == nil {
			a = &appRec{Platform: platform, Name: name, Attrs: map[string]string{}}
		}
		maps.Copy(a.Attrs, attrs)
		return store.PutJSON(r.tx, r.ns.Key("app", platform, name), a)
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.CreatePlatformApplicationResponse{PlatformApplicationArn: api.Ptr(arn)}, nil
}

// appAttributes are the attributes GetPlatformApplicationAttributes and
// ListPlatformApplications show: never the PlatformCredential, as AWS.
func appAttributes(a *appRec) map[string]string {
	out := map[string]string{"Enabled": "true"}
	for k, v := range a.Attrs {
		if k != "PlatformCredential" {
			out[k] = v
		}
	}
	return out
}

func (s *Service) GetPlatformApplicationAttributes(ctx context.Context, in *snsapi.GetPlatformApplicationAttributesInput) (*snsapi.GetPlatformApplicationAttributesResponse, error) {
	ref, err := parseAppArn(in.PlatformApplicationArn)
	if err != nil {
		return nil, err
	}
	out := &snsapi.GetPlatformApplicationAttributesResponse{}
	err = s.viewIn(ref.account, ref.region, func(r *region) error {
		a, err := r.app(ref.platform, ref.name)
		if err != nil {
			return err
		}
		out.Attributes = appAttributes(a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) SetPlatformApplicationAttributes(ctx context.Context, in *snsapi.SetPlatformApplicationAttributesInput) (*snsapi.SetPlatformApplicationAttributesOutput, error) {
	ref, err := parseAppArn(in.PlatformApplicationArn)
	if err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		if err := checkAppAttribute(k, v); err != nil {
			return nil, err
		}
	}
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		a, err := r.app(ref.platform, ref.name)
		if err != nil {
			return err
		}
		if a.Attrs == nil {
			a.Attrs = map[string]string{}
		}
		maps.Copy(a.Attrs, in.Attributes)
		return store.PutJSON(r.tx, r.ns.Key("app", a.Platform, a.Name), a)
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.SetPlatformApplicationAttributesOutput{}, nil
}

func (s *Service) ListPlatformApplications(ctx context.Context, in *snsapi.ListPlatformApplicationsInput) (*snsapi.ListPlatformApplicationsResponse, error) {
	out := &snsapi.ListPlatformApplicationsResponse{PlatformApplications: []snsapi.PlatformApplication{}}
	err := s.view(ctx, func(r *region) error {
		start, err := r.resumeKey(in.NextToken, 2, "app")
		if err != nil {
			return err
		}
		return scanJSON(r.tx, r.ns.Prefix("app"), start, func(_ []byte, a *appRec) error {
			if len(out.PlatformApplications) == platformAppsPerPage {
				out.NextToken = api.Ptr(encodeToken(a.Platform + "/" + a.Name))
				return store.ErrStop
			}
			out.PlatformApplications = append(out.PlatformApplications, snsapi.PlatformApplication{
				PlatformApplicationArn: api.Ptr(r.appArn(a.Platform, a.Name)), Attributes: appAttributes(a),
			})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeletePlatformApplication deletes the application and its endpoints; an
// application that does not exist is no error, as on AWS.
func (s *Service) DeletePlatformApplication(ctx context.Context, in *snsapi.DeletePlatformApplicationInput) (*snsapi.DeletePlatformApplicationOutput, error) {
	ref, err := parseAppArn(in.PlatformApplicationArn)
	if err != nil {
		return nil, err
	}
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		var keys [][]byte
		collect := func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		}
		if err := r.tx.Scan(r.ns.Prefix("endpoint", ref.platform, ref.name), nil, collect); err != nil {
			return err
		}
		if err := r.tx.Scan(r.ns.Prefix("endpointtoken", ref.platform, ref.name), nil, collect); err != nil {
			return err
		}
		keys = append(keys, r.ns.Key("app", ref.platform, ref.name))
		for _, k := range keys {
			if err := r.tx.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.DeletePlatformApplicationOutput{}, nil
}

// checkEndpointAttribute validates one endpoint attribute.
func checkEndpointAttribute(name, value string) error {
	switch name {
	case "CustomUserData":
		if len(value) > maxCustomUserData {
			return invalid("Invalid parameter: Attributes Reason: CustomUserData must be less than 2KB")
		}
	case "Enabled":
		if value != "true" && value != "false" {
			return invalid("Invalid parameter: Attributes Reason: Enabled must be true or false")
		}
	case "Token":
		if value == "" {
			return invalid("Invalid parameter: Token Reason: cannot be empty")
		}
	default:
		return invalid("Invalid parameter: Attributes Reason: Invalid attribute name: %s", name)
	}
	return nil
}

// CreatePlatformEndpoint is idempotent: an endpoint of the application
// with the same token whose attributes agree with the request (its
// CustomUserData, and every attribute the request gives) is returned as
// is; one that disagrees is an InvalidParameter error naming it, as on AWS.
func (s *Service) CreatePlatformEndpoint(ctx context.Context, in *snsapi.CreatePlatformEndpointInput) (*snsapi.CreateEndpointResponse, error) {
	ref, err := parseAppArn(in.PlatformApplicationArn)
	if err != nil {
		return nil, err
	}
	token := api.Deref(in.Token)
	if token == "" {
		return nil, invalid("Invalid parameter: Token Reason: cannot be empty")
	}
	attrs := map[string]string{}
	for k, v := range in.Attributes {
		if err := checkEndpointAttribute(k, v); err != nil {
			return nil, err
		}
		attrs[k] = v
	}
	if in.CustomUserData != nil {
		if err := checkEndpointAttribute("CustomUserData", *in.CustomUserData); err != nil {
			return nil, err
		}
		attrs["CustomUserData"] = *in.CustomUserData
	}
	attrs["Token"] = token
	var arn string
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		if _, err := r.app(ref.platform, ref.name); err != nil {
			return err
		}
		if id, ok := r.tx.Get(r.ns.Key("endpointtoken", ref.platform, ref.name, token)); ok {
			old, err := r.endpoint(endpointRef{ref, string(id)})
			if err != nil {
				return err
			}
			arn = r.endpointArn(old)
			same := old.Attrs["CustomUserData"] == attrs["CustomUserData"]
			for k, v := range attrs {
				same = same && old.Attrs[k] == v
			}
			if !same {
				return invalid("Invalid parameter: Token Reason: Endpoint %s already exists with the same Token, but different attributes.", arn)
			}
			return nil
		}
		if attrs["Enabled"] == "" {
			attrs["Enabled"] = "true"
		}
		e := &endpointRec{ID: request.NewID(), Platform: ref.platform, App: ref.name, Attrs: attrs}
		arn = r.endpointArn(e)
		return r.putEndpoint(e)
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.CreateEndpointResponse{EndpointArn: api.Ptr(arn)}, nil
}

func (s *Service) GetEndpointAttributes(ctx context.Context, in *snsapi.GetEndpointAttributesInput) (*snsapi.GetEndpointAttributesResponse, error) {
	ref, err := parseEndpointArn(in.EndpointArn, "EndpointArn")
	if err != nil {
		return nil, err
	}
	out := &snsapi.GetEndpointAttributesResponse{}
	err = s.viewIn(ref.account, ref.region, func(r *region) error {
		e, err := r.endpoint(ref)
		if err != nil {
			return err
		}
		out.Attributes = maps.Clone(e.Attrs)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) SetEndpointAttributes(ctx context.Context, in *snsapi.SetEndpointAttributesInput) (*snsapi.SetEndpointAttributesOutput, error) {
	ref, err := parseEndpointArn(in.EndpointArn, "EndpointArn")
	if err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		if err := checkEndpointAttribute(k, v); err != nil {
			return nil, err
		}
	}
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		e, err := r.endpoint(ref)
		if err != nil {
			return err
		}
		if tok, ok := in.Attributes["Token"]; ok && tok != e.Attrs["Token"] {
			if id, taken := r.tx.Get(r.ns.Key("endpointtoken", e.Platform, e.App, tok)); taken && string(id) != e.ID {
				return invalid("Invalid parameter: Token Reason: Endpoint %s already exists with the same Token", r.endpointArn(&endpointRec{ID: string(id), Platform: e.Platform, App: e.App}))
			}
			if err := r.deleteEndpoint(e); err != nil { // drops the old token's index entry
				return err
			}
		}
		maps.Copy(e.Attrs, in.Attributes)
		return r.putEndpoint(e)
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.SetEndpointAttributesOutput{}, nil
}

func (s *Service) ListEndpointsByPlatformApplication(ctx context.Context, in *snsapi.ListEndpointsByPlatformApplicationInput) (*snsapi.ListEndpointsByPlatformApplicationResponse, error) {
	ref, err := parseAppArn(in.PlatformApplicationArn)
	if err != nil {
		return nil, err
	}
	out := &snsapi.ListEndpointsByPlatformApplicationResponse{Endpoints: []snsapi.Endpoint{}}
	err = s.viewIn(ref.account, ref.region, func(r *region) error {
		if _, err := r.app(ref.platform, ref.name); err != nil {
			return err
		}
		start, err := r.resumeKey(in.NextToken, 1, "endpoint", ref.platform, ref.name)
		if err != nil {
			return err
		}
		return scanJSON(r.tx, r.ns.Prefix("endpoint", ref.platform, ref.name), start, func(_ []byte, e *endpointRec) error {
			if len(out.Endpoints) == endpointsPerPage {
				out.NextToken = api.Ptr(encodeToken(e.ID))
				return store.ErrStop
			}
			out.Endpoints = append(out.Endpoints, snsapi.Endpoint{EndpointArn: api.Ptr(r.endpointArn(e)), Attributes: maps.Clone(e.Attrs)})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteEndpoint is idempotent: deleting an endpoint that does not exist
// succeeds, as on AWS. Subscriptions to it stay (AWS keeps them too) and
// deliver nothing.
func (s *Service) DeleteEndpoint(ctx context.Context, in *snsapi.DeleteEndpointInput) (*snsapi.DeleteEndpointOutput, error) {
	ref, err := parseEndpointArn(in.EndpointArn, "EndpointArn")
	if err != nil {
		return nil, err
	}
	err = s.updateIn(ref.account, ref.region, func(r *region) error {
		e, err := r.endpoint(ref)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return r.deleteEndpoint(e)
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.DeleteEndpointOutput{}, nil
}

// pushTarget looks up the endpoint arn and its application for a push:
// NotFound when either is gone, EndpointDisabled / PlatformApplicationDisabled
// when disabled.
func (s *Service) pushTarget(arn string) (ref endpointRef, appArn string, err error) {
	ref, err = parseEndpointArn(&arn, "TargetArn")
	if err != nil {
		return ref, "", err
	}
	err = s.viewIn(ref.account, ref.region, func(r *region) error {
		e, err := r.endpoint(ref)
		if err != nil {
			return err
		}
		a, err := r.app(ref.platform, ref.name)
		if err != nil {
			return snsapi.NewNotFoundException("Endpoint does not exist")
		}
		appArn = r.appArn(a.Platform, a.Name)
		if !a.enabled() {
			return snsapi.NewPlatformApplicationDisabledException("Platform application is disabled")
		}
		if !e.enabled() {
			return snsapi.NewEndpointDisabledException("Endpoint is disabled")
		}
		return nil
	})
	return ref, appArn, err
}

// push delivers body to the endpoint arn: into the outbound mailbox.
func (s *Service) push(ctx context.Context, arn, body string) error {
	ref, appArn, err := s.pushTarget(arn)
	if err != nil {
		return err
	}
	if s.cfg.Mailbox == nil {
		return fmt.Errorf("no mailbox configured")
	}
	_, err = s.cfg.Mailbox.Deliver(ctx, mailbox.Mail{
		Account: ref.account, Source: "sns-push", From: appArn, To: []string{arn},
		Subject: ref.platform, Text: body, Time: s.now(),
	})
	return err
}

// publishToEndpoint is Publish with a TargetArn naming a platform
// endpoint: the platform's body goes straight to the endpoint.
func (s *Service) publishToEndpoint(ctx context.Context, arn string, m *message) (*snsapi.PublishResponse, error) {
	ref, err := parseEndpointArn(&arn, "TargetArn")
	if err != nil {
		return nil, err
	}
	if err := s.push(ctx, arn, m.bodyFor(ref.platform)); err != nil {
		return nil, err
	}
	return &snsapi.PublishResponse{MessageId: api.Ptr(request.NewID())}, nil
}
