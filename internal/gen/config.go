package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Config is operations.json: the services kiri generates APIs for and, per
// service, the operations it implements.
//
//	{"services": [
//	  {"package": "iam", "model": "iam", "operations": ["CreateRole", "GetRole"]},
//	  {"package": "sqs", "model": "sqs", "queryModelVersion": "v1.47.0", "operations": []}
//	]}
type Config struct {
	Services []ServiceConfig `json:"services"`
}

// ServiceConfig selects one service.
type ServiceConfig struct {
	// Package is the Go package under internal/api and kiri's name for the
	// service (its ServiceName).
	Package string `json:"package"`
	// Model is the directory under models/apis in aws-sdk-go.
	Model string `json:"model"`
	// QueryModelVersion, when set, is the aws-sdk-go version whose model of
	// the service still speaks the query protocol. SQS moved to JSON in
	// late 2023, but older SDKs keep sending query requests; kiri serves both.
	QueryModelVersion string `json:"queryModelVersion,omitempty"`
	// Operations are the operations kiri implements ("selected").
	Operations []string `json:"operations"`
}

func loadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seen := map[string]bool{}
	for i := range c.Services {
		s := &c.Services[i]
		if s.Package == "" || s.Model == "" {
			return nil, fmt.Errorf("%s: service %d needs a package and a model", path, i)
		}
		if seen[s.Package] {
			return nil, fmt.Errorf("%s: package %s listed twice", path, s.Package)
		}
		seen[s.Package] = true
		ops := map[string]bool{}
		for _, op := range s.Operations {
			if ops[op] {
				return nil, fmt.Errorf("%s: %s: operation %s listed twice", path, s.Package, op)
			}
			ops[op] = true
		}
		sort.Strings(s.Operations)
	}
	sort.Slice(c.Services, func(i, j int) bool { return c.Services[i].Package < c.Services[j].Package })
	return &c, nil
}
