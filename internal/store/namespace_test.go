package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestNamespaceIsolation(t *testing.T) {
	spaces := []Namespace{
		NS("iam", "111111111111", ""),
		NS("iam", "222222222222", ""),
		NS("sqs", "111111111111", "us-east-1"),
		NS("sqs", "111111111111", "eu-west-1"),
		NS("sqs", "222222222222", "us-east-1"),
		NS("s3", "111111111111", "us-east-1"),
		NS("sqs1", "11111111111", "us-east-1"), // shifted boundary
		NS("sqs", "111111111111us-east-1", ""),
	}
	forEachMode(t, func(t *testing.T, s Store) {
		err := s.Update(func(tx Tx) error {
			for i, ns := range spaces {
				for _, parts := range [][]string{{"a", "bc"}, {"ab", "c"}, {"abc"}, {"a", "b", "c"}} {
					if err := tx.Put(ns.Key(parts...), fmt.Appendf(nil, "%d:%q", i, parts)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s.View(func(tx Tx) error {
			for i, ns := range spaces {
				var got []string
				tx.Scan(ns.Prefix(), nil, func(k, v []byte) error {
					got = append(got, string(v))
					return nil
				})
				if len(got) != 4 {
					t.Errorf("namespace %d sees %d keys: %q", i, len(got), got)
				}
				for _, v := range got {
					if !strings.HasPrefix(v, fmt.Sprintf("%d:", i)) {
						t.Errorf("namespace %d sees %s", i, v)
					}
				}
			}
			return nil
		})
	})
}

func TestNamespaceKeysDistinct(t *testing.T) {
	ns := NS("svc", "acct", "")
	seen := map[string][]string{}
	for _, parts := range [][]string{
		{"a", "bc"}, {"ab", "c"}, {"abc"}, {"a", "b", "c"}, {"a\x00", "bc"}, {"a", "\x00bc"},
		{"a\x00bc"}, {"a\x00\x01bc"}, {"a\x00\xffbc"}, {""}, {"", ""}, {}, {"a", ""},
	} {
		k := string(ns.Key(parts...))
		if prev, dup := seen[k]; dup {
			t.Errorf("%q and %q share key %q", prev, parts, k)
		}
		seen[k] = parts
		if got, ok := ns.Parts([]byte(k)); !ok || !slices.Equal(got, parts) {
			t.Errorf("Parts(Key(%q)) = %q, %v", parts, got, ok)
		}
	}
	if NS("a", "", "") == NS("", "a", "") || NS("x", "y", "") == NS("x", "", "y") {
		t.Error("namespaces collide")
	}
}

// Byte order of keys must equal the order of their part tuples.
func TestNamespaceOrder(t *testing.T) {
	ns := NS("s3", "123", "us-east-1")
	alphabet := []string{"", "\x00", "\x01", "a", "b", "\xff"}
	r := rand.New(rand.NewPCG(1, 2))
	randPart := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 20000 {
		a := make([]string, 1+r.IntN(3))
		b := make([]string, 1+r.IntN(3))
		for i := range a {
			a[i] = randPart()
		}
		for i := range b {
			b[i] = randPart()
		}
		want := slices.Compare(a, b)
		if got := bytes.Compare(ns.Key(a...), ns.Key(b...)); got != want {
			t.Fatalf("Key(%q) vs Key(%q): %d, want %d", a, b, got, want)
		}
		pre := a[:1+r.IntN(len(a))]
		if got := bytes.HasPrefix(ns.Key(b...), ns.Prefix(pre...)); got != hasPrefixParts(b, pre) {
			t.Fatalf("Prefix(%q) matches Key(%q): %v", pre, b, got)
		}
		last := len(pre) - 1
		wantPartial := hasPrefixParts(b, pre[:last]) &&
			(pre[last] == "" || len(b) > last && strings.HasPrefix(b[last], pre[last]))
		if got := bytes.HasPrefix(ns.Key(b...), ns.PartialPrefix(pre...)); got != wantPartial {
			t.Fatalf("PartialPrefix(%q) matches Key(%q): %v", pre, b, got)
		}
	}
}

func hasPrefixParts(parts, prefix []string) bool {
	return len(parts) >= len(prefix) && slices.Equal(parts[:len(prefix)], prefix)
}

func TestNamespaceParts(t *testing.T) {
	ns := NS("iam", "1", "")
	if _, ok := NS("iam", "2", "").Parts(ns.Key("x")); ok {
		t.Error("Parts accepted a key of another namespace")
	}
	if _, ok := ns.Parts(append(ns.Key("x"), 'y')); ok {
		t.Error("Parts accepted an unterminated part")
	}
	if got, ok := ns.Parts(ns.Key("user", "a\x00b")); !ok || !slices.Equal(got, []string{"user", "a\x00b"}) {
		t.Errorf("Parts = %q, %v", got, ok)
	}
}

func TestPartialPrefixScan(t *testing.T) {
	ns := NS("s3", "1", "us-east-1")
	forEachMode(t, func(t *testing.T, s Store) {
		s.Update(func(tx Tx) error {
			for _, k := range []string{"photos/a", "photos/b", "photos", "photosx", "docs/a"} {
				tx.Put(ns.Key("bucket", k), []byte(k))
			}
			return nil
		})
		var got []string
		s.View(func(tx Tx) error {
			return tx.Scan(ns.PartialPrefix("bucket", "photos/"), nil, func(k, v []byte) error {
				got = append(got, string(v))
				return nil
			})
		})
		if fmt.Sprint(got) != "[photos/a photos/b]" {
			t.Fatalf("got %q", got)
		}
	})
}
