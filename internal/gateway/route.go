package gateway

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// route finds the service a request is for, from the strongest clue to the
// weakest: the JSON target header, the SigV4 credential scope, the host name,
// the API version of a query form, then the path. Never from Action alone:
// SNS, SES, EC2, IAM, STS and CloudFormation all post forms with an Action
// to "/".
func (g *Gateway) route(r *http.Request, signingName string, form url.Values) *Service {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if s := g.services.byTargetHeader(t); s != nil {
			return s
		}
	}
	if signingName != "" {
		if s := g.services.bySigningName(signingName); s != nil {
			return s
		}
	}
	if s := g.byHost(r.Host); s != nil {
		return s
	}
	if v := form.Get("Version"); v != "" {
		if s := g.services.byVersion[v]; s != nil {
			return s
		}
	}
	return g.byPath(r.URL.Path)
}

// byHost recognises AWS host names such as sts.us-east-1.amazonaws.com,
// which clients use when they are pointed at kiri by DNS rather than by an
// endpoint URL.
func (g *Gateway) byHost(hostport string) *Service {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if !strings.HasSuffix(host, ".amazonaws.com") {
		return nil
	}
	labels := strings.Split(strings.TrimSuffix(host, ".amazonaws.com"), ".")
	for _, l := range labels {
		if s := g.services.byPrefix[l]; s != nil {
			return s
		}
		if strings.HasPrefix(l, "s3") {
			return g.services.byName["s3"]
		}
	}
	return nil
}

// restPrefixes tell REST services apart by path when a request is unsigned.
var restPrefixes = []struct{ prefix, service string }{
	{"/2015-03-31/functions", "lambda"},
	{"/2015-03-31/event-source-mappings", "lambda"},
	{"/2016-08-19/", "lambda"},
	{"/2017-03-31/tags", "lambda"},
	{"/2018-10-31/layers", "lambda"},
	{"/2019-09-25/functions", "lambda"},
	{"/2019-09-30/functions", "lambda"},
	{"/restapis", "apigateway"},
	{"/topics/", "iotdata"},
}

// byPath is the last resort for unsigned requests: known REST prefixes, and
// otherwise S3, whose public objects and presigned URLs browsers fetch
// without any AWS headers.
func (g *Gateway) byPath(path string) *Service {
	for _, p := range restPrefixes {
		if strings.HasPrefix(path, p.prefix) {
			if s := g.services.byName[p.service]; s != nil {
				return s
			}
		}
	}
	return g.services.byName["s3"]
}
