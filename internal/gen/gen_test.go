package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
)

// setup finds the module and the pinned SDK, or skips: the models come from
// the module cache, which an offline machine may not have.
func setup(t *testing.T) (root, sdk string, cfg *Config) {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Skip(err)
	}
	if sdk, err = moduleDir(root, ""); err != nil {
		t.Skipf("AWS models unavailable: %v", err)
	}
	if cfg, err = loadConfig(filepath.Join(root, "internal", "gen", "operations.json")); err != nil {
		t.Fatal(err)
	}
	return root, sdk, cfg
}

// TestGeneratedFilesUpToDate regenerates everything and compares it with
// the committed files, so that `go generate ./internal/api` is a no-op on a
// clean tree and nobody edits generated code by hand.
func TestGeneratedFilesUpToDate(t *testing.T) {
	root, _, cfg := setup(t)
	out, err := generate(root, cfg, false)
	if err != nil {
		if strings.Contains(err.Error(), "go mod download") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	const hint = "; run go generate ./internal/api"
	for _, svc := range out.services {
		dir := filepath.Join(root, "internal", "api", svc.pkg)
		for name, want := range svc.files {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("%s/%s: %v%s", svc.pkg, name, err, hint)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("internal/api/%s/%s is stale%s\n%s", svc.pkg, name, hint, firstDiff(got, want))
			}
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if _, ok := svc.files[e.Name()]; !ok && isGenerated(filepath.Join(dir, e.Name())) {
				t.Errorf("internal/api/%s/%s is generated but no longer generated%s", svc.pkg, e.Name(), hint)
			}
		}
	}
	got, err := os.ReadFile(filepath.Join(root, "docs", "coverage.md"))
	if err != nil || !bytes.Equal(got, out.coverage) {
		t.Errorf("docs/coverage.md is stale%s", hint)
	}
}

// firstDiff shows the first line where two files differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n  have: " + gl + "\n  want: " + wl
		}
	}
	return ""
}

// TestGenerateEverythingCompiles generates every operation of every
// configured service — the whole surface kiri may ever implement — and
// builds and vets the result, so a model construct that the selection does
// not reach yet cannot break the generator later.
func TestGenerateEverythingCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and compiles every AWS model (about a minute)")
	}
	root, _, cfg := setup(t)
	start := time.Now()
	out, err := generate(root, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated %d services in %v", len(out.services), time.Since(start).Round(time.Millisecond))
	// The packages import kiri's internal packages, so they must live in
	// the module; testdata keeps them out of ./... for everyone else.
	base := filepath.Join(root, "internal", "gen", "testdata")
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(base, "all-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.RemoveAll(dir)
		os.Remove(base) // only if nothing else is in it
	})
	for _, svc := range out.services {
		if err := writePackage(filepath.Join(dir, svc.pkg), svc.files); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"build"}, {"vet"}} {
		start = time.Now()
		cmd := exec.Command("go", append(args, "./...")...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", args[0], err, out)
		}
		t.Logf("go %s of all generated packages: %v", args[0], time.Since(start).Round(time.Millisecond))
	}
}

func TestTrimKeepsSelectedOperationsOnly(t *testing.T) {
	_, sdk, _ := setup(t)
	mf, err := findModel(sdk, "sts")
	if err != nil {
		t.Fatal(err)
	}
	full, err := mf.load()
	if err != nil {
		t.Fatal(err)
	}
	trimmed := trim(full, []string{"GetCallerIdentity"})
	data, err := encodeChecked(trimmed)
	if err != nil {
		t.Fatal(err)
	}
	api, err := model.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Operations) != len(full.Operations) {
		t.Errorf("kept %d of %d operations", len(api.Operations), len(full.Operations))
	}
	if op := api.Operations["AssumeRole"]; op.Input != nil || op.HTTP.Method != "POST" {
		t.Errorf("unselected operation: %+v", op)
	}
	op := api.Operations["GetCallerIdentity"]
	if op.Output == nil || op.Output.ResultWrapper != "GetCallerIdentityResult" {
		t.Errorf("selected operation lost its traits: %+v", op.Output)
	}
	for _, name := range []string{"GetCallerIdentityRequest", "GetCallerIdentityResponse", "arnType", "accountType"} {
		if api.Shapes[name] == nil {
			t.Errorf("shape %s missing", name)
		}
	}
	if api.Shapes["AssumeRoleRequest"] != nil {
		t.Error("shape of an unselected operation kept")
	}
}

