package lambda

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/store"
)

// Function URLs. A URL config belongs to the function unqualified, to
// $LATEST or to an alias (never to a version), and is stored at
// url/<name>/<qualifier> in the function's namespace. Its url-id is derived
// from account, region, name and qualifier, so it is stable for one
// function and qualifier; the account-less namespace maps it back
// (urlid/<id>) for the HTTP side, which kiri serves at
// http://<url-id>.lambda-url.<region>.localhost:<port>/ and
// http://<host:port>/_kiri/lambda-url/<url-id>/.

// urlRecord is one function URL config.
type urlRecord struct {
	Qualifier  string          `json:"qualifier"`
	AuthType   string          `json:"authType"`
	Cors       *lambdaapi.Cors `json:"cors,omitempty"`
	InvokeMode string          `json:"invokeMode"`
	Created    time.Time       `json:"created"`
	Modified   time.Time       `json:"modified"`
}

// urlIndex says which function a url-id names.
type urlIndex struct {
	Account   string `json:"account"`
	Region    string `json:"region"`
	Name      string `json:"name"`
	Qualifier string `json:"qualifier"`
}

func urlKey(ref fnRef) []byte { return ref.ns().Key("url", ref.name, ref.qualifier) }

func urlIndexKey(id string) []byte { return store.NS("lambda", "", "").Key("urlid", id) }

// URLID is the 32-character lower-case url-id of a function URL.
func URLID(account, region, name, qualifier string) string {
	sum := sha256.Sum256([]byte(account + "/" + region + "/" + name + "/" + qualifier))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:20]))
}

// functionURL is the URL as CreateFunctionUrlConfig returns it:
// http://<url-id>.lambda-url.<region>.localhost:<port>/, AWS's
// https://<url-id>.lambda-url.<region>.on.aws/ made reachable on kiri.
func (s *Service) functionURL(ref fnRef) string {
	id := URLID(ref.account, ref.region, ref.name, ref.qualifier)
	port := ""
	if u, err := url.Parse(s.cfg.Endpoint); err == nil && u.Port() != "" {
		port = ":" + u.Port()
	}
	return "http://" + id + ".lambda-url." + ref.region + ".localhost" + port + "/"
}

// urlTime is the ISO-8601 form of CreationTime and LastModifiedTime.
func urlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func (r *urlRecord) toAPI(s *Service, ref fnRef) *lambdaapi.FunctionUrlConfig {
	return &lambdaapi.FunctionUrlConfig{
		FunctionUrl: api.Ptr(s.functionURL(ref)), FunctionArn: api.Ptr(ref.qualifiedArn()),
		CreationTime: api.Ptr(urlTime(r.Created)), LastModifiedTime: api.Ptr(urlTime(r.Modified)),
		Cors: r.Cors, AuthType: api.Ptr(r.AuthType), InvokeMode: api.Ptr(r.InvokeMode),
	}
}

func validationError(format string, args ...any) error {
	return protocol.Errorf("ValidationException", http.StatusBadRequest, format, args...)
}

// urlRef resolves FunctionName and Qualifier; a URL's qualifier is an
// alias or $LATEST, never a version.
func (s *Service) urlRef(ctx context.Context, name, qualifier *string) (fnRef, error) {
	ref, err := s.resolveName(ctx, name, qualifier)
	if err != nil {
		return ref, err
	}
	if isVersion(ref.qualifier) {
		return ref, validationError("1 validation error detected: Value '%s' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))", ref.qualifier)
	}
	return ref, nil
}

func validateURLConfig(authType, invokeMode *string, cors *lambdaapi.Cors) error {
	if authType != nil && *authType != lambdaapi.FunctionUrlAuthTypeNone && *authType != lambdaapi.FunctionUrlAuthTypeAwsIam {
		return validationError("1 validation error detected: Value '%s' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_IAM, NONE]", *authType)
	}
	if invokeMode != nil && *invokeMode != lambdaapi.InvokeModeBuffered && *invokeMode != lambdaapi.InvokeModeResponseStream {
		return validationError("1 validation error detected: Value '%s' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]", *invokeMode)
	}
	if cors != nil && cors.MaxAge != nil && (*cors.MaxAge < 0 || *cors.MaxAge > 86400) {
		return validationError("1 validation error detected: Value '%d' at 'cors.maxAge' failed to satisfy constraint: Member must have value %s", *cors.MaxAge, bound(*cors.MaxAge < 0, "greater than or equal to 0", "less than or equal to 86400"))
	}
	if cors != nil {
		for _, m := range cors.AllowMethods {
			if m != "*" && (len(m) > 6 || strings.ToUpper(m) != m || m == "") {
				return validationError("1 validation error detected: Value '[%s]' at 'cors.allowMethods' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 6, Member must satisfy regular expression pattern: .*]", strings.Join(cors.AllowMethods, ", "))
			}
		}
	}
	return nil
}

