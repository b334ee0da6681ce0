// Package prototest loads AWS's protocol test suites
// (models/protocol_tests/{input,output}/<protocol>.json in the aws-sdk-go
// module pinned in go.mod) so each codec can run them in server direction.
package prototest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kiricloud/kiri/internal/model"
)

// Suite is one group of cases sharing a model.
type Suite struct {
	Description    string                  `json:"description"`
	Metadata       model.Metadata          `json:"metadata"`
	Shapes         map[string]*model.Shape `json:"shapes"`
	ClientEndpoint string                  `json:"clientEndpoint"`
	Cases          []Case                  `json:"cases"`
}

// Case is one test case. Input cases carry Params and Serialized; output
// cases carry Result and Response.
type Case struct {
	Given      *model.Operation `json:"given"`
	Params     map[string]any   `json:"params"`
	Serialized *Serialized      `json:"serialized"`
	Result     map[string]any   `json:"result"`
	Response   *Response        `json:"response"`
}

// Serialized is the request a client sends for an input case.
type Serialized struct {
	Method        string            `json:"method"`
	URI           string            `json:"uri"`
	Host          string            `json:"host"`
	Headers       map[string]string `json:"headers"`
	ForbidHeaders []string          `json:"forbidHeaders"`
	Body          string            `json:"body"`
}

// Response is what the server must send for an output case.
type Response struct {
	StatusCode int               `json:"status_code"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

// API builds the case's model: the suite's shapes with the case's operation.
// Each call returns a fresh, resolved model.
func (s *Suite) API(c *Case) (*model.API, *model.Operation, error) {
	raw, err := json.Marshal(struct {
		Metadata model.Metadata              `json:"metadata"`
		Ops      map[string]*model.Operation `json:"operations"`
		Shapes   map[string]*model.Shape     `json:"shapes"`
	}{s.Metadata, map[string]*model.Operation{c.Given.Name: c.Given}, s.Shapes})
	if err != nil {
		return nil, nil, err
	}
	api, err := model.Load(raw)
	if err != nil {
		return nil, nil, err
	}
	return api, api.Operations[c.Given.Name], nil
}

// Load reads the suites of one direction ("input" or "output") and protocol
// ("json", "rest-json", "rest-xml", "query", "ec2").
func Load(t testing.TB, direction, protocol string) []*Suite {
	t.Helper()
	dir, err := ModelsDir()
	if err != nil {
		t.Skipf("protocol tests unavailable: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "protocol_tests", direction, protocol+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var suites []*Suite
	if err := json.Unmarshal(data, &suites); err != nil {
		t.Fatal(err)
	}
	return suites
}

var (
	modelsOnce sync.Once
	modelsDir  string
	modelsErr  error
)

// ModelsDir finds the models directory of the aws-sdk-go module that go.mod
// pins, downloading the module when the cache lacks it (a clean CI machine).
func ModelsDir() (string, error) {
	modelsOnce.Do(func() {
		out, err := exec.Command("go", "mod", "download", "-json", "github.com/aws/aws-sdk-go").Output()
		if err != nil {
			modelsErr = fmt.Errorf("go mod download github.com/aws/aws-sdk-go: %v", err)
			return
		}
		var info struct{ Dir string }
		if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
			modelsErr = fmt.Errorf("go mod download: no module directory in %s", strings.TrimSpace(string(out)))
			return
		}
		modelsDir = filepath.Join(info.Dir, "models")
	})
	return modelsDir, modelsErr
}

// LoadAPI parses a service's real model ("iam", "s3", "ec2"…) from the
// aws-sdk-go module go.mod pins, skipping the test when the module is
// unavailable. Each call returns a fresh model the caller may change.
func LoadAPI(t testing.TB, service string) *model.API {
	t.Helper()
	dir, err := ModelsDir()
	if err != nil {
		t.Skip(err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "apis", service, "*", "api-2.json"))
	if len(matches) == 0 {
		t.Fatalf("no model for %s", service)
	}
	data, err := os.ReadFile(matches[len(matches)-1])
	if err != nil {
		t.Fatal(err)
	}
	api, err := model.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return api
}
