package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/kiricloud/kiri/internal/model"
)

// sdkModule is the module that ships the AWS models. Its version comes from
// go.mod, so the models move only when go.mod does.
const sdkModule = "github.com/aws/aws-sdk-go"

// moduleDir downloads (or finds in the module cache) a module and returns
// its directory. version "" means the version go.mod requires.
func moduleDir(root, version string) (string, error) {
	path := sdkModule
	if version != "" {
		path += "@" + version
	}
	cmd := exec.Command("go", "mod", "download", "-json", path)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", path, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %v: %s", path, err, stderr.Bytes())
	}
	if info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no directory", path)
	}
	return info.Dir, nil
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module")
	}
	return filepath.Dir(gomod), nil
}

// modelFiles is one service's model in the SDK, at its newest API version.
type modelFiles struct {
	dir     string // models/apis/<name>/<version>
	version string
}

func findModel(sdkDir, name string) (modelFiles, error) {
	dirs, _ := filepath.Glob(filepath.Join(sdkDir, "models", "apis", name, "*", "api-2.json"))
	if len(dirs) == 0 {
		return modelFiles{}, fmt.Errorf("no model for %s in %s", name, sdkDir)
	}
	// Version directories are dates (2012-08-10), so the last one sorted is
	// the newest.
	sort.Strings(dirs)
	dir := filepath.Dir(dirs[len(dirs)-1])
	return modelFiles{dir: dir, version: filepath.Base(dir)}, nil
}

func (m modelFiles) load() (*model.API, error) {
	data, err := os.ReadFile(filepath.Join(m.dir, "api-2.json"))
	if err != nil {
		return nil, err
	}
	return model.Load(data)
}

// docs holds the one-line summaries of docs-2.json, the human documentation
// that ships beside each model.
type docs struct {
	ops    map[string]string
	shapes map[string]string
}

func (m modelFiles) loadDocs() (*docs, error) {
	d := &docs{ops: map[string]string{}, shapes: map[string]string{}}
	data, err := os.ReadFile(filepath.Join(m.dir, "docs-2.json"))
	if os.IsNotExist(err) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	var raw struct {
		Operations map[string]string
		Shapes     map[string]struct{ Base string }
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s/docs-2.json: %w", m.dir, err)
	}
	for name, doc := range raw.Operations {
		d.ops[name] = summary(doc)
	}
	for name, s := range raw.Shapes {
		d.shapes[name] = summary(s.Base)
	}
	return d, nil
}

var (
	// Block elements separate words; inline ones (<code>, <a>) do not.
	blockTag   = regexp.MustCompile(`(?i)</?(p|li|ul|ol|br|note|important|dl|dt|dd|div|h\d)\b[^>]*>`)
	htmlTag    = regexp.MustCompile(`<[^>]*>`)
	spaces     = regexp.MustCompile(`\s+`)
	spacePunct = regexp.MustCompile(`\s+([.,;:!?)])`)
	// A sentence ends at a full stop followed by a space and a capital,
	// which skips "e.g. " and "i.e. " in the middle of a sentence.
	sentenceEnd = regexp.MustCompile(`[.!?] [A-Z]`)
)

const maxSummary = 160

// summary turns HTML documentation into its first sentence as plain text,
// short enough for a one-line comment.
func summary(doc string) string {
	s := htmlTag.ReplaceAllString(blockTag.ReplaceAllString(doc, " "), "")
	s = strings.TrimSpace(spaces.ReplaceAllString(html.UnescapeString(s), " "))
	s = spacePunct.ReplaceAllString(s, "$1")
	if loc := sentenceEnd.FindStringIndex(s); loc != nil {
		s = s[:loc[0]+1]
	}
	if len(s) > maxSummary {
		cut := strings.LastIndexByte(s[:maxSummary], ' ')
		if cut < maxSummary/2 {
			cut = maxSummary
		}
		s = strings.TrimRight(s[:cut], " ,;:") + "..."
	}
	return s
}
