package main

import (
	"bytes"
	"fmt"
	"strings"
)

type coverageRow struct {
	pkg, model, title, protocol string
	total                       int
	implemented                 []string
	notes                       []string // not part of the table; see -v
}

// coverage renders docs/coverage.md: per service, how many of the model's
// operations kiri implements, and which.
func coverage(rows []coverageRow) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- %s Edit internal/gen/operations.json and run go generate ./internal/api. -->\n\n", generatedHeader[3:])
	b.WriteString("# API coverage\n\n")
	b.WriteString("Operations of each AWS API that kiri implements. Every other operation of the\n")
	b.WriteString("model is known by name and answers with an error that names it.\n\n")
	b.WriteString("| Service | AWS model | Protocol | Implemented |\n")
	b.WriteString("|---|---|---|---|\n")
	sum, total := 0, 0
	for _, r := range rows {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %d / %d |\n", r.pkg, r.pkg, r.model, r.protocol, len(r.implemented), r.total)
		sum += len(r.implemented)
		total += r.total
	}
	fmt.Fprintf(&b, "| **all** | | | **%d / %d** |\n", sum, total)
	for _, r := range rows {
		fmt.Fprintf(&b, "\n## %s\n\n%s — %d of %d operations.\n", r.pkg, r.title, len(r.implemented), r.total)
		if len(r.implemented) > 0 {
			b.WriteString("\n" + strings.Join(r.implemented, ", ") + "\n")
		}
	}
	return b.Bytes()
}
