package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"sync"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/service/iam"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
	"github.com/kiricloud/kiri/internal/service/sts"
	"github.com/kiricloud/kiri/internal/store"
)

const testAccount = "000000000000"

var bg = context.Background()

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// fakeInvoker records invocations and retirements; handle decides results.
type fakeInvoker struct {
	mu      sync.Mutex
	calls   []invokeCall
	retired []string
	handle  func(n int, fn *runtime.Function, inv runtime.Invocation) (runtime.Result, error)
}

type invokeCall struct {
	fn  runtime.Function
	inv runtime.Invocation
}

func (f *fakeInvoker) Invoke(ctx context.Context, fn *runtime.Function, inv runtime.Invocation) (runtime.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, invokeCall{fn: *fn, inv: inv})
	n, handle := len(f.calls), f.handle
	f.mu.Unlock()
	if handle != nil {
		return handle(n, fn, inv)
	}
	return runtime.Result{Payload: []byte(`"ok"`)}, nil
}

func (f *fakeInvoker) Retire(prefix string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retired = append(f.retired, prefix)
}

func (f *fakeInvoker) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeInvoker) lastCall() invokeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

type env struct {
	s    *Service
	fake *fakeInvoker
	st   store.Store
	iam  *iam.Service
	sts  *sts.Service
	role string
	root string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{st: st, fake: &fakeInvoker{}, root: t.TempDir()}
	e.iam = iam.New(st, testAccount)
	e.sts = sts.New(st, e.iam, testAccount)
	out, err := e.iam.CreateRole(bg, &iamapi.CreateRoleRequest{RoleName: api.Ptr("role-lambdaexec"), AssumeRolePolicyDocument: api.Ptr(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	e.role = *out.Role.Arn
	e.s = e.open(t)
	return e
}

// open starts a Service on the env's store (again, for restart tests).
func (e *env) open(t *testing.T) *Service {
	s := New(Config{Store: e.st, Invoker: e.fake, CodeRoot: e.root, IAM: e.iam, STS: e.sts, RetryDelay: time.Millisecond})
	t.Cleanup(func() { s.Close() })
	return s
}

// zipOf builds a deployment package; a name ending in "*" is executable.
func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		mode := fs.FileMode(0o644)
		if name[len(name)-1] == '*' {
			name, mode = name[:len(name)-1], 0o755
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var pyZip = map[string]string{"lambda_function.py": "def lambda_handler(event, context):\n    return 'hi'\n"}

func (e *env) create(t *testing.T, name string, mutate ...func(*lambdaapi.CreateFunctionRequest)) *lambdaapi.FunctionConfiguration {
	t.Helper()
	in := e.createReq(t, name)
	for _, m := range mutate {
		m(in)
	}
	out, err := e.s.CreateFunction(bg, in)
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	return out
}

func (e *env) createReq(t *testing.T, name string) *lambdaapi.CreateFunctionRequest {
	return &lambdaapi.CreateFunctionRequest{
		FunctionName: api.Ptr(name), Runtime: api.Ptr("python3.6"), Role: api.Ptr(e.role), Handler: api.Ptr("lambda_function.lambda_handler"),
		Code: &lambdaapi.FunctionCode{ZipFile: zipOf(t, pyZip)},
	}
}

// wantErr checks that err is the AWS error code, optionally with message.
func wantErr(t *testing.T, err error, code string, message ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	pe, ok := err.(*protocol.Error)
	if !ok {
		t.Fatalf("want %s, got %T %v", code, err, err)
	}
	if pe.Type != code {
		t.Fatalf("want %s, got %s: %s", code, pe.Type, pe.Message)
	}
	if len(message) > 0 && pe.Message != message[0] {
		t.Fatalf("%s message:\n got %q\nwant %q", code, pe.Message, message[0])
	}
}

// eventually polls cond for up to 10 s (asynchronous work).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
