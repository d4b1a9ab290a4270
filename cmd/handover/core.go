package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web"
	"github.com/handover-project/handover/internal/web/httpx"
	"github.com/handover-project/handover/internal/witness"
)

// storeFlags are the flags that say where the data lives.
type storeFlags struct {
	dir     string
	db      string
	keyFile string
	getenv  func(string) string
}

// dsn is --db, else HANDOVER_DB (read after parsing: a PostgreSQL URL may
// hold a password, and a flag's default is printed by --help), else "".
func (sf *storeFlags) dsn() string {
	if sf.db == "" && sf.getenv != nil {
		return sf.getenv("HANDOVER_DB")
	}
	return sf.db
}

func (m *Main) addStoreFlags(fs *flag.FlagSet) *storeFlags {
	sf := &storeFlags{getenv: m.Getenv}
	def := m.Getenv("HANDOVER_DIR")
	if def == "" {
		def = "handover-data"
	}
	fs.StringVar(&sf.dir, "dir", def, "data directory: the SQLite database and the data key (env HANDOVER_DIR)")
	fs.StringVar(&sf.db, "db", "", "database: postgres://… or an SQLite file (default: env HANDOVER_DB, else DIR/handover.db)")
	fs.StringVar(&sf.keyFile, "data-key-file", "", "the data keys `file`, kept apart from the data (default: env HANDOVER_DATA_KEY_FILE, else env HANDOVER_DATA_KEY, else DIR/data.key)")
	return sf
}

const keyFile = "data.key"

// open opens the store named by the flags. With create, a missing data
// directory and data key are made; otherwise their absence is an error that
// says to run init.
func (m *Main) open(ctx context.Context, sf *storeFlags, create bool) (*sqlstore.DB, error) {
	const op = "open"
	if create {
		// The data directory holds the database and the keys: this user's
		// alone, also when it existed before (made by hand, or by an older
		// version).
		if err := os.MkdirAll(sf.dir, 0o700); err != nil {
			return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot create the data directory %s", sf.dir), err)
		}
		if err := os.Chmod(sf.dir, 0o700); err != nil {
			return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot make the data directory %s private", sf.dir), err)
		}
	} else if _, err := os.Stat(sf.dir); err != nil && m.Getenv("HANDOVER_DATA_KEY") == "" && sf.keyFile == "" && m.Getenv("HANDOVER_DATA_KEY_FILE") == "" {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("no data directory %s: run 'handover init' first, or pass --dir", sf.dir))
	}
	ring, err := m.dataKeys(sf.dir, sf.keyFile, create)
	if err != nil {
		return nil, err
	}
	dsn := sf.dsn()
	if dsn == "" {
		dsn = filepath.Join(sf.dir, "handover.db")
		if _, err := os.Stat(dsn); err != nil && !create {
			return nil, errs.E(op, errs.Invalid, fmt.Sprintf("no database in %s: run 'handover init' first", sf.dir))
		}
	}
	return sqlstore.Open(ctx, ring.config(dsn))
}

const initUsage = `
Usage: handover init [--dir DIR | --db DSN] [--party CODE=NAME ...] [--admin LOGIN]

Creates the database (an SQLite file in DIR by default, or PostgreSQL with
--db postgres://…), the data key that encrypts sensitive fields, the
parties, and the first mediator_admin account, with a one-time enrolment
code printed once: the administrator sets their own password and second
factor with it ('handover enrol', or the page /enrol).

Example:
  handover init --dir /var/lib/handover --party UA=Ukraine --party "RU=Russian Federation" --admin admin
`

type multiFlag []string

func (f *multiFlag) String() string     { return strings.Join(*f, ",") }
func (f *multiFlag) Set(v string) error { *f = append(*f, v); return nil }

