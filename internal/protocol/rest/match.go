package rest

import (
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
)

// Labels holds the values of a request's URI labels, keyed by label name
// ("Bucket", and "Key" for a greedy {Key+}), already URL-decoded.
type Labels map[string]string

// Router finds the operation a REST request calls. It compiles every
// operation's requestUri once; it is safe for concurrent use.
type Router struct {
	routes   []*route
	byMethod map[string][]*route
	byOp     map[*model.Operation]*route
}

// route is one operation's compiled method and requestUri.
type route struct {
	op     *model.Operation
	method string
	segs   []segment
	greedy int // index of the greedy segment in segs, or -1
	query  []queryLiteral
	// Required members bound to the query string or headers: they tell
	// apart operations that share a template (S3's PutObject, CopyObject
	// with x-amz-copy-source, UploadPart with ?partNumber&uploadId).
	requiredQuery, requiredHeaders []string
}

// segment is one '/'-separated piece of a path template.
type segment struct {
	literal string // the text of a literal segment
	label   string // the label name when the segment is {Name} or {Name+}
	greedy  bool
}

// queryLiteral is a query parameter the template requires: "?acl" needs the
// key acl (any value), "?list-type=2" needs list-type with the value 2.
type queryLiteral struct {
	key, value string
	anyValue   bool
}

// Segment ranks used for specificity: at the first position where two
// matching templates differ, literal beats label beats greedy label.
const (
	rankGreedy = iota
	rankLabel
	rankLiteral
)

// NewRouter compiles the requestUri templates of all of api's operations.
func NewRouter(api *model.API) *Router {
	rt := &Router{byMethod: map[string][]*route{}, byOp: make(map[*model.Operation]*route, len(api.Operations))}
	for _, name := range api.OperationNames() {
		op := api.Operations[name]
		r := compile(op)
		rt.routes = append(rt.routes, r)
		rt.byMethod[r.method] = append(rt.byMethod[r.method], r)
		rt.byOp[op] = r
	}
	return rt
}

var routers sync.Map // *model.API → *Router

// RouterFor returns the router of api, compiling it on first use. APIs live
// as long as the process, so the cache never needs evicting.
func RouterFor(api *model.API) *Router {
	if rt, ok := routers.Load(api); ok {
		return rt.(*Router)
	}
	rt, _ := routers.LoadOrStore(api, NewRouter(api))
	return rt.(*Router)
}

// Match finds the operation of api that r calls; see Router.Match.
func Match(api *model.API, r *http.Request) (*model.Operation, Labels, error) {
	return RouterFor(api).Match(r)
}

// Match finds the operation whose method and requestUri template match r,
// preferring the most specific template as Smithy's specificity routing
// does: literal segments beat labels, labels beat greedy labels (compared
// position by position), then the template with more query literals wins
// (S3's GET /{Bucket}?acl over GET /{Bucket}). Operations that share a
// template are told apart by their required query and header members: one
// whose required members are all present wins over one missing some, and
// then the one that requires more wins (S3's CopyObject, PUT with
// x-amz-copy-source, over PutObject). A trailing slash is matched
// exactly when some template allows it, and ignored otherwise, so
// /2015-03-31/functions and /2015-03-31/functions/ both reach ListFunctions.
//
// When nothing matches it returns a *protocol.Error: MethodNotAllowed (405)
// if the path fits an operation with another method, else
// UnknownOperationException (404). Codecs may rephrase it.
func (rt *Router) Match(r *http.Request) (*model.Operation, Labels, error) {
	path := r.URL.EscapedPath()
	query := r.URL.Query()
	segs := splitPath(path)
	best, labels := rt.find(rt.byMethod[r.Method], r.Header, segs, query)
	if best == nil {
		segs = splitPath(toggleTrailingSlash(path))
		best, labels = rt.find(rt.byMethod[r.Method], r.Header, segs, query)
	}
	if best != nil {
		return best.op, labels, nil
	}
	if rt.pathMatchesOtherMethod(r.Method, path, query) {
		return nil, nil, protocol.Errorf("MethodNotAllowed", http.StatusMethodNotAllowed,
			"The specified method is not allowed against this resource.")
	}
	return nil, nil, protocol.Errorf("UnknownOperationException", http.StatusNotFound,
		"No operation matches %s %s", r.Method, path)
}

// Labels extracts the URI labels of a request already routed to op; ok is
// false when the request's path does not fit op's template.
func (rt *Router) Labels(op *model.Operation, r *http.Request) (Labels, bool) {
	rc := rt.byOp[op]
	if rc == nil {
		rc = compile(op)
	}
	path := r.URL.EscapedPath()
	if labels, ok := rc.match(splitPath(path)); ok {
		return labels, true
	}
	return rc.match(splitPath(toggleTrailingSlash(path)))
}

// find returns the most specific of routes that matches a request with the
// given path segments, query and headers.
func (rt *Router) find(routes []*route, h http.Header, segs []string, query url.Values) (best *route, labels Labels) {
	var bestFit fit
	for _, rc := range routes {
		if !rc.queryMatches(query) || !rc.fits(segs) {
			continue
		}
		f := rc.fit(h, query)
		if best == nil || rc.betterThan(best, f, bestFit) {
			best, bestFit = rc, f
		}
	}
	if best == nil {
		return nil, nil
	}
	labels, _ = best.match(segs)
	return best, labels
}

// pathMatchesOtherMethod reports whether an operation with another method
// has a template that fits the request, to tell 405 from 404.
func (rt *Router) pathMatchesOtherMethod(method, path string, query url.Values) bool {
	for _, p := range []string{path, toggleTrailingSlash(path)} {
		segs := splitPath(p)
		for _, rc := range rt.routes {
			if rc.method != method && rc.queryMatches(query) && rc.fits(segs) {
				return true
			}
		}
	}
	return false
}

