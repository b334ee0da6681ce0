package store

import "strings"

// Keys are tuples of strings encoded so that byte order equals tuple order
// and no two tuples share an encoding, whatever bytes the parts contain
// (S3 object keys, for one, may hold any byte). Each part is written with
// 0x00 escaped as 0x00 0xFF and is closed by the terminator 0x00 0x01:
//
//   - a terminator sorts below every byte that can follow it inside a
//     part (0x00 0xFF or any byte > 0x00), so "a" < "a\x00" < "ab" and a
//     shorter tuple sorts before the tuples it prefixes;
//   - an escaped part never contains the terminator, so parts cannot run
//     into each other: ("a", "bc") and ("ab", "c") differ.
const (
	escByte  = 0x00
	escNul   = 0xFF // 0x00 0xFF is a literal 0x00 inside a part
	escClose = 0x01 // 0x00 0x01 ends a part
)

// Namespace is the key space of one service in one account and region.
// Keys of different namespaces never collide and never share a Prefix.
// The zero Namespace is the root: its keys are the parts alone.
type Namespace struct {
	prefix string // encoded (service, account, region)
}

// NS returns the namespace of service in account and region. Global
// services such as IAM pass region "".
func NS(service, account, region string) Namespace {
	return Namespace{prefix: string(appendParts(nil, false, service, account, region))}
}

// Key returns the key for the tuple of parts inside n.
func (n Namespace) Key(parts ...string) []byte {
	return n.build(false, parts)
}

// Prefix returns the prefix shared by every key of n whose leading parts
// equal parts; with no parts it covers the whole namespace. Since parts are
// whole, Prefix("user") does not match Key("users", ...).
func (n Namespace) Prefix(parts ...string) []byte {
	return n.build(false, parts)
}

// PartialPrefix is like Prefix except that the last part is itself a prefix:
// PartialPrefix("obj", "photos/") matches Key("obj", "photos/cat.jpg", ...).
// Use it for begins-with listings such as S3's ListObjects Prefix. An empty
// last part makes it Prefix of the other parts, which also matches the key
// of exactly those parts.
func (n Namespace) PartialPrefix(parts ...string) []byte {
	return n.build(true, parts)
}

// Parts decodes a key of n back into its parts. It reports false when key
// does not belong to n or is not a well-formed key.
func (n Namespace) Parts(key []byte) ([]string, bool) {
	rest, ok := strings.CutPrefix(string(key), n.prefix)
	if !ok {
		return nil, false
	}
	var parts []string
	for rest != "" {
		part, tail, ok := cutPart(rest)
		if !ok {
			return nil, false
		}
		parts, rest = append(parts, part), tail
	}
	return parts, true
}

func (n Namespace) build(openLast bool, parts []string) []byte {
	size := len(n.prefix)
	for _, p := range parts {
		size += len(p) + 2
	}
	key := append(make([]byte, 0, size), n.prefix...)
	return appendParts(key, openLast, parts...)
}

// appendParts encodes parts onto dst; with openLast the final part gets no
// terminator, so the result prefixes every part that begins with it.
func appendParts(dst []byte, openLast bool, parts ...string) []byte {
	for i, p := range parts {
		dst = appendEscaped(dst, p)
		if !openLast || i < len(parts)-1 {
			dst = append(dst, escByte, escClose)
		}
	}
	return dst
}

func appendEscaped(dst []byte, p string) []byte {
	for {
		i := strings.IndexByte(p, escByte)
		if i < 0 {
			return append(dst, p...)
		}
		dst = append(dst, p[:i]...)
		dst = append(dst, escByte, escNul)
		p = p[i+1:]
	}
}

// cutPart decodes the first part of an encoded tuple and returns the rest.
func cutPart(s string) (part, rest string, ok bool) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, escByte)
		if i < 0 || i+1 >= len(s) {
			return "", "", false
		}
		b.WriteString(s[:i])
		switch s[i+1] {
		case escClose:
			return b.String(), s[i+2:], true
		case escNul:
			b.WriteByte(escByte)
			s = s[i+2:]
		default:
			return "", "", false
		}
	}
}
