package xmltest

import "testing"

func TestEquivalent(t *testing.T) {
	base := `<R xmlns="u"><A>1</A><B x="y">2</B></R>`
	same := []string{
		`<R xmlns="u">  <A> 1 </A>` + "\n" + `<B x="y">2</B></R>`,
		`<?xml version="1.0"?><R xmlns="u"><A>1</A><B x='y'>2</B></R>`,
	}
	for _, s := range same {
		if err := Equivalent([]byte(s), []byte(base), Options{}); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	different := []string{
		`<R xmlns="u"><B x="y">2</B><A>1</A></R>`, // order
		`<R xmlns="u"><A>1</A><B>2</B></R>`,       // attribute
		`<R xmlns="v"><A>1</A><B x="y">2</B></R>`, // namespace
		`<R xmlns="u"><A>1</A><B x="y">3</B></R>`, // text
		`<R xmlns="u"><A>1</A></R>`,               // missing child
		`<S xmlns="u"><A>1</A><B x="y">2</B></S>`, // root name
	}
	for _, s := range different {
		if err := Equivalent([]byte(s), []byte(base), Options{}); err == nil {
			t.Errorf("%s: reported equivalent", s)
		}
	}
}

func TestEquivalentOptions(t *testing.T) {
	base := `<R xmlns="u"><A>1</A><B>2</B><RequestId>x</RequestId></R>`
	got := `<S><B>2</B><A>1</A></S>`
	o := Options{IgnoreRootName: true, IgnoreRootNamespace: true, DropRootChildren: []string{"RequestId"}, Unordered: true}
	if err := Equivalent([]byte(got), []byte(base), o); err != nil {
		t.Error(err)
	}
	o.Unordered = false
	if err := Equivalent([]byte(got), []byte(base), o); err == nil {
		t.Error("order difference not reported")
	}
}
