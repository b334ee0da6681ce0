package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"sort"
	"strings"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

// AWS's checksums, which SDKs (aws-sdk-go-v2, the Java SDK) verify on every
// send and receive.

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// Transport types of the attribute MD5: the data type's base decides how
// the value was carried.
const (
	transportString byte = 1
	transportBinary byte = 2
)

// md5OfAttributes is AWS's MD5 of message attributes: over the attributes
// sorted by name, each as its length-prefixed name, length-prefixed data
// type, a transport byte (1 String/Number, 2 Binary) and the
// length-prefixed value; lengths are 4-byte big-endian. Empty for none.
func md5OfAttributes(attrs map[string]sqsapi.MessageAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	for _, n := range names {
		v := attrs[n]
		writeLenPrefixed(h, []byte(n))
		writeLenPrefixed(h, []byte(api.Deref(v.DataType)))
		if isBinaryType(api.Deref(v.DataType)) {
			h.Write([]byte{transportBinary})
			writeLenPrefixed(h, v.BinaryValue)
		} else {
			h.Write([]byte{transportString})
			writeLenPrefixed(h, []byte(api.Deref(v.StringValue)))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// md5OfSystemAttributes is the same checksum over message system
// attributes (today only AWSTraceHeader).
func md5OfSystemAttributes(attrs map[string]sqsapi.MessageSystemAttributeValue) string {
	conv := make(map[string]sqsapi.MessageAttributeValue, len(attrs))
	for k, v := range attrs {
		conv[k] = sqsapi.MessageAttributeValue{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
	}
	return md5OfAttributes(conv)
}

func writeLenPrefixed(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// isBinaryType is true for Binary and custom types such as Binary.gif.
func isBinaryType(dataType string) bool {
	base, _, _ := strings.Cut(dataType, ".")
	return base == "Binary"
}
