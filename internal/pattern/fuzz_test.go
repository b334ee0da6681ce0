package pattern

import "testing"

// FuzzMatch compiles fuzzed patterns in every dialect and matches fuzzed
// events: neither may panic. Plain `go test` runs only the seeds; run
// `go test -fuzz=FuzzMatch -fuzztime=60s ./internal/pattern` to explore.
func FuzzMatch(f *testing.F) {
	seeds := [][2]string{
		{`{"source":["aws.ec2"],"detail":{"state":["running","stopped"]}}`, `{"source":"aws.ec2","detail":{"state":"running"}}`},
		{`{"a":[{"prefix":{"equals-ignore-case":"Ab"}},{"suffix":"z"}]}`, `{"a":["ABc","xz"]}`},
		{`{"a":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"a":"/usr/lib/x"}`},
		{`{"a":[{"numeric":[">",0,"<=",5]}],"b":[{"exists":false}]}`, `{"a":5.0}`},
		{`{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db8::1"}`},
		{`{"$or":[{"a":["x"]},{"b":{"c":[null]}}]}`, `{"b":[{"c":null}]}`},
		{`{"w":[{"wildcard":"a\\**b*"}]}`, `{"w":"a*xxb"}`},
		{`{"price":[{"numeric":["=",5]}]}`, `{"price":{"Type":"Number","Value":"5"}}`},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, pattern, event []byte) {
		if p, err := Compile(pattern); err == nil {
			p.Match(event)
		}
		for _, scope := range []string{ScopeMessageAttributes, ScopeMessageBody} {
			if p, err := CompileFilterPolicy(pattern, scope); err == nil {
				p.Match(event)
			}
		}
	})
}
