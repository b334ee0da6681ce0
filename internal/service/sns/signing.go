package sns

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/store"
)

// SigningCertPath is where kiri serves the certificate that verifies its
// message signatures; SigningCertURL is the Endpoint plus this path.
const SigningCertPath = "/_kiri/sns/SimpleNotificationService.pem"

// signer signs messages with SignatureVersion 1 (SHA1withRSA), as AWS does
// by default. The key and certificate are made once and kept in the store,
// so a subscriber that pinned the certificate still verifies after a
// restart.
type signer struct {
	key     *rsa.PrivateKey
	certPEM []byte
}

type signingRec struct {
	Key  []byte `json:"key"`  // PKCS#1 DER
	Cert []byte `json:"cert"` // PEM
}

func signingKey() []byte { return store.NS("sns", "", "").Key("signing") }

// getSigner loads the signing key, making it on first use.
func (s *Service) getSigner() (*signer, error) {
	s.signerMu.Lock()
	defer s.signerMu.Unlock()
	if s.signer != nil {
		return s.signer, nil
	}
	var rec signingRec
	var found bool
	err := s.st.View(func(tx store.Tx) error {
		var err error
		found, err = store.GetJSON(tx, signingKey(), &rec)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		// Made outside the transaction: key generation is slow and must
		// not hold up every writer. Another kiri sharing the store could
		// race us; the second write then wins, which only costs signatures
		// made with the first key.
		if rec, err = newSigningRec(s.now()); err != nil {
			return nil, err
		}
		if err := s.st.Update(func(tx store.Tx) error { return store.PutJSON(tx, signingKey(), &rec) }); err != nil {
			return nil, err
		}
	}
	key, err := x509.ParsePKCS1PrivateKey(rec.Key)
	if err != nil {
		return nil, err
	}
	s.signer = &signer{key: key, certPEM: rec.Cert}
	return s.signer, nil
}

func newSigningRec(now time.Time) (signingRec, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return signingRec{}, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "sns.amazonaws.com", Organization: []string{"kiri"}},
		DNSNames:     []string{"sns.amazonaws.com"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(20, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return signingRec{}, err
	}
	return signingRec{
		Key:  x509.MarshalPKCS1PrivateKey(key),
		Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}, nil
}

// SigningCertPEM returns the PEM certificate whose key signs kiri's SNS
// messages, for the HTTP route at SigningCertPath. It is nil only when the
// store fails.
func (s *Service) SigningCertPEM() []byte {
	sg, err := s.getSigner()
	if err != nil {
		s.logf("sns: signing key: %v", err)
		return nil
	}
	return sg.certPEM
}

func (s *Service) signingCertURL() string { return s.endpoint + SigningCertPath }

// canonicalString is the string AWS signs: for each field in order, the
// name, a newline, the value, a newline; Subject only when present.
func canonicalString(fields [][2]string) string {
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f[0])
		b.WriteByte('\n')
		b.WriteString(f[1])
		b.WriteByte('\n')
	}
	return b.String()
}

// notificationFields are the signed fields of a Notification.
func notificationFields(n *notification) [][2]string {
	f := [][2]string{{"Message", n.Message}, {"MessageId", n.MessageID}}
	if n.Subject != "" {
		f = append(f, [2]string{"Subject", n.Subject})
	}
	return append(f, [2]string{"Timestamp", n.Timestamp}, [2]string{"TopicArn", n.TopicArn}, [2]string{"Type", n.Type})
}

// confirmationFields are the signed fields of a SubscriptionConfirmation
// (and UnsubscribeConfirmation).
func confirmationFields(n *notification) [][2]string {
	return [][2]string{
		{"Message", n.Message}, {"MessageId", n.MessageID}, {"SubscribeURL", n.SubscribeURL},
		{"Timestamp", n.Timestamp}, {"Token", n.Token}, {"TopicArn", n.TopicArn}, {"Type", n.Type},
	}
}

// digest hashes the canonical string of n for its SignatureVersion: "1"
// is SHA1withRSA (AWS's default), "2" SHA256withRSA (the topic attribute
// SignatureVersion=2).
func digest(n *notification) (crypto.Hash, []byte) {
	fields := notificationFields(n)
	if n.Type != typeNotification {
		fields = confirmationFields(n)
	}
	text := []byte(canonicalString(fields))
	if n.SignatureVersion == "2" {
		sum := sha256.Sum256(text)
		return crypto.SHA256, sum[:]
	}
	sum := sha1.Sum(text)
	return crypto.SHA1, sum[:]
}

// sign signs n with SignatureVersion version ("" meaning "1") and fills in
// its signature fields.
func (s *Service) sign(n *notification, version string) error {
	sg, err := s.getSigner()
	if err != nil {
		return err
	}
	if version != "2" {
		version = "1"
	}
	n.SignatureVersion = version
	hash, sum := digest(n)
	sig, err := rsa.SignPKCS1v15(rand.Reader, sg.key, hash, sum)
	if err != nil {
		return err
	}
	n.Signature = base64.StdEncoding.EncodeToString(sig)
	n.SigningCertURL = s.signingCertURL()
	return nil
}
