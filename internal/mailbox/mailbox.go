// Package mailbox is kiri's outbound mailbox: every mail that AWS would
// send on a user's behalf (SNS subscription confirmations and email
// notifications, later SES messages and verification mails) lands here
// instead of on the internet, so that tests and developers can read it and
// follow the links in it.
//
// Mails are kept in the store, under the namespace ("mailbox", "", ""), so
// they survive a restart like any other state; ids sort in delivery order.
package mailbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/kiricloud/kiri/internal/store"
)

// Mail is one outbound message.
type Mail struct {
	ID      string    `json:"id"`
	Account string    `json:"account,omitempty"` // the AWS account that sent it, when known
	Source  string    `json:"source,omitempty"`  // the kiri service that sent it, e.g. "sns"
	From    string    `json:"from"`
	To      []string  `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text,omitempty"`
	HTML    string    `json:"html,omitempty"`
	Time    time.Time `json:"time"`
}

// ErrNotFound is returned by Get for an unknown id.
var ErrNotFound = errors.New("mailbox: no such mail")

// Mailbox stores outbound mail.
type Mailbox struct {
	st  store.Store
	ns  store.Namespace
	now func() time.Time
	seq atomic.Uint64
}

// New returns the mailbox kept in st.
func New(st store.Store) *Mailbox {
	return &Mailbox{st: st, ns: store.NS("mailbox", "", ""), now: time.Now}
}

// Deliver stores m and returns its id. A zero Time is stamped with the
// current time.
func (b *Mailbox) Deliver(ctx context.Context, m Mail) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if len(m.To) == 0 {
		return "", errors.New("mailbox: mail has no recipient")
	}
	if m.Time.IsZero() {
		m.Time = b.now()
	}
	m.Time = m.Time.UTC()
	m.ID = b.newID(m.Time)
	err := b.st.Update(func(tx store.Tx) error {
		return store.PutJSON(tx, b.ns.Key("mail", m.ID), &m)
	})
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

// newID makes ids that sort by delivery time (then by a process-wide
// sequence, for mails delivered in the same nanosecond) so List needs no
// sorting; the random tail keeps them unique across restarts.
func (b *Mailbox) newID(t time.Time) string {
	var r [4]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("%019d-%06d-%s", t.UnixNano(), b.seq.Add(1)%1_000_000, hex.EncodeToString(r[:]))
}

// List returns the mails sent by account, oldest first; account ""
// returns every mail.
func (b *Mailbox) List(account string) ([]Mail, error) {
	var out []Mail
	err := b.st.View(func(tx store.Tx) error {
		return tx.Scan(b.ns.Prefix("mail"), nil, func(_, v []byte) error {
			var m Mail
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			if account == "" || m.Account == account {
				out = append(out, m)
			}
			return nil
		})
	})
	return out, err
}

// Get returns the mail with id, or ErrNotFound.
func (b *Mailbox) Get(id string) (Mail, error) {
	var m Mail
	var found bool
	err := b.st.View(func(tx store.Tx) error {
		var err error
		found, err = store.GetJSON(tx, b.ns.Key("mail", id), &m)
		return err
	})
	if err != nil {
		return Mail{}, err
	}
	if !found {
		return Mail{}, ErrNotFound
	}
	return m, nil
}
