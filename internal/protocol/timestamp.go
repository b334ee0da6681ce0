package protocol

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Timestamp formats named by the models' timestampFormat trait.
const (
	ISO8601       = "iso8601"
	RFC822        = "rfc822"
	UnixTimestamp = "unixTimestamp"
)

// FormatTime renders t in a model timestamp format. ISO 8601 keeps
// milliseconds only when there are some, as AWS does.
func FormatTime(t time.Time, format string) string {
	t = t.UTC()
	switch format {
	case RFC822:
		return t.Format(http.TimeFormat)
	case UnixTimestamp:
		return FormatEpoch(t)
	}
	if t.Nanosecond()/1e6 != 0 {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

// FormatEpoch renders seconds since the epoch with up to millisecond
// precision and no trailing zeros ("1422172800", "1422172800.123").
func FormatEpoch(t time.Time) string {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return strconv.FormatInt(ms/1000, 10)
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
}

// EpochTime converts seconds since the epoch (possibly fractional) to a time,
// rounded to the millisecond as AWS keeps them.
func EpochTime(sec float64) time.Time {
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(math.Round(frac*1e3))*1e6).UTC()
}

// ParseTime reads a timestamp in the given format, and also accepts the
// other common forms, since clients are not always strict.
func ParseTime(s, format string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if format == UnixTimestamp || isNumber(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return EpochTime(f), nil
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z0700",
		http.TimeFormat, time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q", s)
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != 'e' && c != 'E' && c != '+' {
			return false
		}
	}
	return true
}
