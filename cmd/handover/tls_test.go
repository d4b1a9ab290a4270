package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testCert is a self-signed certificate for 127.0.0.1 made in the test.
type testCert struct {
	der           []byte
	certPEM, key  []byte
	x509          *x509.Certificate
	name          string
	before, after time.Time
}

func makeCert(t *testing.T, name string, before, after time.Time) testCert {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: name}, NotBefore: before, NotAfter: after,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return testCert{der: der, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), x509: c, name: name, before: before, after: after}
}

// install writes the certificate and key files (the key 0600), each
// through a rename, as certbot and friends do.
func (c testCert) install(t *testing.T, certFile, keyFile string) {
	t.Helper()
	for _, f := range []struct {
		path string
		b    []byte
	}{{certFile, c.certPEM}, {keyFile, c.key}} {
		if err := writeFileAtomic(f.path, f.b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCertReloader: a reload serves the new pair from the next handshake;
// a pair that does not load keeps the one served, and says why: a key
// that is not the certificate's, a certificate expired, a half-written
// file, a key every user may read.
func TestCertReloader(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	now := time.Now()
	a := makeCert(t, "handover A", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	b := makeCert(t, "handover B", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	a.install(t, certFile, keyFile)
	r, err := newCertReloader(certFile, keyFile, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	served := func() []byte {
		c, _ := r.GetCertificate(nil)
		return c.Certificate[0]
	}
	if !bytes.Equal(served(), a.der) {
		t.Fatal("A is not served")
	}
	b.install(t, certFile, keyFile)
	if err := r.Reload(); err != nil || !bytes.Equal(served(), b.der) {
		t.Fatalf("reload to B: %v; B served: %v", err, bytes.Equal(served(), b.der))
	}
	expired := makeCert(t, "expired", now.Add(-48*time.Hour), now.Add(-time.Hour))
	for _, c := range []struct {
		name      string
		cert, key []byte
		mode      os.FileMode
		want      string
	}{
		{"A's certificate with B's key", a.certPEM, b.key, 0o600, "cannot load"},
		{"an expired certificate", expired.certPEM, expired.key, 0o600, "not now"},
		{"a half-written certificate", a.certPEM[:len(a.certPEM)/2], a.key, 0o600, "cannot load"},
		{"a key every user may read", a.certPEM, a.key, 0o644, "readable by every user"},
	} {
		if err := os.WriteFile(certFile, c.cert, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(keyFile, c.key, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chmod(keyFile, c.mode)
		err := r.Reload()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: reload says %v, want %q", c.name, err, c.want)
		}
		if !bytes.Equal(served(), b.der) {
			t.Errorf("%s: B is no longer served", c.name)
		}
	}
	if _, err := newCertReloader(certFile, filepath.Join(dir, "missing.pem"), time.Now); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("a missing key: %v, want an error naming it", err)
	}
}

// TestServeTLSReloadOnHangup runs the real binary with --tls-cert and
// --tls-key: it serves HTTPS with HSTS; after the files are replaced and
// the process gets SIGHUP, new connections get the new certificate; a bad
// pair and another SIGHUP keep it serving the last good one, and the log
// says why.
func TestServeTLSReloadOnHangup(t *testing.T) {
	bin := handoverBinary(t)
	d := newDataDir(t, bin)
	now := time.Now()
	a := makeCert(t, "handover A", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	b := makeCert(t, "handover B", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	certFile, keyFile := filepath.Join(d.dir, "tls.crt"), filepath.Join(d.dir, "tls.key")
	a.install(t, certFile, keyFile)
	urlFile := filepath.Join(d.dir, "url")
	p := start(t, bin, "serve", "--dir", d.dir, "--listen", "127.0.0.1:0", "--url-file", urlFile, "--tls-cert", certFile, "--tls-key", keyFile, "--log-format", "json")
	var url string
	waitFor(t, 30*time.Second, "the server's URL file", func() bool {
		if p.exited() {
			t.Fatalf("serve exited: %v\n%s", p.err, p.out)
		}
		b, err := os.ReadFile(urlFile)
		url = strings.TrimSpace(string(b))
		return err == nil && url != ""
	})
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("serve --tls-cert listens at %q, want https://127.0.0.1:…", url)
	}
	pool := x509.NewCertPool()
	pool.AddCert(a.x509)
	pool.AddCert(b.x509)
	// A new connection per request: the handshake shows the certificate now served.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true}}
	get := func() (*x509.Certificate, http.Header) {
		t.Helper()
		resp, err := client.Get(url + "/healthz")
		if err != nil {
			t.Fatalf("GET /healthz over TLS: %v\n%s", err, p.out)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.TLS.PeerCertificates[0], resp.Header
	}
	cert, h := get()
	if !bytes.Equal(cert.Raw, a.der) {
		t.Fatalf("served %q, want A", cert.Subject.CommonName)
	}
	if hsts := h.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("Strict-Transport-Security over TLS: %q", hsts)
	}

	b.install(t, certFile, keyFile)
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "certificate B served after SIGHUP", func() bool {
		if p.exited() {
			t.Fatalf("serve exited on SIGHUP: %v\n%s", p.err, p.out)
		}
		c, _ := get()
		return bytes.Equal(c.Raw, b.der)
	})
	if !strings.Contains(p.out.String(), "TLS certificate reloaded") {
		t.Errorf("the reload is not logged:\n%s", p.out)
	}

	// A bad pair: A's certificate with B's key.
	if err := writeFileAtomic(certFile, a.certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "the refused reload logged", func() bool {
		return strings.Contains(p.out.String(), "TLS certificate not reloaded")
	})
	if c, _ := get(); !bytes.Equal(c.Raw, b.der) || p.exited() {
		t.Errorf("after a bad pair: served %q (want B), exited %v", c.Subject.CommonName, p.exited())
	}
	if !strings.Contains(p.out.String(), "cannot load the TLS certificate") {
		t.Errorf("the log does not say why the pair was refused:\n%s", p.out)
	}
}

// TestServeTLSFlags: --tls-cert without --tls-key, and a pair that does
// not load, are refused before the server starts.
func TestServeTLSFlags(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runLS(t, "serve", "--dir", dir, "--tls-cert", filepath.Join(dir, "c.pem"))
	if code != 2 || !strings.Contains(errOut, "--tls-cert and --tls-key go together") {
		t.Errorf("--tls-cert alone: exit %d, %s", code, errOut)
	}
	code, _, errOut = runLS(t, "serve", "--dir", dir, "--metrics-allow", "10.0.0.0/8,nonsense")
	if code != 2 || !strings.Contains(errOut, `"nonsense" is neither an address nor a CIDR prefix`) {
		t.Errorf("--metrics-allow nonsense: exit %d, %s", code, errOut)
	}
}

// TestServeTrustedProxy: serve --trusted-proxy takes the client's address
// from X-Forwarded-For when the connection comes from a proxy it names,
// and the request log says it; --metrics-allow still reads the
// connection's own address. A value that is no address, or one that
// would trust every peer, is refused before the server starts.
func TestServeTrustedProxy(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ value, want string }{
		{"127.0.0.1/32,nonsense", `--trusted-proxy: "nonsense" is neither an address nor a CIDR prefix`},
		{"0.0.0.0/0", "would let every client choose its own address"},
	} {
		if code, _, errOut := runLS(t, "serve", "--dir", dir, "--trusted-proxy", tc.value); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("--trusted-proxy %s: exit %d, %s", tc.value, code, errOut)
		}
	}

	bin := handoverBinary(t)
	d := newDataDir(t, bin)
	urlFile := filepath.Join(d.dir, "url")
	p := start(t, bin, "serve", "--dir", d.dir, "--listen", "127.0.0.1:0", "--url-file", urlFile, "--log-format", "json",
		"--trusted-proxy", "127.0.0.1/32", "--metrics-allow", "198.51.100.0/24")
	var url string
	waitFor(t, 30*time.Second, "the server's URL file", func() bool {
		if p.exited() {
			t.Fatalf("serve exited: %v\n%s", p.err, p.out)
		}
		b, err := os.ReadFile(urlFile)
		url = strings.TrimSpace(string(b))
		return err == nil && url != ""
	})
	get := func(path, xff string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", url+path, nil)
		req.Header.Set("X-Forwarded-For", xff)
		req.Header.Set("X-Request-Id", "proxy-test-"+strings.Trim(path, "/"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	get("/healthz", "192.0.2.44, 198.51.100.7")
	if st := get("/metrics", "198.51.100.7"); st != http.StatusUnauthorized {
		t.Errorf("/metrics through the trusted proxy for an allowed client: %d, want 401 (only the connection's address counts)", st)
	}
	waitFor(t, 15*time.Second, "the request log of /healthz", func() bool {
		return strings.Contains(p.out.String(), `"request_id":"proxy-test-healthz"`)
	})
	for _, line := range strings.Split(p.out.String(), "\n") {
		if strings.Contains(line, `"request_id":"proxy-test-healthz"`) && !strings.Contains(line, `"remote":"198.51.100.7"`) {
			t.Errorf("the request log does not name the client the proxy vouches for:\n%s", line)
		}
	}
}
