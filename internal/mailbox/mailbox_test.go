package mailbox

import (
	"context"
	"errors"
	"testing"

	"github.com/kiricloud/kiri/internal/store"
)

func TestDeliverListGet(t *testing.T) {
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := New(st)
	ctx := context.Background()
	id1, err := b.Deliver(ctx, Mail{Account: "111111111111", From: "a@x", To: []string{"b@x"}, Subject: "one", Text: "1"})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := b.Deliver(ctx, Mail{Account: "222222222222", From: "a@x", To: []string{"c@x"}, Subject: "two", Text: "2"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := b.List("")
	if err != nil || len(all) != 2 || all[0].ID != id1 || all[1].ID != id2 {
		t.Fatalf("List(\"\") = %+v, %v", all, err)
	}
	mine, _ := b.List("222222222222")
	if len(mine) != 1 || mine[0].Subject != "two" {
		t.Fatalf("List(account) = %+v", mine)
	}
	m, err := b.Get(id1)
	if err != nil || m.Text != "1" || m.To[0] != "b@x" || m.Time.IsZero() {
		t.Fatalf("Get = %+v, %v", m, err)
	}
	if _, err := b.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(nope) err = %v", err)
	}
	if _, err := b.Deliver(ctx, Mail{From: "a@x"}); err == nil {
		t.Fatal("Deliver without recipient succeeded")
	}
}

func TestDurable(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	id, err := New(st).Deliver(context.Background(), Mail{From: "a@x", To: []string{"b@x"}, Subject: "s"})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if m, err := New(st).Get(id); err != nil || m.Subject != "s" {
		t.Fatalf("after reopen: %+v, %v", m, err)
	}
}
