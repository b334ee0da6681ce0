package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/kiricloud/kiri/internal/model"
)

// reachable returns the names of every shape that the given operations'
// inputs, outputs and errors reach, following members, list members and map
// keys and values.
func reachable(api *model.API, ops []string) map[string]bool {
	seen := map[string]bool{}
	var visit func(r *model.ShapeRef)
	visit = func(r *model.ShapeRef) {
		if r == nil || seen[r.ShapeName] {
			return
		}
		seen[r.ShapeName] = true
		s := r.Shape
		for _, m := range s.Members {
			visit(m.ShapeRef)
		}
		visit(s.Member)
		visit(s.Key)
		visit(s.Value)
	}
	for _, name := range ops {
		op := api.Operations[name]
		visit(op.Input)
		visit(op.Output)
		for _, e := range op.Errors {
			visit(e)
		}
	}
	return seen
}

// trim keeps what the codecs need of a model: every operation, so that any
// request can be matched and named, but only the selected ones in full (the
// others keep their name and HTTP binding), and only the shapes the
// selected operations reach. A model of a few hundred kilobytes shrinks to
// what kiri serves, which keeps the binary small and first use fast.
func trim(api *model.API, selected []string) *model.API {
	full := map[string]bool{}
	for _, name := range selected {
		full[name] = true
	}
	out := &model.API{
		Metadata:   api.Metadata,
		Operations: make(map[string]*model.Operation, len(api.Operations)),
		Shapes:     map[string]*model.Shape{},
	}
	for name, op := range api.Operations {
		if full[name] {
			out.Operations[name] = op
		} else {
			out.Operations[name] = &model.Operation{Name: op.Name, HTTP: op.HTTP}
		}
	}
	for name := range reachable(api, selected) {
		out.Shapes[name] = api.Shapes[name]
	}
	return out
}

// encodeModel writes a model as JSON with one operation or shape per line,
// sorted by name: compact enough to embed, and a change to the selection
// shows up in review as the lines it adds or removes.
func encodeModel(api *model.API) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\"//\": " + quoteJSON(generatedHeader[3:]) + ",\n\"metadata\": ")
	if err := writeJSON(&b, api.Metadata); err != nil {
		return nil, err
	}
	b.WriteString(",\n\"operations\": {")
	if err := writeEntries(&b, api.Operations); err != nil {
		return nil, err
	}
	b.WriteString("},\n\"shapes\": {")
	if err := writeEntries(&b, api.Shapes); err != nil {
		return nil, err
	}
	b.WriteString("}\n}\n")
	return b.Bytes(), nil
}

func writeEntries[V any](b *bytes.Buffer, entries map[string]V) error {
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n" + quoteJSON(name) + ": ")
		if err := writeJSON(b, entries[name]); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if len(names) > 0 {
		b.WriteByte('\n')
	}
	return nil
}

func writeJSON(b *bytes.Buffer, v any) error {
	// Patterns and documentation links hold < > &, which read better unescaped.
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}

func quoteJSON(s string) string {
	data, _ := json.Marshal(s)
	return string(data)
}