func runInit(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("init", initUsage)
	sf := m.addStoreFlags(fs)
	var parties multiFlag
	fs.Var(&parties, "party", "a party as CODE=NAME (repeatable); default UA=Ukraine and RU=Russian Federation")
	admin := fs.String("admin", "admin", "login of the first mediator_admin")
	origin := fs.String("origin", "", "the log's origin, a schema-less URL naming this deployment's log (default: handover.local/<random>)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(parties) == 0 {
		parties = multiFlag{"UA=Ukraine", "RU=Russian Federation"}
	}
	type party struct{ code, name string }
	var ps []party
	for _, p := range parties {
		code, name, ok := strings.Cut(p, "=")
		if !ok {
			return usageError{fmt.Sprintf("--party %q: use CODE=NAME, e.g. UA=Ukraine", p)}
		}
		ps = append(ps, party{strings.TrimSpace(code), strings.TrimSpace(name)})
	}
	db, err := m.open(ctx, sf, true)
	if err != nil {
		return err
	}
	defer db.Close()
	existing, err := db.Parties(ctx)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return errs.E("init", errs.Conflict, "the database is initialised already (it has parties); use 'handover user' to add users")
	}
	cfg, err := m.logConfig(sf.dir, *origin, true)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if _, err := db.CreateParty(ctx, p.code, p.name); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "party %s (%s) created\n", p.code, p.name)
	}
	u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: *admin, Role: "mediator_admin"})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "user %s (mediator_admin) created\n", *admin)
	printCode(m, *u.Enrolment)
	where := sf.dsn()
	if where == "" {
		where = filepath.Join(sf.dir, "handover.db")
	}
	keyAt := filepath.Join(sf.dir, keyFile)
	if sf.keyFile != "" {
		keyAt = sf.keyFile
	} else if f := m.Getenv("HANDOVER_DATA_KEY_FILE"); f != "" {
		keyAt = f
	} else if m.Getenv("HANDOVER_DATA_KEY") != "" {
		keyAt = "HANDOVER_DATA_KEY"
	}
	fmt.Fprintf(m.Stdout, "database %s (%s) ready; data key in %s\n", redactDSN(where), db.Dialect(), keyAt)
	fp, _ := audit.Fingerprint(cfg.LogVKey)
	fmt.Fprintf(m.Stdout, "log %s: verifier key %s\n  fingerprint %s (give it to each party over another channel)\n", cfg.Origin(), cfg.LogVKey, fp)
	return nil
}

const (
	logKeyFile = "log.key" // the server's checkpoint signing key (private)
	logPubFile = "log.pub" // its verifier key (public)
)

// logConfig loads the server's log key from DIR/log.key and DIR/log.pub;
// with create, it makes them first when absent (with origin, or a random
// one). The private key never leaves the data directory.
func (m *Main) logConfig(dir, origin string, create bool) (web.Config, error) {
	const op = "log key"
	skeyPath, vkeyPath := filepath.Join(dir, logKeyFile), filepath.Join(dir, logPubFile)
	if _, err := os.Stat(skeyPath); errors.Is(err, fs.ErrNotExist) && create {
		if origin == "" {
			var b [4]byte
			rand.Read(b[:])
			origin = "handover.local/" + hex.EncodeToString(b[:])
		}
		skey, vkey, err := audit.GenerateKey(origin)
		if err != nil {
			return web.Config{}, errs.E(op, errs.Invalid, fmt.Sprintf("origin %q cannot name a key", origin), err)
		}
		if err := writeFileAtomic(skeyPath, []byte(skey+"\n"), 0o600); err != nil {
			return web.Config{}, errs.E(op, errs.Internal, err)
		}
		if err := writeFileAtomic(vkeyPath, []byte(vkey+"\n"), 0o600); err != nil {
			return web.Config{}, errs.E(op, errs.Internal, err)
		}
	}
	skey, err := os.ReadFile(skeyPath)
	if err != nil {
		return web.Config{}, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the log key %s: run 'handover init' first", skeyPath), err)
	}
	vkey, err := os.ReadFile(vkeyPath)
	if err != nil {
		return web.Config{}, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read %s", vkeyPath), err)
	}
	signer, err := sqlstore.NewSigner(strings.TrimSpace(string(skey)))
	if err != nil {
		return web.Config{}, err
	}
	cfg := web.Config{Signer: signer, LogVKey: strings.TrimSpace(string(vkey)), Schedule: audit.CheckpointSchedule{EveryLeaves: 1000, Every: 30 * time.Second}}
	if audit.KeyName(cfg.LogVKey) != signer.Origin {
		return web.Config{}, errs.E(op, errs.Invalid, fmt.Sprintf("%s and %s name different logs", skeyPath, vkeyPath))
	}
	return cfg, nil
}