func TestSQSQueryModel(t *testing.T) {
	root, sdk, cfg := setup(t)
	var sc ServiceConfig
	for _, s := range cfg.Services {
		if s.Package == "sqs" {
			sc = s
		}
	}
	sc.Operations = []string{"ReceiveMessage", "SendMessage", "GetQueueAttributes"}
	files, _, err := generateService(root, sdk, sc, false)
	if err != nil {
		if strings.Contains(err.Error(), "go mod download") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	jsonAPI, err := model.Load(files["model.json"])
	if err != nil {
		t.Fatal(err)
	}
	q, err := model.Load(files["query_model.json"])
	if err != nil {
		t.Fatal(err)
	}
	if q.Metadata.Protocol != "query" || q.Metadata.XMLNamespace == "" || jsonAPI.Metadata.Protocol != "json" {
		t.Errorf("metadata: query %+v, json %+v", q.Metadata, jsonAPI.Metadata)
	}
	if rw := q.Operations["ReceiveMessage"].Output.ResultWrapper; rw != "ReceiveMessageResult" {
		t.Errorf("resultWrapper %q", rw)
	}
	if rw := jsonAPI.Operations["ReceiveMessage"].Output.ResultWrapper; rw != "" {
		t.Errorf("JSON model got a resultWrapper %q", rw)
	}
	if ln := q.Shapes["MessageList"].Member.LocationName; ln != "Message" {
		t.Errorf("MessageList member locationName %q", ln)
	}
	if ln := q.Shapes["SendMessageRequest"].Members.Get("MessageAttributes").LocationName; ln != "MessageAttribute" {
		t.Errorf("MessageAttributes locationName %q", ln)
	}
	if ln := jsonAPI.Shapes["MessageList"].Member.LocationName; ln != "" {
		t.Errorf("JSON model got a locationName %q", ln)
	}
	// On the query protocol the request path may name the queue, so only
	// the query model leaves QueueUrl optional.
	if in := q.Shapes["SendMessageRequest"]; in.IsRequired("QueueUrl") || !in.IsRequired("MessageBody") {
		t.Errorf("query SendMessageRequest required %v", in.Required)
	}
	if in := jsonAPI.Shapes["SendMessageRequest"]; !in.IsRequired("QueueUrl") {
		t.Errorf("JSON SendMessageRequest required %v", in.Required)
	}
	// A member whose shape was renamed (Integer → NullableInteger) keeps
	// the current model's shape, so both protocols decode into one Go type.
	if s := q.Shapes["ReceiveMessageRequest"].Members.Get("MaxNumberOfMessages").ShapeName; s != "NullableInteger" {
		t.Errorf("MaxNumberOfMessages shape %q", s)
	}
	for _, api := range []*model.API{q, jsonAPI} {
		s := api.Shapes["QueueDoesNotExist"]
		if s.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" || s.ErrorStatus() != 400 {
			t.Errorf("%s QueueDoesNotExist: code %q status %d", api.Metadata.Protocol, s.ErrorCode(), s.ErrorStatus())
		}
		if s := api.Shapes["OverLimit"]; s.ErrorStatus() != 403 {
			t.Errorf("%s OverLimit status %d", api.Metadata.Protocol, s.ErrorStatus())
		}
	}
	if !bytes.Contains(files["api.go"], []byte("func QueryModel() *model.API")) {
		t.Error("no QueryModel accessor")
	}
}

