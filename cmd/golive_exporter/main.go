// Command golive_exporter turns a go-live checklist into Prometheus metrics,
// a readiness board and a GO / NO-GO verdict.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/process"
	"github.com/golive/golive_exporter/rules"
	"github.com/golive/golive_exporter/web"
	"github.com/golive/golive_exporter/web/board"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	toolkitweb "github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"
)

const programName = "golive_exporter"

// DefaultListenAddress is outside 9100-9999, which Prometheus' port
// allocation list has filled; no Prometheus exporter uses it, but Apache
// IoTDB's ConfigNode does (docs/core.md#default-port says why it stays).
const DefaultListenAddress = ":10720"

// Exit codes. exitNotReady is only check's NO-GO (and serve's failed
// listener); every other failure of every command (a configuration or
// flag error, a file that cannot be read or written) is exitConfigError,
// so that a script tells a NO-GO from a command that did not do its job.
const (
	exitOK          = 0
	exitNotReady    = 1
	exitConfigError = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	app := kingpin.New(programName, "Turns a go-live checklist into evidence: Prometheus metrics, a readiness board and a GO / NO-GO verdict.")
	app.UsageWriter(stderr)
	app.ErrorWriter(stderr)
	// --help and --version end the program through Terminate; run returns
	// instead of exiting, so that tests can call it.
	terminated := -1
	app.Terminate(func(code int) { terminated = code })
	configFile := app.Flag("config.file", "Configuration file. Without it the embedded default runs (see --config.print-default).").Envar("GOLIVE_CONFIG_FILE").String()

	serve := app.Command("serve", "Run the exporter (the default command).").Default()
	telemetryPath := serve.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").String()
	enableLifecycle := serve.Flag("web.enable-lifecycle", "Enable reload via HTTP request (POST /-/reload). SIGHUP reloads either way.").Default("false").Bool()
	maxRequests := serve.Flag("web.max-requests", "Maximum number of parallel scrapes, and, counted apart, of parallel requests to the other endpoints (0 for no limit).").Default("40").Int()
	configCheck := serve.Flag("config.check", "Validate the configuration and exit (0 valid, 2 invalid).").Bool()
	printDefault := serve.Flag("config.print-default", "Print the embedded default configuration and exit.").Bool()
	runbookBase := serve.Flag("board.runbook-url-base", "URL that <alert>.md is appended to for the runbook link the board shows beside each check (empty: none). Default: the runbooks of this release.").
		Default(rules.ReleaseRunbookBase(version.Version)).String()
	historyFile := serve.Flag("board.history-file", "File the board keeps its history in (when each item and the verdict last changed), so that it survives restarts; empty: in memory only. Default: "+board.HistoryFileName+" in the service's state directory ($STATE_DIRECTORY, set by systemd's StateDirectory=), else none.").
		Default(defaultHistoryFile()).String()
	historyProm := serve.Flag("board.history-prometheus-url", "Prometheus that scrapes this exporter: on a start without a history (no file, or a new one), the board takes the verdict's last 7 days from its golive_checklist_ready series.").String()
	historySelector := serve.Flag("board.history-prometheus-selector", "Selects this exporter's golive_checklist_ready series in that Prometheus.").Default(`{job="golive"}`).String()
	toolkitFlags := kingpinflag.AddFlags(serve, DefaultListenAddress)

	checkCmd := app.Command("check", "Run every check once and print the checklist by phase with its GO / NO-GO verdict; exit 0 for GO, 1 for NO-GO, 2 on a configuration error.")
	checkOpts := addCheckFlags(checkCmd)

	rulesCmd := app.Command("rules", "Write the Prometheus alerting and recording rules with your runbook base and board URL (files, or a PrometheusRule manifest).")
	rulesOpts := addRulesFlags(rulesCmd)

	checklistCmds := addChecklistCommands(app)

	logCfg := &promslog.Config{}
	promslogflag.AddFlags(app, logCfg)
	// kingpin's own --version writes to the usage writer (stderr here);
	// Prometheus' tools print the version on stdout.
	app.Flag("version", "Show application version.").PreAction(func(*kingpin.ParseContext) error {
		fmt.Fprintln(stdout, version.Print(programName))
		terminated = exitOK
		return nil
	}).Bool()
	app.HelpFlag.Short('h')

	cmd, err := app.Parse(args)
	if terminated >= 0 {
		return terminated
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", programName, err)
		return exitConfigError
	}
	// The logger and check's progress both write to stderr, from several
	// goroutines (a check that logs while the progress line is redrawn).
	stderr = &syncWriter{w: stderr}
	logCfg.Writer = stderr
	logger := promslog.New(logCfg)

	// load reads the configuration and builds its checklist model as one
	// step: the model's problems (unknown item ids, a broken attestations
	// file) are reported with the configuration's own.
	load := func() (*config.Config, *checklist.Model, error) {
		var cfg *config.Config
		var m *checklist.Model
		var err error
		if *configFile == "" {
			cfg, m, err = checklist.LoadDefaultConfig()
		} else {
			cfg, m, err = checklist.LoadConfigFile(*configFile)
		}
		if err != nil {
			return nil, nil, err
		}
		if err := checkKindsCompiled(cfg); err != nil {
			return nil, nil, err
		}
		// Deprecated settings still load, for one release: say so at every
		// load (start, reload, check); --config.check prints them plainly.
		if !*configCheck {
			for _, w := range cfg.Warnings() {
				logger.Warn("deprecated configuration setting", "warning", w)
			}
		}
		return cfg, m, nil
	}

	if cmd == checkCmd.FullCommand() {
		return runCheck(load, logger, checkOpts, stdout, stderr)
	}
	if cmd == rulesCmd.FullCommand() {
		return runRules(rulesOpts, stdout, stderr)
	}
	if code, ok := checklistCmds.run(cmd, stdout, stderr); ok {
		return code
	}

	if *printDefault {
		_, _ = stdout.Write(config.DefaultYAML())
		return exitOK
	}
	if *configCheck {
		cfg, _, err := load()
		if err != nil {
			fmt.Fprintf(stderr, "configuration invalid:\n%v\n", err)
			return exitConfigError
		}
		for _, w := range cfg.Warnings() {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
		fmt.Fprintf(stdout, "configuration valid: %d checks\n", len(cfg.Checks))
		return exitOK
	}

	logger.Info("starting "+programName, "version", version.Info(), "build_context", version.BuildContext())
	history, err := board.OpenHistory(*historyFile, logger, time.Now())
	if err != nil {
		// The board works without its history; say why it forgets.
		logger.Warn("board history kept in memory only", "file", *historyFile, "err", err)
	}
	if *historyProm != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := history.SeedFromPrometheus(ctx, nil, *historyProm, *historySelector, time.Now()); err != nil {
			logger.Warn("board history not taken from Prometheus; it starts now", "err", err)
		}
		cancel()
	}
	srv, err := web.NewServer(web.Options{
		Logger:              logger,
		TelemetryPath:       *telemetryPath,
		Load:                loadRuntime(load, logger, board.Options{MetricsPath: *telemetryPath, RunbookBase: *runbookBase, History: history}),
		MaxRequestsInFlight: *maxRequests,
		EnableLifecycle:     *enableLifecycle,
		Registry:            newRegistry(),
	})
	if err != nil {
		fmt.Fprintf(stderr, "configuration invalid:\n%v\n", err)
		return exitConfigError
	}
	defer srv.Close()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			_ = srv.Reload()
		}
	}()

	// Catch SIGTERM before listening: a client (or a test) that has had
	// an answer may stop the exporter at once, and must see it shut down,
	// not killed.
	term := make(chan os.Signal, 1)
	signal.Notify(term, os.Interrupt, syscall.SIGTERM)
	server := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- toolkitweb.ListenAndServe(server, toolkitFlags, logger) }()
	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serving HTTP", "err", err)
			return 1
		}
	case sig := <-term:
		logger.Info("shutting down", "signal", sig.String())
		_ = server.Close()
	}
	return exitOK
}