// checkpointLoop makes checkpoints while the server runs, as the schedule
// says, until ctx is done.
func checkpointLoop(ctx context.Context, db *sqlstore.DB, cfg web.Config, logger *slog.Logger) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if _, err := db.Checkpoint(ctx, cfg.Signer, cfg.Schedule, false); err != nil && !errs.Is(errs.NotFound, err) && ctx.Err() == nil {
			logger.Error("checkpoint", "err", err)
		}
	}
}

// newPassword returns a random password of 20 characters (about 100 bits).
func newPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// redactDSN hides a password in a PostgreSQL URL.
func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if j := strings.Index(dsn[i+3:], "@"); j >= 0 {
			cred := dsn[i+3 : i+3+j]
			if u, _, ok := strings.Cut(cred, ":"); ok {
				return dsn[:i+3] + u + ":***" + dsn[i+3+j:]
			}
		}
	}
	return dsn
}

const serveUsage = `
Usage: handover serve [--dir DIR | --db DSN] [--listen ADDR] [--log-format text|json]
                      [--import-max-mb N] [--import-max-rows N] [--import-max-duration D]
                      [--witness NAME=URL ...] [--log-public] [--metrics-allow CIDR,...]
                      [--trusted-proxy CIDR,...] [--tls-cert FILE --tls-key FILE]

Runs the server: the JSON API under /api/v1/ (described at
/api/v1/openapi.json), the pages, /healthz and /readyz, and /metrics (the
Prometheus text format). Stops gracefully on SIGINT or SIGTERM, finishing
requests in flight.

/metrics is read with the API token of a sysadmin account, or with no
token from an address --metrics-allow names (the connection's address,
never X-Forwarded-For: a reverse proxy must not pass /metrics on). Every
log line of a request carries its request id (the caller's X-Request-Id
when short and plain, else a new one, returned in X-Request-Id); no line
names a person (docs/operations.md, "Logs").

Behind a reverse proxy, --trusted-proxy names the proxy's addresses: from
them the client's address is the rightmost address of X-Forwarded-For that
is not a trusted proxy's (the proxy must set or append it; from any other
peer the header is ignored). The login limiter, an account's known
addresses and the request log use it. Without it every client behind the
proxy has the proxy's address: one guesser then holds back, for 15
minutes, every login from it of an account not logged in from it within
30 days (docs/design/security.md §5).

With --tls-cert and --tls-key it serves HTTPS itself, with
Strict-Transport-Security on every response; on SIGHUP it loads the pair
again and serves the new certificate from the next handshake, or, when the
new pair does not load, keeps serving the old one and logs why. Without
them it serves plain HTTP, for a reverse proxy that does TLS
(docs/operations.md: a systemd unit, nginx, PostgreSQL settings).

The log's tiles and checkpoint (/log/…, C2SP tlog-tiles) are read with a
token of an account that may read the log; --log-public serves them to
anyone (the leaves hold no personal data, but they show when each party
was busy and staff ids: docs/design/log.md §9).

With --witness, the server submits each new checkpoint to the witness by
itself (C2SP tlog-witness add-checkpoint, with the consistency proof from
the size the witness cosigned last) and stores its cosignature; NAME is the
name of the witness's key, registered by two people of its side first. A
witness may be 'handover cosign --listen' or any standard witness
(litewitness); one that is down is retried with back-off and holds up
nothing.

Example:
  handover serve --dir /var/lib/handover --listen 127.0.0.1:8080 --trusted-proxy 127.0.0.1/32
  handover serve --dir /var/lib/handover --witness UA-bureau=https://witness.ua.example/
  handover serve --dir /var/lib/handover --listen 0.0.0.0:8443 --tls-cert fullchain.pem --tls-key privkey.pem
`

