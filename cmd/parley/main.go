// Command parley is the reference server: both HTTP adapters, the
// Infobip-shaped API of package httpapi at /ccaas/1 and the helpdesk API of
// package httpapi/helpdesk at /api/v1, over an embedded SQLite file, or over
// PostgreSQL when given a DSN.
//
//	go run ./cmd/parley            # http://127.0.0.1:8080/ccaas/1 and /api/v1 over ./parley.db
//	go run ./cmd/parley -seed      # the same, with a small demo data set
//
// Flags, each also read from an environment variable (the flag wins):
//
//	-addr HOST:PORT   PARLEY_ADDR      where to listen (default 127.0.0.1:8080)
//	-sqlite PATH      PARLEY_SQLITE    the SQLite file (default parley.db)
//	-postgres DSN     PARLEY_POSTGRES  use PostgreSQL instead of SQLite
//	-schema NAME      PARLEY_SCHEMA    the PostgreSQL schema, or the SQLite
//	                                   table prefix (default parley)
//	-api-keys FILE    PARLEY_API_KEYS  the API keys (see below)
//	-strict           PARLEY_STRICT=1  refuse unknown query parameters and
//	                                   body fields with a 400 (by default
//	                                   they are ignored, as Infobip does)
//	-seed                              load the demo data set, or set it back (see seed.go)
//	-read-timeout D    (default 30s)   the longest a client may take to send a request
//	-write-timeout D   (default 60s)   the longest from a request's headers to the end of its answer
//	-idle-timeout D    (default 60s)   how long an idle keep-alive connection stays open
//	-max-conns N                       the most open connections (default: the file limit less 128)
//	-log-format F      (default text)  the log's format: text or json
//	-log-level L       (default info)  debug logs every service operation too
//	-run-interval D    (default 1s)    how often the runner runs (see below); 0 disables it
//
// Slow and idle clients cannot starve the others: headers must arrive
// within 10 seconds (or the read timeout, if shorter) and fit in 64 KiB,
// the timeouts above bound every connection, and the process raises its
// open-file limit to the hard limit at start. At -max-conns the server
// makes room for a new connection by closing an idle keep-alive one (else
// the one that has waited longest for its first request); when every
// connection is busy with a request, the new one gets a 503 with
// Retry-After: 1.
//
// PostgreSQL is used when a DSN is given, unless -sqlite is on the command
// line and -postgres is not: a flag always wins over the environment, so
// "-sqlite x.db" serves x.db even with PARLEY_POSTGRES set, while -postgres
// overrides -sqlite and PARLEY_POSTGRES overrides PARLEY_SQLITE.
//
// With -api-keys, every request needs a key, "Authorization: Bearer KEY"
// or "Authorization: App KEY" (401 without a valid one), and the service
// checks scopes: each key grants its own (read:conversations,
// write:conversations) and acts as its agentId, when it has one. The file
// is a JSON array, [{"key": "...", "agentId": "ann", "scopes": [...]}];
// keys are compared in constant time and never logged. Without keys the
// server is open, as it logs at start: x-agent-id names the agent acting
// and no scope is checked.
//
// It migrates the database on start, logs each request (method, path,
// status, latency) with log/slog on stderr, prints the URL it serves on
// stdout, and shuts down gracefully on SIGINT or SIGTERM, exiting 0; a
// second signal during the shutdown ends it at once, exiting 1. When -addr
// names no host or an unspecified one (":8080", "0.0.0.0:8080",
// "[::]:8080"), the URL printed is the loopback one, http://127.0.0.1:8080,
// which the server answers too; the log has the address it listens on.
// Every -run-interval it runs what time decides (parley.Service.Run): offers
// and outbound calls that rang out, heartbeat lapses, queued calls offered
// to agents who became free, waiting conversations assigned (ended
// wrap-ups, exceeded waits). Several instances on one database may each
// run it; -run-interval 0 turns it off, for a deployment that runs it in a
// process of its own.
//
// Operations:
//
//	parley migrate [-sqlite PATH | -postgres DSN] [-schema NAME]          migrate, then exit
//	parley migrate -status [-sqlite PATH | -postgres DSN] [-schema NAME]  the version, changing nothing
//
// lets ops migrate before rolling out instances (which still migrate on
// start, a no-op then). A server refuses to start on a database that a
// newer build has migrated. GET /healthz answers 200 while the process is
// up; GET /readyz answers 200 when the database answers and every
// migration this build knows is applied, else 503 with Retry-After and the
// reason. A request the database cannot serve (the connection refused or
// lost, the server shutting down) is a 503 with Retry-After, not a 500.
// GET /metrics answers in the Prometheus text format: the requests by
// method and status code and the service's operations by name and outcome
// (histograms of their durations, parley_http_request_duration_seconds
// and parley_operation_duration_seconds), and the open connections by
// state (parley_http_open_connections, with the cap and the count of those
// shed). The operations and readiness endpoints are open even with
// -api-keys: put them where only the operators can reach them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/httpapi/helpdesk"
	"github.com/parleyhq/parley/sqlstore"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		cancel() // the first signal: shut down gracefully
		sig := <-signals
		fmt.Fprintf(os.Stderr, "parley: %v again: exiting without waiting for the shutdown\n", sig)
		os.Exit(1)
	}()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	var usage usageError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &usage):
		os.Exit(2) // the flag package has said what is wrong
	default:
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

