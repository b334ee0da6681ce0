package prototest

import "testing"

func TestSuitesLoadAndResolve(t *testing.T) {
	for _, dir := range []string{"input", "output"} {
		for _, p := range []string{"json", "rest-json", "rest-xml", "query", "ec2"} {
			n := 0
			for _, s := range Load(t, dir, p) {
				for i := range s.Cases {
					if _, op, err := s.API(&s.Cases[i]); err != nil || op == nil {
						t.Fatalf("%s/%s %q case %d: %v", dir, p, s.Description, i, err)
					}
					n++
				}
			}
			t.Logf("%s/%s: %d cases", dir, p, n)
		}
	}
}
