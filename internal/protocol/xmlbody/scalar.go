package xmlbody

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

// FormatScalar renders a scalar value as the XML and query protocols carry
// it: booleans as true/false, timestamps in the reference's format (ISO 8601
// unless the model says otherwise), blobs in base64. It accepts the Go types
// a service is likely to hand over (int, float32, string for a timestamp…)
// besides the canonical value forms, so a sloppy value never panics.
func FormatScalar(ref *model.ShapeRef, v any) string {
	switch ref.Shape.Type {
	case "timestamp":
		if t, ok := v.(time.Time); ok {
			return protocol.FormatTime(t, ref.TimestampFormatOf(protocol.ISO8601))
		}
	case "blob":
		switch b := v.(type) {
		case []byte:
			return base64.StdEncoding.EncodeToString(b)
		case string:
			return base64.StdEncoding.EncodeToString([]byte(b))
		}
	case "float", "double":
		if f, ok := protocol.Float64(v); ok {
			return FormatFloat(f)
		}
	}
	return formatAny(v)
}

// FormatFloat writes a float the shortest way that reads back exactly, with
// the spellings AWS uses for the special values.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func formatAny(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		return FormatFloat(x)
	case float32:
		return FormatFloat(float64(x))
	case json.Number:
		return x.String()
	case time.Time:
		return protocol.FormatTime(x, protocol.ISO8601)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// ParseScalar reads the text of a scalar member into its value form. Text is
// kept verbatim for strings; other types tolerate surrounding whitespace.
func ParseScalar(ref *model.ShapeRef, text string) (any, error) {
	switch ref.Shape.Type {
	case "string", "character":
		return text, nil
	}
	s := strings.TrimSpace(text)
	switch ref.Shape.Type {
	case "boolean":
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("invalid boolean %q", s)
	case "integer", "long":
		return parseInt(ref.Shape.Type, s)
	case "float", "double":
		return parseFloat(s)
	case "timestamp":
		return protocol.ParseTime(s, ref.TimestampFormatOf(protocol.ISO8601))
	case "blob":
		return decodeBase64(s)
	}
	return text, nil
}

// parseInt reads an integer (32 bits, as AWS's integer is) or a long.
func parseInt(typ, s string) (any, error) {
	bits := 64
	if typ == "integer" {
		bits = 32
	}
	n, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return nil, fmt.Errorf("invalid %s %q", typ, s)
	}
	return n, nil
}

func parseFloat(s string) (any, error) {
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("invalid number %q", s)
	}
	return f, nil
}

// decodeBase64 accepts padded and unpadded base64, since clients differ.
func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("invalid base64 value")
	}
	return b, nil
}