// config is what the flags and the environment say.
type config struct {
	addr     string
	sqlite   string
	postgres string // when set, PostgreSQL is used and sqlite is ignored
	schema   string
	apiKeys  string // the keys file; "" runs the server open
	seed     bool
	status   bool // parley migrate -status: report, change nothing
	logJSON  bool // -log-format json
	logLevel slog.Level
	limits   limits
	strict   bool // refuse unknown query parameters and body fields
	// runInterval is how often the runner runs; 0 turns it off.
	runInterval time.Duration
	// recordingsDir holds the recorded files; "" is the default
	// (recordingsDir).
	recordingsDir string
}

// limits are how long a client may take and how many connections the
// server holds: what keeps slow and idle clients from starving the others.
type limits struct {
	readTimeout  time.Duration // a whole request, body included
	writeTimeout time.Duration // from the end of the headers to the end of the answer
	idleTimeout  time.Duration // a keep-alive connection between requests
	maxConns     int           // open connections; 0 is derived from the file limit
}

// defaultLimits are the limits without flags.
var defaultLimits = limits{readTimeout: 30 * time.Second, writeTimeout: 60 * time.Second, idleTimeout: 60 * time.Second}

// The fixed limits: the header read, the header size, and how long the
// readiness check waits for the database.
const (
	readyTimeout      = 2 * time.Second
	readHeaderTimeout = 10 * time.Second
	maxHeaderBytes    = 64 << 10
)

// parseConfig reads the flags, with the environment as their defaults. A
// flag given wins over every variable: -sqlite on the command line without
// -postgres drops a DSN that came from PARLEY_POSTGRES.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	envOr := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var c config
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", envOr("PARLEY_ADDR", "127.0.0.1:8080"), "`HOST:PORT` to listen on (env PARLEY_ADDR)")
	fs.StringVar(&c.sqlite, "sqlite", envOr("PARLEY_SQLITE", "parley.db"), "SQLite database `PATH` (env PARLEY_SQLITE)")
	fs.StringVar(&c.postgres, "postgres", envOr("PARLEY_POSTGRES", ""), "PostgreSQL `DSN`; overrides -sqlite (env PARLEY_POSTGRES)")
	fs.StringVar(&c.schema, "schema", envOr("PARLEY_SCHEMA", sqlstore.DefaultSchema), "PostgreSQL schema, or SQLite table prefix, `NAME` (env PARLEY_SCHEMA)")
	fs.StringVar(&c.apiKeys, "api-keys", envOr("PARLEY_API_KEYS", ""), "JSON `FILE` of API keys; without it the API is open (env PARLEY_API_KEYS)")
	fs.BoolVar(&c.seed, "seed", false, "load a small demo data set, or set its rows back to their starting state")
	logFormat := fs.String("log-format", "text", "the log's format: text or json")
	fs.TextVar(&c.logLevel, "log-level", slog.LevelInfo, "the lowest level logged: debug, info, warn or error (debug logs every operation)")
	fs.BoolVar(&c.status, "status", false, "with parley migrate: report the database's version, change nothing")
	fs.DurationVar(&c.limits.readTimeout, "read-timeout", defaultLimits.readTimeout, "the longest a client may take to send a request, body included")
	fs.DurationVar(&c.limits.writeTimeout, "write-timeout", defaultLimits.writeTimeout, "the longest from the end of a request's headers to the end of its answer")
	fs.DurationVar(&c.limits.idleTimeout, "idle-timeout", defaultLimits.idleTimeout, "how long an idle keep-alive connection stays open")
	fs.DurationVar(&c.runInterval, "run-interval", defaultRunInterval, "how often the runner times out calls, records heartbeat lapses and drains the queues; 0 turns it off")
	fs.IntVar(&c.limits.maxConns, "max-conns", 0, "the most open connections; at the cap idle ones are closed to make room (default: the file limit less a reserve)")
	fs.StringVar(&c.recordingsDir, "recordings-dir", envOr("PARLEY_RECORDINGS_DIR", ""), "`DIR` of recorded files, named by recording id (env PARLEY_RECORDINGS_DIR; default: recordings beside the SQLite database, or parley-recordings in the temporary directory with PostgreSQL)")
	strictEnv := false
	if v := getenv("PARLEY_STRICT"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, usageError{fmt.Errorf("PARLEY_STRICT must be true or false (1 or 0), not %q", v)}
		}
		strictEnv = b
	}
	fs.BoolVar(&c.strict, "strict", strictEnv, "refuse unknown query parameters and body fields with a 400 (env PARLEY_STRICT=1)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, usageError{err}
	}
	usage := func(err error) (config, error) {
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return c, usageError{err}
	}
	if fs.NArg() > 0 {
		return usage(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if err := sqlstore.ValidSchema(c.schema); err != nil {
		return usage(fmt.Errorf("-schema: %w", err))
	}
	for name, d := range map[string]time.Duration{"-read-timeout": c.limits.readTimeout, "-write-timeout": c.limits.writeTimeout, "-idle-timeout": c.limits.idleTimeout} {
		if d <= 0 {
			return usage(fmt.Errorf("%s: must be positive, not %v", name, d))
		}
	}
	switch *logFormat {
	case "text":
	case "json":
		c.logJSON = true
	default:
		return usage(fmt.Errorf("-log-format: must be text or json, not %q", *logFormat))
	}
	if c.runInterval < 0 {
		return usage(fmt.Errorf("-run-interval: must not be negative, not %v", c.runInterval))
	}
	if c.limits.maxConns < 0 {
		return usage(fmt.Errorf("-max-conns: must not be negative, not %d", c.limits.maxConns))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["sqlite"] && !given["postgres"] {
		c.postgres = "" // the flag wins over PARLEY_POSTGRES
	}
	return c, nil
}

// usageError is a mistake on the command line, already reported with the
// usage.
type usageError struct{ error }

// database is the seam between the server and its store: what it needs
// to open, migrate, check and close one.
type database struct {
	store *sqlstore.Store
	name  string // for the log: "sqlite parley.db" or "postgres"
	close func()
}

// openDatabase opens the store the configuration names, without
// migrating it.
func openDatabase(ctx context.Context, c config) (*database, error) {
	if c.postgres != "" {
		pool, err := pgxpool.New(ctx, c.postgres)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		s, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(c.schema))
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgres: %w", err)
		}
		return &database{store: s, name: "postgres schema " + c.schema, close: pool.Close}, nil
	}
	return openSQLite(ctx, c)
}