func TestExportedName(t *testing.T) {
	for in, want := range map[string]string{
		"RoleName":    "RoleName",
		"message":     "Message",
		"__string":    "String",
		"x-amz-meta":  "Xamzmeta",
		"2xlarge":     "X2xlarge",
		"Snake_case":  "Snake_case",
		"":            "X",
		"ünicode":     "Nicode",
		"NULL":        "NULL",
		"arnType":     "ArnType",
		"SSEKMSKeyId": "SSEKMSKeyId",
	} {
		if got := exportedName(in); got != want {
			t.Errorf("exportedName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnumValueName(t *testing.T) {
	for in, want := range map[string]string{
		"HASH":                        "Hash",
		"PAY_PER_REQUEST":             "PayPerRequest",
		"m5.2xlarge":                  "M52xlarge",
		"s3:ObjectCreated:*":          "S3ObjectCreated",
		"s3:ObjectCreated:Put":        "S3ObjectCreatedPut",
		"us-east-1":                   "UsEast1",
		"application/json":            "ApplicationJson",
		"ApproximateNumberOfMessages": "ApproximateNumberOfMessages",
		"*":                           "",
	} {
		if got := enumValueName(in); got != want {
			t.Errorf("enumValueName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNamespaceAvoidsCollisions(t *testing.T) {
	ns := newNamespace()
	if got := ns.claim("Model", "Shape"); got != "ModelShape" {
		t.Errorf("reserved name: got %s", got)
	}
	if got := ns.claim("ModelShape", "Shape"); got != "ModelShapeShape" {
		t.Errorf("second claim: got %s", got)
	}
	ns.claim("A", "Value")
	ns.claim("AValue", "Value")
	if got := ns.claim("A", "Value"); got != "AValue2" {
		t.Errorf("numbered suffix: got %s", got)
	}
}

func TestSummary(t *testing.T) {
	for in, want := range map[string]string{
		"<p>Creates a role. More text.</p>":                     "Creates a role.",
		"<p>Uses <code>Foo</code>, e.g. bar.</p><p>Second.</p>": "Uses Foo, e.g. bar.",
		"<p>See <a href=\"x\">the guide</a> .</p>":              "See the guide.",
		"<p>A &amp; B</p><p>C</p>":                              "A & B C",
		"":                                                      "",
		"<p>" + strings.Repeat("word ", 60) + "</p>":            strings.TrimSpace(strings.Repeat("word ", 32)) + "...",
	} {
		if got := summary(in); got != want {
			t.Errorf("summary(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

func TestComment(t *testing.T) {
	if got := comment("CreateRole", "Creates a role."); got != "// CreateRole creates a role.\n" {
		t.Errorf("got %q", got)
	}
	if got := comment("NoSuchEntityException", "The request was rejected."); got != "// NoSuchEntityException: The request was rejected.\n" {
		t.Errorf("got %q", got)
	}
	if got := comment("X", ""); got != "" {
		t.Errorf("got %q", got)
	}
}

// Error shapes get SQS's query codes: from the old model where it has the
// shape, from the Smithy traits for shapes added since, which win.
func TestCopyErrorCodes(t *testing.T) {
	api := &model.API{Shapes: map[string]*model.Shape{
		"QueueDoesNotExist": {Exception: true},
		"KmsOptInRequired":  {Exception: true},
		"OldOnly":           {Exception: true},
	}}
	old := &model.API{Shapes: map[string]*model.Shape{
		"QueueDoesNotExist": {Error: &model.ErrorInfo{Code: "stale", HTTPStatusCode: 400}},
		"OldOnly":           {Error: &model.ErrorInfo{Code: "Old.Code", HTTPStatusCode: 409}},
	}}
	copyErrorCodes(api, old)
	for name, want := range map[string]string{"QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue", "KmsOptInRequired": "KMS.OptInRequired", "OldOnly": "Old.Code"} {
		if got := api.Shapes[name].ErrorCode(); got != want {
			t.Errorf("%s: code %q, want %q", name, got, want)
		}
	}
	if api.Shapes["KmsOptInRequired"].ErrorStatus() != 403 {
		t.Errorf("KmsOptInRequired status %d", api.Shapes["KmsOptInRequired"].ErrorStatus())
	}
}
