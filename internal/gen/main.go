// Command gen generates kiri's service APIs (internal/api/<service>) from the
// AWS API models that ship in the aws-sdk-go module pinned by go.mod, and the
// coverage table docs/coverage.md.
//
// Run it with `go generate ./internal/api`. Which services exist and which
// of their operations kiri implements is configured in operations.json next
// to this file; see Config.
//
// Per service it writes api.go (identity, the API interface, Handlers, the
// model accessors and error constructors), operations.go (the table of all
// operations), types.go (Go types of the shapes the implemented operations
// reach, and enum constants), and model.json, the trimmed model the codecs
// load on first use (SQS also query_model.json).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	var o options
	flag.StringVar(&o.config, "config", "", "operation selection (default internal/gen/operations.json)")
	flag.StringVar(&o.out, "out", "", "directory of the service packages (default internal/api)")
	flag.StringVar(&o.docs, "docs", "", "coverage table to write (default docs/coverage.md; \"-\" for none)")
	flag.BoolVar(&o.all, "all", false, "implement every operation of every service (to measure the full API)")
	flag.BoolVar(&o.verbose, "v", false, "report renamed identifiers and model quirks")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

type options struct {
	config, out, docs string
	all, verbose      bool
}

func run(o options) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if o.config == "" {
		o.config = filepath.Join(root, "internal", "gen", "operations.json")
	}
	if o.out == "" {
		o.out = filepath.Join(root, "internal", "api")
	}
	if o.docs == "" {
		o.docs = filepath.Join(root, "docs", "coverage.md")
	}
	cfg, err := loadConfig(o.config)
	if err != nil {
		return err
	}
	out, err := generate(root, cfg, o.all)
	if err != nil {
		return err
	}
	for _, svc := range out.services {
		if o.verbose {
			for _, n := range svc.notes {
				fmt.Fprintf(os.Stderr, "gen: %s: %s\n", svc.pkg, n)
			}
		}
		if err := writePackage(filepath.Join(o.out, svc.pkg), svc.files); err != nil {
			return err
		}
	}
	if o.docs != "-" {
		if err := os.MkdirAll(filepath.Dir(o.docs), 0o755); err != nil {
			return err
		}
		return os.WriteFile(o.docs, out.coverage, 0o644)
	}
	return nil
}

// output is everything one run generates.
type output struct {
	services []generated
	coverage []byte
}

type generated struct {
	pkg   string
	files map[string][]byte
	notes []string
}

func generate(root string, cfg *Config, all bool) (*output, error) {
	sdk, err := moduleDir(root, "")
	if err != nil {
		return nil, err
	}
	out := &output{}
	var rows []coverageRow
	for _, sc := range cfg.Services {
		files, row, err := generateService(root, sdk, sc, all)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sc.Package, err)
		}
		out.services = append(out.services, generated{sc.Package, files, row.notes})
		rows = append(rows, row)
	}
	out.coverage = coverage(rows)
	return out, nil
}

// writePackage replaces the generated files of a package directory, removing
// those a previous run generated and this one did not (types.go disappears
// when no operation is selected); files written by hand stay.
func writePackage(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if _, keep := files[e.Name()]; keep || e.IsDir() || !isGenerated(path) {
			continue
		}
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// isGenerated reports whether a file carries the generated-code marker in
// its first line (Go files) or first key (model JSON).
func isGenerated(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	return strings.Contains(string(first), generatedHeader[3:])
}