func urlNotFound() error {
	return lambdaapi.NewResourceNotFoundException("The resource you requested does not exist.")
}

// CreateFunctionUrlConfig creates the URL of a function or alias.
func (s *Service) CreateFunctionUrlConfig(ctx context.Context, in *lambdaapi.CreateFunctionUrlConfigRequest) (*lambdaapi.CreateFunctionUrlConfigResponse, error) {
	if in.AuthType == nil {
		return nil, validationError("1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null")
	}
	if err := validateURLConfig(in.AuthType, in.InvokeMode, in.Cors); err != nil {
		return nil, err
	}
	ref, err := s.urlRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := urlRecord{Qualifier: ref.qualifier, AuthType: *in.AuthType, Cors: in.Cors,
		InvokeMode: orDefault(api.Deref(in.InvokeMode), lambdaapi.InvokeModeBuffered), Created: now, Modified: now}
	err = s.st.Update(func(tx store.Tx) error {
		if err := checkQualifierExists(tx, ref); err != nil {
			return err
		}
		if _, ok := tx.Get(urlKey(ref)); ok {
			return lambdaapi.NewResourceConflictException("Failed to create function url config for [functionArn = %s]. Error message:  FunctionUrlConfig exists for this Lambda function", ref.qualifiedArn())
		}
		if err := store.PutJSON(tx, urlKey(ref), &r); err != nil {
			return err
		}
		id := URLID(ref.account, ref.region, ref.name, ref.qualifier)
		return store.PutJSON(tx, urlIndexKey(id), &urlIndex{Account: ref.account, Region: ref.region, Name: ref.name, Qualifier: ref.qualifier})
	})
	if err != nil {
		return nil, err
	}
	c := r.toAPI(s, ref)
	return &lambdaapi.CreateFunctionUrlConfigResponse{FunctionUrl: c.FunctionUrl, FunctionArn: c.FunctionArn, AuthType: c.AuthType,
		Cors: c.Cors, CreationTime: c.CreationTime, InvokeMode: c.InvokeMode}, nil
}

// GetFunctionUrlConfig returns a URL config.
func (s *Service) GetFunctionUrlConfig(ctx context.Context, in *lambdaapi.GetFunctionUrlConfigRequest) (*lambdaapi.GetFunctionUrlConfigResponse, error) {
	ref, err := s.urlRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	var r urlRecord
	err = s.st.View(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		ok, err := store.GetJSON(tx, urlKey(ref), &r)
		if err == nil && !ok {
			err = urlNotFound()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	c := r.toAPI(s, ref)
	return &lambdaapi.GetFunctionUrlConfigResponse{FunctionUrl: c.FunctionUrl, FunctionArn: c.FunctionArn, AuthType: c.AuthType,
		Cors: c.Cors, CreationTime: c.CreationTime, LastModifiedTime: c.LastModifiedTime, InvokeMode: c.InvokeMode}, nil
}

// UpdateFunctionUrlConfig changes the members given; Cors, when given,
// replaces the whole CORS configuration.
func (s *Service) UpdateFunctionUrlConfig(ctx context.Context, in *lambdaapi.UpdateFunctionUrlConfigRequest) (*lambdaapi.UpdateFunctionUrlConfigResponse, error) {
	if err := validateURLConfig(in.AuthType, in.InvokeMode, in.Cors); err != nil {
		return nil, err
	}
	ref, err := s.urlRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	var r urlRecord
	err = s.st.Update(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		ok, err := store.GetJSON(tx, urlKey(ref), &r)
		if err != nil {
			return err
		}
		if !ok {
			return urlNotFound()
		}
		if in.AuthType != nil {
			r.AuthType = *in.AuthType
		}
		if in.InvokeMode != nil {
			r.InvokeMode = *in.InvokeMode
		}
		if in.Cors != nil {
			r.Cors = in.Cors
		}
		r.Modified = s.now()
		return store.PutJSON(tx, urlKey(ref), &r)
	})
	if err != nil {
		return nil, err
	}
	c := r.toAPI(s, ref)
	return &lambdaapi.UpdateFunctionUrlConfigResponse{FunctionUrl: c.FunctionUrl, FunctionArn: c.FunctionArn, AuthType: c.AuthType,
		Cors: c.Cors, CreationTime: c.CreationTime, LastModifiedTime: c.LastModifiedTime, InvokeMode: c.InvokeMode}, nil
}

// DeleteFunctionUrlConfig deletes a URL config; its address stops answering.
func (s *Service) DeleteFunctionUrlConfig(ctx context.Context, in *lambdaapi.DeleteFunctionUrlConfigRequest) (*lambdaapi.DeleteFunctionUrlConfigOutput, error) {
	ref, err := s.urlRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		if _, ok := tx.Get(urlKey(ref)); !ok {
			return urlNotFound()
		}
		if err := tx.Delete(urlKey(ref)); err != nil {
			return err
		}
		return tx.Delete(urlIndexKey(URLID(ref.account, ref.region, ref.name, ref.qualifier)))
	})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.DeleteFunctionUrlConfigOutput{}, nil
}