// migrate brings the database up to date; one a newer build migrated is
// refused (sqlstore.ErrSchemaTooNew), so that an old instance never
// serves a new schema.
func (db *database) migrate(ctx context.Context) error {
	if err := db.store.Migrate(ctx); err != nil {
		return fmt.Errorf("%s: %w", db.name, err)
	}
	return nil
}

// runMigrate is "parley migrate": it migrates the database and says from
// which version to which, or with -status only says where it stands, so
// that ops can migrate before rolling out instances.
func runMigrate(ctx context.Context, c config, stdout io.Writer) error {
	db, err := openDatabase(ctx, c)
	if err != nil {
		return err
	}
	defer db.close()
	before, err := db.store.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", db.name, err)
	}
	latest := db.store.LatestVersion()
	if c.status {
		state := "up to date"
		switch err := db.store.CheckSchema(ctx); {
		case errors.Is(err, sqlstore.ErrSchemaTooNew):
			state = "newer than this build"
		case err != nil:
			state = "migrations pending"
		}
		fmt.Fprintf(stdout, "parley: %s is at version %d; this build knows %d: %s\n", db.name, before, latest, state)
		return nil
	}
	if err := db.migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "parley: %s migrated from version %d to %d\n", db.name, before, latest)
	return nil
}

// run serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	migrateCmd := len(args) > 0 && args[0] == "migrate"
	if migrateCmd {
		args = args[1:]
	}
	c, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if migrateCmd {
		return runMigrate(ctx, c, stdout)
	}
	if c.status {
		return usageError{errors.New("-status goes with parley migrate")}
	}
	logOpts := &slog.HandlerOptions{Level: c.logLevel}
	logger := slog.New(slog.NewTextHandler(stderr, logOpts))
	if c.logJSON {
		logger = slog.New(slog.NewJSONHandler(stderr, logOpts))
	}
	m := newMetrics()
	svcOpts := []parley.Option{parley.WithLogger(logger), parley.WithObserver(m.operation)}
	actor := httpapi.HeaderActor
	if c.apiKeys != "" {
		keys, err := loadKeys(c.apiKeys)
		if err != nil {
			return err
		}
		actor = keys.actor
		svcOpts = append(svcOpts, parley.WithAuthorization())
		logger.Info("API keys loaded: every request needs one, and its scopes", "keys", len(keys.keys))
	} else {
		logger.Warn("no API keys (-api-keys): the API is open to anyone who can reach it, and checks no scopes")
	}

	db, err := openDatabase(ctx, c)
	if err != nil {
		return err
	}
	defer db.close()
	if err := db.migrate(ctx); err != nil {
		return err
	}
	files, err := openRecordings(c)
	if err != nil {
		return err
	}
	logger.Info("recorded files", "dir", files.dir)
	svcOpts = append(svcOpts, parley.WithRecordingFiles(files))
	svc := parley.New(db.store, svcOpts...)
	// The server's own work (seeding, the runner) holds every
	// scope: with API keys, authorisation is on for it too.
	system := parley.WithActor(ctx, parley.Actor{Scopes: []parley.Scope{parley.ScopeRead, parley.ScopeWrite}})
	if c.seed {
		if err := seed(system, svc); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		logger.Info("demo data loaded")
	}

	fileLimit, err := raiseFileLimit()
	if err != nil {
		logger.Warn("could not raise the open-file limit", "limit", fileLimit, "error", err)
	}
	maxConns := c.limits.maxConns
	if maxConns == 0 {
		maxConns = connsFor(fileLimit)
	}
	tcp, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	ln := newConnLimit(tcp, maxConns)
	m.conns = ln
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", m)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := db.store.CheckSchema(ctx); err != nil {
			logger.Warn("not ready", "error", err)
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(w, "not ready: %v\n", err)
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	// The Infobip adapter answers every path the helpdesk one does not
	// own, with its JSON 404 for those that are no route.
	apiOpts := []httpapi.Option{httpapi.WithLogger(logger), httpapi.WithActorFunc(actor)}
	helpdeskOpts := []helpdesk.Option{helpdesk.WithLogger(logger), helpdesk.WithActorFunc(actor)}
	if c.strict {
		apiOpts = append(apiOpts, httpapi.WithStrict())
		helpdeskOpts = append(helpdeskOpts, helpdesk.WithStrict())
	}
	mux.Handle("/", httpapi.New(svc, apiOpts...))
	mux.Handle(helpdesk.DefaultBasePath+"/", helpdesk.New(svc, helpdeskOpts...))
	srv := &http.Server{
		Handler:           logRequests(logger, m, mux),
		ReadHeaderTimeout: min(readHeaderTimeout, c.limits.readTimeout),
		ReadTimeout:       c.limits.readTimeout,
		WriteTimeout:      c.limits.writeTimeout,
		IdleTimeout:       c.limits.idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         ln.connState,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	runCtx, stopRunner := context.WithCancel(system)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		if c.runInterval <= 0 {
			return
		}
		if err := svc.Run(runCtx, c.runInterval); err != nil {
			logger.Error("the runner did not start", "error", err)
		}
	}()
	defer func() {
		stopRunner()
		<-ran
	}()

	// The log line first: whoever waits for the serving line (a script, a
	// test) finds the log complete when it reads it.
	logger.Info("listening", "addr", ln.Addr().String(), "database", db.name,
		"maxConns", maxConns, "fileLimit", fileLimit, "readTimeout", c.limits.readTimeout,
		"writeTimeout", c.limits.writeTimeout, "idleTimeout", c.limits.idleTimeout)
	root := serveURL(c.addr, ln.Addr())
	fmt.Fprintf(stdout, "parley: serving %s%s and %s%s over %s\n", root, httpapi.DefaultBasePath, root, helpdesk.DefaultBasePath, db.name)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// connsFor is the default connection cap under a file limit: the limit