// fit is how well a request satisfies a route's required bound members.
type fit struct {
	complete bool // every required query and header member is present
	present  int  // how many are
}

func (rc *route) fit(h http.Header, q url.Values) fit {
	f := fit{complete: true}
	for _, k := range rc.requiredQuery {
		if _, ok := q[k]; ok {
			f.present++
		} else {
			f.complete = false
		}
	}
	for _, k := range rc.requiredHeaders {
		if h.Get(k) != "" {
			f.present++
		} else {
			f.complete = false
		}
	}
	return f
}

func toggleTrailingSlash(path string) string {
	if path == "/" || path == "" {
		return path
	}
	if strings.HasSuffix(path, "/") {
		return strings.TrimSuffix(path, "/")
	}
	return path + "/"
}

// compile parses an operation's method and requestUri.
func compile(op *model.Operation) *route {
	method := op.HTTP.Method
	if method == "" {
		method = http.MethodPost
	}
	uri := op.HTTP.RequestURI
	if uri == "" {
		uri = "/"
	}
	path, rawQuery, _ := strings.Cut(uri, "?")
	rc := &route{op: op, method: method, greedy: -1}
	for i, s := range splitPath(path) {
		seg := segment{literal: s}
		if len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' {
			name := s[1 : len(s)-1]
			seg = segment{label: strings.TrimSuffix(name, "+"), greedy: strings.HasSuffix(name, "+")}
			if seg.greedy {
				rc.greedy = i
			}
		}
		rc.segs = append(rc.segs, seg)
	}
	rc.query = parseQueryLiterals(rawQuery)
	if op.Input != nil {
		s := op.Input.Shape
		for _, m := range s.Members {
			if !s.IsRequired(m.Name) {
				continue
			}
			switch m.Location {
			case LocationQuery:
				rc.requiredQuery = append(rc.requiredQuery, m.NameOr(m.Name))
			case LocationHeader:
				rc.requiredHeaders = append(rc.requiredHeaders, m.NameOr(m.Name))
			}
		}
	}
	return rc
}

// parseQueryLiterals reads the literal part of a template's query
// ("uploads", "list-type=2", "format=sdk&pretty=true").
func parseQueryLiterals(raw string) []queryLiteral {
	var lits []queryLiteral
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		lits = append(lits, queryLiteral{key: k, value: v, anyValue: !hasValue})
	}
	return lits
}

// splitPath splits an (escaped) path into its segments: "/" has none,
// "/a/b/" has "a", "b" and "".
func splitPath(path string) []string {
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

func (rc *route) queryMatches(q url.Values) bool {
	for _, lit := range rc.query {
		vs, ok := q[lit.key]
		if !ok || (!lit.anyValue && !contains(vs, lit.value)) {
			return false
		}
	}
	return true
}

// fits reports whether the escaped path segments of a request fit the
// template, without building anything: a greedy label takes one or more
// whole segments, '/' included; other labels exactly one non-empty segment.
func (rc *route) fits(segs []string) bool {
	if rc.greedy < 0 && len(segs) != len(rc.segs) || rc.greedy >= 0 && len(segs) < len(rc.segs) {
		return false
	}
	tail := len(segs) - len(rc.segs) // extra segments the greedy label absorbs
	for i, seg := range rc.segs {
		j := i
		if rc.greedy >= 0 && i > rc.greedy {
			j = i + tail
		}
		switch {
		case seg.greedy:
			if tail == 0 && segs[i] == "" {
				return false
			}
		case seg.label != "":
			if segs[j] == "" {
				return false
			}
		case segs[j] != seg.literal && !literalEscaped(segs[j], seg.literal):
			return false
		}
	}
	return true
}

// literalEscaped reports whether an escaped segment decodes to a literal.
func literalEscaped(seg, literal string) bool {
	if !strings.Contains(seg, "%") {
		return false
	}
	v, err := url.PathUnescape(seg)
	return err == nil && v == literal
}

// match extracts the URL-decoded labels of segments that fit the template.
func (rc *route) match(segs []string) (Labels, bool) {
	if !rc.fits(segs) {
		return nil, false
	}
	labels := make(Labels, 2)
	tail := len(segs) - len(rc.segs)
	for i, seg := range rc.segs {
		j := i
		if rc.greedy >= 0 && i > rc.greedy {
			j = i + tail
		}
		raw := segs[j]
		if seg.greedy {
			raw = strings.Join(segs[i:i+tail+1], "/")
		}
		if seg.label == "" {
			continue
		}
		v, err := url.PathUnescape(raw)
		if err != nil || v == "" {
			return nil, false
		}
		labels[seg.label] = v
	}
	return labels, true
}

// betterThan compares two routes that both match a request, given how well
// the request fits each one's required members.
func (rc *route) betterThan(other *route, f, otherFit fit) bool {
	for i := 0; i < len(rc.segs) && i < len(other.segs); i++ {
		a, b := rc.segs[i].rank(), other.segs[i].rank()
		if a != b {
			return a > b
		}
	}
	if len(rc.segs) != len(other.segs) {
		return len(rc.segs) > len(other.segs)
	}
	if len(rc.query) != len(other.query) {
		return len(rc.query) > len(other.query)
	}
	if f.complete != otherFit.complete {
		return f.complete
	}
	return f.present > otherFit.present
}

func (s segment) rank() int {
	switch {
	case s.greedy:
		return rankGreedy
	case s.label != "":
		return rankLabel
	}
	return rankLiteral
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}
