package gateway

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/kiricloud/kiri/internal/request"
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
	if virtualHostBucket(r.Host) != "" {
		return g.services.byName["s3"]
	}
	if v := form.Get("Version"); v != "" {
		if s := g.services.byVersion[v]; s != nil {
			return s
		}
	}
	if form.Get("Action") != "" && isQueuePath(r.URL.Path) {
		if s := g.services.byName["sqs"]; s != nil {
			return s
		}
	}
	return g.byPath(r.URL.Path)
}

// isQueuePath reports whether path has the form of an SQS queue URL's path,
// /<account-id>/<queue-name>. Minimal query clients (curl -d
// 'Action=SendMessage&MessageBody=hi' <queue URL>) sign nothing and send no
// Version, so an Action posted to such a path is what tells SQS apart from
// S3, whose requests to /<bucket>/<key> never carry an Action field.
func isQueuePath(path string) bool {
	acct, name, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return ok && request.IsAccountID(acct) && name != "" && !strings.Contains(name, "/")
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

// virtualHostBucket returns the bucket named by a virtual-hosted-style S3
// host: bucket.s3.amazonaws.com, bucket.s3.us-east-1.amazonaws.com,
// bucket.s3-website-us-east-1.amazonaws.com, or bucket.localhost, which
// resolves to loopback without any DNS set-up.
func virtualHostBucket(hostport string) string {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if bucket, ok := strings.CutSuffix(host, ".localhost"); ok {
		return bucket
	}
	if !strings.HasSuffix(host, ".amazonaws.com") {
		return ""
	}
	for _, marker := range []string{".s3.", ".s3-"} {
		if i := strings.LastIndex(host, marker); i > 0 {
			return host[:i]
		}
	}
	return ""
}

// toPathStyle rewrites a virtual-hosted-style S3 request to path style,
// the only form the rest-xml codec matches.
func toPathStyle(r *http.Request) {
	bucket := virtualHostBucket(r.Host)
	if bucket == "" {
		return
	}
	r.URL.Path = "/" + bucket + r.URL.Path
	if r.URL.RawPath != "" {
		r.URL.RawPath = "/" + bucket + r.URL.RawPath
	}
}

// FunctionURLPathPrefix is the path form of Lambda function URLs, which
// needs no DNS: /_kiri/lambda-url/<url-id>/<path>.
const FunctionURLPathPrefix = "/_kiri/lambda-url/"

// FunctionURLID returns the url-id of a Lambda function URL host:
// <url-id>.lambda-url.<region>.localhost, kiri's reachable form of AWS's
// <url-id>.lambda-url.<region>.on.aws (also accepted); "" for other hosts.
func FunctionURLID(hostport string) string {
	// Every request passes here: reject other hosts without allocating.
	if len(hostport) < 33 || hostport[32] != '.' {
		return ""
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	labels := strings.Split(strings.ToLower(host), ".")
	switch {
	case len(labels) == 4 && labels[3] == "localhost":
	case len(labels) == 5 && labels[3] == "on" && labels[4] == "aws":
	default:
		return ""
	}
	if labels[1] != "lambda-url" || labels[2] == "" || !isURLID(labels[0]) {
		return ""
	}
	return labels[0]
}

// isURLID reports whether s has the form of a url-id: 32 lower-case
// letters and digits.
func isURLID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