// syncWriter serializes the writes of several goroutines to one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// newRegistry holds the exporter's own metrics beside the checks': build
// information, the Go runtime and the process.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		versioncollector.NewCollector(programName),
		// The defaults, plus the cumulative heap allocations under a name
		// that OpenMetrics can carry (go_memstats_alloc_bytes_total is left
		// out of OpenMetrics answers: see web.openMetricsGatherer).
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(
			collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/allocs:bytes$`)})),
		// client_golang's names, without the network namespace's
		// counters, at a third of the cost (see internal/process).
		process.NewCollector(),
	)
	return reg
}

// defaultHistoryFile is the board's history file in the state directory
// systemd gives the service (StateDirectory=golive: $STATE_DIRECTORY is
// /var/lib/golive), or "" (in memory) elsewhere.
func defaultHistoryFile() string {
	dir, _, _ := strings.Cut(os.Getenv("STATE_DIRECTORY"), ":")
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, board.HistoryFileName)
}

// checkKindsCompiled refuses a configuration naming a kind this binary
// lacks, at load time (exit 2) rather than as a failing check.
func checkKindsCompiled(cfg *config.Config) error {
	have := map[string]bool{}
	for _, k := range collector.RegisteredKinds() {
		have[k] = true
	}
	var errs config.Errors
	for i, c := range cfg.Checks {
		if k := c.Kind(); !have[k] {
			path := fmt.Sprintf("checks[%d].%s", i, k)
			errs = append(errs, &config.Error{File: cfg.File(), Line: cfg.Line(path), Path: path,
				Msg: fmt.Sprintf("kind %q is not compiled into this binary (it has: %s)", k, strings.Join(collector.RegisteredKinds(), ", "))})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// loadRuntime makes the server's Load: one load of the configuration and
// its checklist model, then the runtime made of them (buildWith).
func loadRuntime(load func() (*config.Config, *checklist.Model, error), logger *slog.Logger, opts board.Options) func() (*web.Runtime, error) {
	build := buildWith(logger, opts)
	return func() (*web.Runtime, error) {
		cfg, m, err := load()
		if err != nil {
			return nil, err
		}
		return build(cfg, m), nil
	}
}

// buildWith makes the runtime of a configuration and its checklist model,
// with its board drawn with opts; opts.Now is also the clock the
// checklist's metrics are judged by (time.Now when nil; tests fix it so
// that due windows do not move under them).
func buildWith(logger *slog.Logger, opts board.Options) func(*config.Config, *checklist.Model) *web.Runtime {
	return func(cfg *config.Config, m *checklist.Model) *web.Runtime {
		b := board.New(m, opts)
		return &web.Runtime{
			Config:    cfg,
			Scheduler: collector.New(cfg, logger),
			Exporters: []collector.ResultExporter{b.Exporter()},
			Board:     b,
		}
	}
}
