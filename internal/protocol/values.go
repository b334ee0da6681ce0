package protocol

import (
	"encoding/json"
	"math"
)

// Int64 reads an integer from a value tree. Codecs produce int64, but a
// service may hand over any Go integer kind, or a json.Number it passed
// through; none of them should fail to encode.
func Int64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint:
		return int64(x), x <= math.MaxInt64
	case uint64:
		return int64(x), x <= math.MaxInt64
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}

// Float64 reads a number from a value tree, accepting integers as well.
func Float64(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	if n, ok := Int64(v); ok {
		return float64(n), true
	}
	return 0, false
}
