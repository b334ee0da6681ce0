// Package app assembles kiri: the store, the services, the codecs and the
// gateway, served on one listener.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kiricloud/kiri/internal/gateway"
	snsservice "github.com/kiricloud/kiri/internal/service/sns"
	"github.com/kiricloud/kiri/internal/store"
)

// Version is kiri's version, reported by /_kiri/health.
var Version = "0.1.0-dev"

// Kiri is a running instance.
type Kiri struct {
	cfg      Config
	store    store.Store
	services *services
	listener net.Listener
	server   *http.Server
	Gateway  *gateway.Gateway
	served   chan error
	closing  sync.Once
	closeErr error
}

// Start opens the state, builds the services and serves the API on
// cfg.Listen. Logs go to logOut; io.Discard turns them off.
func Start(cfg Config, logOut io.Writer) (*Kiri, error) {
	logger := newLogger(logOut, cfg.LogLevel)
	st, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		st.Close()
		return nil, err
	}
	sv, err := buildServices(st, cfg, "http://"+ln.Addr().String(), logger)
	if err != nil {
		ln.Close()
		st.Close()
		return nil, err
	}
	gw := gateway.New(gateway.Config{
		DefaultAccount:   cfg.Account,
		DefaultRegion:    cfg.Region,
		VerifySignatures: cfg.VerifySignatures,
		Credentials:      sv.credentials,
		Logger:           logger,
		Version:          Version,
		Codecs:           codecs(),
		Services:         sv.gateway,
		Internal: map[string]http.Handler{
			lambdaCodePrefix:           lambdaCode(sv.lambda),
			snsservice.SigningCertPath: snsCertificate(sv.sns),
			"/_kiri/mailbox":           mailboxHandler(sv.mailbox),
		},
		FunctionURLs: &functionURLs{lambda: sv.lambda, credentials: sv.credentials, verify: cfg.VerifySignatures, now: time.Now},
	})
	k := &Kiri{cfg: cfg, store: st, services: sv, listener: ln, Gateway: gw, served: make(chan error, 1)}
	k.server = &http.Server{Handler: gw, ReadHeaderTimeout: 30 * time.Second}
	go func() { k.served <- k.server.Serve(ln) }()
	return k, nil
}

func openStore(cfg Config) (store.Store, error) {
	if cfg.Ephemeral {
		return store.OpenMemory()
	}
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("opening data directory %s: %w", cfg.DataDir, err)
	}
	return st, nil
}

// Endpoint is the URL clients use, e.g. http://127.0.0.1:4566.
func (k *Kiri) Endpoint() string { return "http://" + k.listener.Addr().String() }

// Close stops serving, waits for requests in flight, and closes the store.
// Calling it again returns the first result.
func (k *Kiri) Close() error {
	k.closing.Do(func() { k.closeErr = k.shutdown() })
	return k.closeErr
}

func (k *Kiri) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := k.server.Shutdown(ctx)
	if serveErr := <-k.served; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	err = errors.Join(err, k.services.close())
	return errors.Join(err, k.store.Close())
}

// newLogger writes text logs at level and above to out. For io.Discard it
// returns a logger that is never enabled, so no log line is even formatted.
func newLogger(out io.Writer, level slog.Leveler) *slog.Logger {
	if out == io.Discard {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
}