// ListFunctionUrlConfigs lists a function's URL configs by qualifier.
func (s *Service) ListFunctionUrlConfigs(ctx context.Context, in *lambdaapi.ListFunctionUrlConfigsRequest) (*lambdaapi.ListFunctionUrlConfigsResponse, error) {
	ref, err := s.resolveName(ctx, in.FunctionName, nil)
	if err != nil {
		return nil, err
	}
	ref.qualifier = ""
	if in.MaxItems != nil && (*in.MaxItems < 1 || *in.MaxItems > 50) {
		return nil, validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value %s", *in.MaxItems, bound(*in.MaxItems < 1, "greater than or equal to 1", "less than or equal to 50"))
	}
	page := newPager(in.Marker, in.MaxItems)
	out := &lambdaapi.ListFunctionUrlConfigsResponse{FunctionUrlConfigs: []lambdaapi.FunctionUrlConfig{}}
	err = s.st.View(func(tx store.Tx) error {
		if _, err := getFunction(tx, ref); err != nil {
			return err
		}
		return tx.Scan(ref.ns().Prefix("url", ref.name), page.start(ref.ns(), "url", ref.name), func(_, v []byte) error {
			var r urlRecord
			if err := jsonDecode(v, &r); err != nil {
				return err
			}
			if !page.take(r.Qualifier) {
				return store.ErrStop
			}
			q := ref
			q.qualifier = r.Qualifier
			out.FunctionUrlConfigs = append(out.FunctionUrlConfigs, *r.toAPI(s, q))
			return nil
		})
	})
	out.NextMarker = page.next
	return out, err
}

// FunctionURL is what the HTTP side of a function URL needs to serve it.
type FunctionURL struct {
	ID         string
	Account    string
	Region     string
	Name       string
	Qualifier  string // "" for the unqualified function
	ARN        string // qualified when Qualifier is set
	AuthType   string
	InvokeMode string
	Cors       *lambdaapi.Cors
}

// LookupFunctionURL finds the function URL with url-id id; ok is false
// when there is none (deleted, or its function deleted).
func (s *Service) LookupFunctionURL(id string) (fu *FunctionURL, ok bool, err error) {
	err = s.st.View(func(tx store.Tx) error {
		var ix urlIndex
		found, err := store.GetJSON(tx, urlIndexKey(id), &ix)
		if err != nil || !found {
			return err
		}
		ref := fnRef{scope: scope{account: ix.Account, region: ix.Region}, name: ix.Name, qualifier: ix.Qualifier}
		var r urlRecord
		if found, err = store.GetJSON(tx, urlKey(ref), &r); err != nil || !found {
			return err
		}
		fu = &FunctionURL{ID: id, Account: ix.Account, Region: ix.Region, Name: ix.Name, Qualifier: ix.Qualifier,
			ARN: ref.qualifiedArn(), AuthType: r.AuthType, InvokeMode: r.InvokeMode, Cors: r.Cors}
		return nil
	})
	return fu, fu != nil, err
}
