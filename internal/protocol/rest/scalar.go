package rest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol"
)

// Default timestamp formats of the HTTP bindings: Smithy's http-date for
// headers, date-time for labels and query strings.
const (
	HeaderTimestampFormat = protocol.RFC822
	URITimestampFormat    = protocol.ISO8601
)

// ParseScalar converts the text of a header, query parameter or label into
// the dynamic value of ref's shape (see package model). A jsonvalue string
// is parsed as JSON text; callers base64-decode header jsonvalues first.
func ParseScalar(ref *model.ShapeRef, s, defaultTimestampFormat string) (any, error) {
	switch ref.Shape.Type {
	case "string", "character":
		if ref.JSONValue {
			var v any
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				return nil, fmt.Errorf("invalid JSON value: %v", err)
			}
			return v, nil
		}
		return s, nil
	case "integer", "long":
		return parseInt(ref.Shape.Type, s)
	case "float", "double":
		return parseFloat(s)
	case "boolean":
		switch s {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("invalid boolean %q", s)
	case "timestamp":
		return protocol.ParseTime(s, ref.TimestampFormatOf(defaultTimestampFormat))
	case "blob":
		return decodeBase64(s)
	}
	return nil, fmt.Errorf("a %s cannot be bound to a header, query parameter or label", ref.Shape.Type)
}

func parseInt(typ, s string) (int64, error) {
	bits := 64
	if typ == "integer" {
		bits = 32
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
	if err != nil {
		return 0, fmt.Errorf("invalid %s %q", typ, s)
	}
	return n, nil
}

func parseFloat(s string) (float64, error) {
	switch s = strings.TrimSpace(s); s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid number %q", s)
	}
	return f, nil
}

// decodeBase64 accepts padded and unpadded standard base64, since clients
// differ.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("invalid base64 %q", s)
	}
	return b, nil
}

// FormatScalar renders a dynamic value of ref's shape as the text of a
// header, query parameter or label. A jsonvalue is rendered as compact JSON
// text; callers base64-encode it for headers.
func FormatScalar(ref *model.ShapeRef, v any, defaultTimestampFormat string) (string, error) {
	if ref.JSONValue {
		b, err := marshalJSONValue(v)
		return string(b), err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case time.Time:
		return protocol.FormatTime(x, ref.TimestampFormatOf(defaultTimestampFormat)), nil
	case []byte:
		return base64.StdEncoding.EncodeToString(x), nil
	case float64:
		return formatFloat(x), nil
	case float32:
		return formatFloat(float64(x)), nil
	}
	if n, ok := protocol.Int64(v); ok {
		return strconv.FormatInt(n, 10), nil
	}
	return "", fmt.Errorf("cannot render %T as %s", v, ref.Shape.Type)
}

func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func marshalJSONValue(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// splitHeaderList splits a comma-separated header value into its items,
// honouring double-quoted items (which may hold commas) as Smithy's
// httpHeader list binding does. An http-date timestamp list is split on
// every second comma, since each date holds one ("Mon, 16 Dec 2019 …").
func splitHeaderList(v string, httpDates bool) []string {
	var items []string
	var cur strings.Builder
	inQuote, escaped := false, false
	for _, c := range v {
		switch {
		case escaped:
			cur.WriteRune(c)
			escaped = false
		case inQuote && c == '\\':
			escaped = true
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			items = append(items, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(c)
		}
	}
	items = append(items, strings.TrimSpace(cur.String()))
	if httpDates {
		items = pairUp(items)
	}
	return items
}

func pairUp(items []string) []string {
	var out []string
	for i := 0; i+1 < len(items); i += 2 {
		out = append(out, items[i]+", "+items[i+1])
	}
	if len(items)%2 == 1 {
		out = append(out, items[len(items)-1])
	}
	return out
}

// joinHeaderList renders list items as one header value, quoting items that
// hold a comma or a double quote.
func joinHeaderList(items []string, httpDates bool) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		if !httpDates && strings.ContainsAny(it, `,"`) {
			it = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(it) + `"`
		}
		b.WriteString(it)
	}
	return b.String()
}
