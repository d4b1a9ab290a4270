package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

// certReloader serves the certificate of serve --tls-cert and --tls-key
// and loads the pair again on demand (SIGHUP): a renewed certificate is
// served from the next handshake on, with no restart and no request lost.
// A pair that does not load — a file missing or half written, a key that
// is not the certificate's, a certificate expired or not yet valid —
// leaves the one being served in place, and Reload says why.
type certReloader struct {
	certFile, keyFile string
	now               func() time.Time
	cert              atomic.Pointer[tls.Certificate]
}

// newCertReloader loads the pair once; an error says what is wrong with it.
func newCertReloader(certFile, keyFile string, now func() time.Time) (*certReloader, error) {
	c := &certReloader{certFile: certFile, keyFile: keyFile, now: now}
	if err := c.Reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload loads the pair from the files again and, if it is good, serves it
// from the next handshake on; otherwise the certificate served stays.
func (c *certReloader) Reload() error {
	const op = "tls"
	if fi, err := os.Stat(c.keyFile); err == nil && fi.Mode().Perm()&0o004 != 0 {
		return errs.E(op, errs.Invalid, fmt.Sprintf("the TLS key %s is readable by every user (mode %v): chmod o-r it (0600, or 0640 for a group such as ssl-cert)", c.keyFile, fi.Mode().Perm()))
	}
	pair, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot load the TLS certificate %s with the key %s", c.certFile, c.keyFile), err)
	}
	leaf := pair.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return errs.E(op, errs.Invalid, fmt.Sprintf("the TLS certificate %s does not parse", c.certFile), err)
		}
		pair.Leaf = leaf
	}
	now := c.now()
	if now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		return errs.E(op, errs.Invalid, fmt.Sprintf("the TLS certificate %s is valid from %s to %s, not now", c.certFile,
			leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339)))
	}
	c.cert.Store(&pair)
	return nil
}

// GetCertificate is tls.Config.GetCertificate: the pair loaded last.
func (c *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return c.cert.Load(), nil
}

// describe names the certificate served, for the log: its fingerprint,
// subject and end of validity.
func (c *certReloader) describe() []any {
	p := c.cert.Load()
	sum := sha256.Sum256(p.Certificate[0])
	return []any{"sha256", hex.EncodeToString(sum[:]), "subject", p.Leaf.Subject.String(), "not_after", p.Leaf.NotAfter.UTC().Format(time.RFC3339)}
}

// tlsConfig is the server's TLS configuration over the reloader: TLS 1.2
// at least, the certificate read at each handshake.
func (c *certReloader) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.GetCertificate}
}

// reloadOnHangup loads the pair again on each SIGHUP until ctx is done,
// logging what it serves or why it kept the old one. The signal is
// subscribed before it returns, so a SIGHUP sent once the server says it
// listens never ends the process.
func (c *certReloader) reloadOnHangup(ctx context.Context, logger *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
			}
			if err := c.Reload(); err != nil {
				logger.Error("TLS certificate not reloaded: still serving the previous one", append([]any{"err", err.Error()}, c.describe()...)...)
				continue
			}
			logger.Info("TLS certificate reloaded", c.describe()...)
		}
	}()
}