// less a reserve for the database's connections, the SQLite files and the
// log, and at least 32. An unknown limit (0) gives 4096.
func connsFor(fileLimit uint64) int {
	const reserve = 128
	switch {
	case fileLimit == 0:
		return 4096
	case fileLimit > 1<<20:
		return 1 << 20
	case fileLimit < reserve+32:
		return 32
	}
	return int(fileLimit) - reserve
}

// serveURL is the root URL to print for a server asked to listen on addr
// and listening on ln: ln itself when addr names a host, and the loopback
// address on ln's port when it names none or an unspecified one (":8080",
// "0.0.0.0:8080", "[::]:8080"), which no browser can open but which listens
// on loopback too.
func serveURL(addr string, ln net.Addr) string {
	host, _, err := net.SplitHostPort(addr)
	tcp, ok := ln.(*net.TCPAddr)
	if err != nil || !ok {
		return "http://" + ln.String()
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		return "http://" + ln.String()
	}
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}

// defaultRunInterval is how often the runner runs without -run-interval:
// a second, so that an offer rings out within a second of its deadline.
const defaultRunInterval = time.Second

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs each request (method, path, status and latency) and
// counts it in the metrics.
func logRequests(logger *slog.Logger, m *metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		latency := time.Since(start)
		m.request(methodLabel(r.Method), rec.status, latency)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Duration("latency", latency))
	})
}

// methodLabel is the method as a metric label: one of HTTP's, or OTHER,
// so that a client cannot grow the series without bound.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}