func runServe(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("serve", serveUsage)
	sf := m.addStoreFlags(fs)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	logFormat := fs.String("log-format", "text", "request log format: text or json")
	urlFile := fs.String("url-file", "", "write the server's URL to this file once it accepts connections (for scripts; with port 0)")
	every := fs.Duration("checkpoint-every", 30*time.Second, "make a checkpoint at least this often while the log grows")
	leaves := fs.Int64("checkpoint-leaves", 1000, "make a checkpoint after this many new leaves")
	def := sheet.DefaultLimits()
	maxMB := fs.Int64("import-max-mb", def.MaxFileBytes>>20, "largest imported file, in MiB")
	maxRows := fs.Int("import-max-rows", def.MaxRows, "most rows read from an imported sheet")
	maxDur := fs.Duration("import-max-duration", def.MaxDuration, "longest an import may take, from the end of the upload to the last row stored")
	logPublic := fs.Bool("log-public", false, "serve the log's tiles and checkpoint (/log/…) to anyone, without a token (default: a token of an account that may read the log)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate `file` (PEM, the chain after the leaf); reloaded on SIGHUP")
	tlsKey := fs.String("tls-key", "", "the private key `file` of --tls-cert (PEM; not readable by every user)")
	metricsAllow := fs.String("metrics-allow", "", "addresses that may read /metrics without a token, as CIDR,... (e.g. 127.0.0.1/32,10.0.5.0/24); others need a sysadmin's token")
	trustedProxy := fs.String("trusted-proxy", "", "the reverse proxies whose X-Forwarded-For names the client, as CIDR,... (e.g. 127.0.0.1/32); from other peers the header is ignored")
	var witnessFlags multiFlag
	fs.Var(&witnessFlags, "witness", "a C2SP tlog-witness to submit each checkpoint to, as NAME=URL: the name of its registered witness key and its submission prefix (repeatable)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	var targets []witness.Target
	for _, w := range witnessFlags {
		t, err := witness.ParseTarget(w)
		if err != nil {
			return usageError{"--witness: " + errs.Message(err)}
		}
		targets = append(targets, t)
	}
	allow, err := parsePrefixes("metrics-allow", *metricsAllow)
	if err != nil {
		return err
	}
	proxies, err := parsePrefixes("trusted-proxy", *trustedProxy)
	if err != nil {
		return err
	}
	for _, p := range proxies {
		if p.Bits() == 0 {
			return usageError{fmt.Sprintf("--trusted-proxy: %s would let every client choose its own address; name the proxy's addresses (e.g. 127.0.0.1/32)", p)}
		}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usageError{"--tls-cert and --tls-key go together: give both, or neither for plain HTTP (behind a reverse proxy that does TLS)"}
	}
	if *maxMB < 1 || *maxRows < 1 || *maxDur <= 0 {
		return usageError{"--import-max-mb, --import-max-rows and --import-max-duration must be at least 1"}
	}
	logger, err := m.logger(*logFormat)
	if err != nil {
		return err
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg, err := m.logConfig(sf.dir, "", false)
	if err != nil {
		return err
	}
	cfg.Schedule = audit.CheckpointSchedule{EveryLeaves: *leaves, Every: *every}
	cfg.SheetLimits = sheet.Limits{MaxFileBytes: *maxMB << 20, MaxRows: *maxRows, MaxDuration: *maxDur}
	cfg.LogPublic = *logPublic
	cfg.MetricsAllow = allow
	cfg.TrustedProxies = proxies
	if len(targets) > 0 {
		// The witnesses are asked for cosignatures while the server runs;
		// one that is down holds up nothing (docs/design/log.md §6.1).
		wctx, stop := context.WithCancel(ctx)
		defer stop()
		wc := witness.NewClient(db, targets, nil, logger)
		cfg.Witnesses = witnessStatuses(wc)
		go wc.Run(wctx, 2*time.Second)
	}
	var tlsCfg *tls.Config
	if *tlsCert != "" {
		certs, err := newCertReloader(*tlsCert, *tlsKey, time.Now)
		if err != nil {
			return err
		}
		certs.reloadOnHangup(ctx, logger)
		logger.Info("TLS certificate loaded", certs.describe()...)
		tlsCfg = certs.tlsConfig()
	}
	return m.listenAndServe(ctx, db, logger, *listen, tlsCfg, cfg, func(url string) {
		fmt.Fprintf(m.Stdout, "handover listening on %s\n", url)
		if *urlFile != "" {
			if err := writeFileAtomic(*urlFile, []byte(url+"\n"), 0o600); err != nil {
				logger.Error("cannot write the URL file", "file", *urlFile, "err", err)
			}
		}
	})
}

// parsePrefixes reads the value v of the flag --name (--metrics-allow,
// --trusted-proxy): addresses or CIDR prefixes, separated by commas.
func parsePrefixes(name, v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, usageError{fmt.Sprintf("--%s: %q is neither an address nor a CIDR prefix (e.g. 127.0.0.1/32, 10.0.5.0/24, ::1)", name, f)}
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			// ::ffff:10.0.5.0/120 is 10.0.5.0/24: the server compares
			// addresses unmapped.
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (m *Main) logger(format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(m.Stderr, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(m.Stderr, nil)), nil
	}
	return nil, usageError{fmt.Sprintf("--log-format %q: use text or json", format)}
}

// serve runs the HTTP server on listen until ctx is done, then shuts down
// gracefully. ready is called with the server's URL once it accepts.
func (m *Main) serve(ctx context.Context, db *sqlstore.DB, logger *slog.Logger, listen string, cfg web.Config, ready func(url string)) error {
	return m.listenAndServe(ctx, db, logger, listen, nil, cfg, ready)
}

// listenAndServe is serve, over TLS when tlsCfg is not nil (serve
// --tls-cert): then every response says Strict-Transport-Security.
func (m *Main) listenAndServe(ctx context.Context, db *sqlstore.DB, logger *slog.Logger, listen string, tlsCfg *tls.Config, cfg web.Config, ready func(url string)) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return errs.E("serve", errs.Invalid, fmt.Sprintf("cannot listen on %s", listen), err)
	}
	ctx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	if cfg.Signer != nil {
		go checkpointLoop(ctx, db, cfg, logger)
	}
	srv := &http.Server{
		Handler:           web.New(db, logger, cfg).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	if tlsCfg != nil {
		url = "https://" + ln.Addr().String()
		srv.TLSConfig = tlsCfg
	}
	logger.Info("listening", "url", url, "database", db.Dialect())
	ready(url)
	done := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			done <- srv.ServeTLS(ln, "", "") // the certificate from tlsCfg.GetCertificate
			return
		}
		done <- srv.Serve(ln)
	}()
	select {
	case err := <-done:
		return errs.E("serve", errs.Internal, err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return errs.E("serve", errs.Internal, "graceful shutdown", err)
	}
	logger.Info("stopped")
	return nil
}

// writeFileAtomic writes data to path through a temporary file and a
// rename, so a reader never sees half a file. Every file handover writes
// is its user's alone (perm 0600): registers, lists, reports and keys hold
// personal data or secrets, and even a public key is shared by its owner,
// not by the file's mode.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// witnessStatuses is the witnesses' status as the API serves it.
func witnessStatuses(c *witness.Client) httpx.WitnessSource {
	return func() []api.WitnessStatus {
		var out []api.WitnessStatus
		for _, st := range c.Statuses() {
			out = append(out, api.WitnessStatus{Name: st.Name, URL: st.URL, CosignedSize: st.CosignedSize, CosignedAt: st.CosignedAt,
				LastAttempt: st.LastAttempt, LastError: st.LastError, Failures: st.Failures, NextAttempt: st.NextAttempt, RoundTrip: st.RoundTrip})
		}
		return out
	}
}
