// Package web serves the exporter's HTTP endpoints: /metrics, the readiness
// board, the JSON status API, the effective configuration, health and
// reload. It also owns the running configuration and swaps it on reload.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Runtime is everything built from one configuration.
type Runtime struct {
	Config    *config.Config
	Scheduler *collector.Scheduler
	// Exporters add metrics derived from each collection's results.
	Exporters []collector.ResultExporter
	// Board, when set, renders the readiness board and its JSON; nil
	// shows the plain check table.
	Board Board
}

// Board is the readiness board: an HTML page and a JSON document made from
// one collection's results.
type Board interface {
	ServeBoard(w http.ResponseWriter, r *http.Request, results []collector.Result)
	ServeJSON(w http.ResponseWriter, r *http.Request, results []collector.Result)
}

// Options configure a Server.
type Options struct {
	Logger        *slog.Logger
	TelemetryPath string
	// Load reads the configuration (from --config.file or the embedded
	// default) and makes its runtime; it is called at start and on every
	// reload. One call is one load: whatever the configuration needs
	// beyond its own validation (the checklist model) is built once, there.
	Load func() (*Runtime, error)
	// EnableLifecycle allows POST /-/reload (--web.enable-lifecycle).
	EnableLifecycle bool
	// MaxRequestsInFlight bounds concurrent /metrics requests, and on its
	// own the concurrent requests to every other endpoint (0: no bound).
	MaxRequestsInFlight int
	// Registry holds the exporter's own metrics; nil makes a new one.
	Registry *prometheus.Registry
}

// Server holds the running configuration and serves the endpoints.
type Server struct {
	opts Options
	reg  *prometheus.Registry

	mu sync.RWMutex
	rt *Runtime

	// scrapeSlots bounds concurrent /metrics requests, pageSlots those to
	// the other endpoints (nil: no bound). Two bounds, so that page loads
	// never take a scrape's place.
	scrapeSlots chan struct{}
	pageSlots   chan struct{}

	reloadMu      sync.Mutex
	reloadState   ReloadState // guarded by mu
	reloadOK      prometheus.Gauge
	reloadSuccess prometheus.Gauge
	reloadTotal   *prometheus.CounterVec
	scrapeDur     prometheus.Histogram
}

// NewServer loads the configuration, builds its runtime and starts it.
func NewServer(opts Options) (*Server, error) {
	if opts.TelemetryPath == "" {
		opts.TelemetryPath = "/metrics"
	}
	reg := opts.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	s := &Server{
		opts: opts,
		reg:  reg,
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "golive_config_last_reload_successful",
			Help: "Whether the last configuration load succeeded (1) or was refused (0).",
		}),
		reloadSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "golive_config_last_reload_success_timestamp_seconds",
			Help: "When the configuration was last loaded successfully, as a Unix timestamp.",
		}),
		reloadTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "golive_config_reloads_total",
			Help: "Configuration loads by result (success or failure).",
		}, []string{"result"}),
		scrapeDur: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "golive_scrape_collection_duration_seconds",
			Help:    "How long collecting every check took for one scrape.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}),
	}
	if opts.MaxRequestsInFlight > 0 {
		s.scrapeSlots = make(chan struct{}, opts.MaxRequestsInFlight)
		s.pageSlots = make(chan struct{}, opts.MaxRequestsInFlight)
	}
	reg.MustRegister(s.reloadOK, s.reloadSuccess, s.reloadTotal, s.scrapeDur)
	s.reloadTotal.WithLabelValues("success")
	s.reloadTotal.WithLabelValues("failure")
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Runtime returns the running configuration's runtime.
func (s *Server) Runtime() *Runtime {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rt
}

// Reload reads the configuration again. A configuration that fails to load
// is refused and the running one stays.
func (s *Server) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	rt, err := s.opts.Load()
	if err != nil {
		s.mu.Lock()
		s.reloadState.Successful = false
		s.reloadState.Error = err.Error()
		s.mu.Unlock()
		s.reloadOK.Set(0)
		s.reloadTotal.WithLabelValues("failure").Inc()
		s.opts.Logger.Error("configuration refused; the previous one keeps running", "err", err)
		return err
	}
	rt.Scheduler.Start()
	s.mu.Lock()
	old := s.rt
	s.rt = rt
	s.reloadState = ReloadState{Successful: true, LastSuccess: time.Now().UTC()}
	s.mu.Unlock()
	if old != nil {
		// Runs in flight finish on the old pools before they close.
		go old.Scheduler.Close()
	}
	s.reloadOK.Set(1)
	s.reloadSuccess.SetToCurrentTime()
	s.reloadTotal.WithLabelValues("success").Inc()
	s.opts.Logger.Info("configuration loaded", "file", rt.Config.File(), "checks", len(rt.Config.Checks))
	return nil
}

// ReloadState says how the latest configuration load went.
type ReloadState struct {
	Successful  bool      `json:"last_reload_successful"`
	LastSuccess time.Time `json:"last_reload_success_time"`
	// Error is why the latest load was refused; empty when it succeeded.
	Error string `json:"last_reload_error,omitempty"`
}

// ReloadState returns how the latest configuration load went.
func (s *Server) ReloadState() ReloadState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.reloadState
}

// Close stops the running configuration's checks.
func (s *Server) Close() {
	if rt := s.Runtime(); rt != nil {
		rt.Scheduler.Close()
	}
}

// Handler returns the HTTP handler with every endpoint.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	// The bound is kept here, not by promhttp: its handler is made per
	// request, and the checks run before it is called.
	mux.Handle(s.opts.TelemetryPath, bounded(s.scrapeSlots, "scrapes", http.HandlerFunc(s.serveMetrics)))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "Healthy")
	})
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if s.Runtime() == nil {
			http.Error(w, "Not ready: no configuration loaded", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready")
	})
	mux.HandleFunc("/-/reload", s.serveReload)
	mux.HandleFunc("/api/v1/status", s.serveStatus)
	mux.HandleFunc("/api/v1/config", s.serveConfig)
	mux.HandleFunc("/config", s.serveConfig)
	mux.HandleFunc("/{$}", s.serveBoard)
	// A page on another site must not be able to make a browser POST to
	// the exporter (a reload cancels background runs and empties the
	// interval caches): cross-origin requests with an unsafe method are
	// refused, whatever the endpoint.
	// The other endpoints have a bound of their own: 300 browsers or a
	// crawler must not pile up goroutines and slow the scrapes down.
	pages := bounded(s.pageSlots, "requests", mux)
	all := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == s.opts.TelemetryPath {
			mux.ServeHTTP(w, r) // bounded by scrapeSlots
			return
		}
		pages.ServeHTTP(w, r)
	})
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "cross-origin request refused: send it from the exporter's own pages or from a tool that is not a browser", http.StatusForbidden)
	}))
	return csrf.Handler(all)
}

// bounded serves h while slots has room and answers 503 at once to a
// request past the bound (what names the requests counted: "scrapes");
// nil slots: no bound.
func bounded(slots chan struct{}, what string, h http.Handler) http.Handler {
	if slots == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			h.ServeHTTP(w, r)
		default:
			http.Error(w, fmt.Sprintf("Limit of concurrent %s reached (%d), try again later.", what, cap(slots)), http.StatusServiceUnavailable)
		}
	})
}

// scrapeContext derives the collection deadline from Prometheus' scrape
// timeout header, minus the configured margin, so the answer arrives before
// Prometheus gives up.
func scrapeContext(r *http.Request, g config.Global) (context.Context, context.CancelFunc) {
	timeout := time.Duration(g.DefaultScrapeTimeout)
	if v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); v != "" {
		// Beyond what a Duration holds (1e10, Inf) the conversion would
		// wrap to a negative timeout: a deadline already past.
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 && secs < math.MaxInt64/float64(time.Second) {
			timeout = time.Duration(secs * float64(time.Second))
		}
	}
	margin := time.Duration(g.ScrapeTimeoutMargin)
	if timeout > 2*margin {
		timeout -= margin
	} else {
		timeout /= 2
	}
	return context.WithTimeout(r.Context(), timeout)
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	rt := s.Runtime()
	ctx, cancel := scrapeContext(r, rt.Config.Global)
	defer cancel()
	start := time.Now()
	rc := rt.Scheduler.Collector(ctx, rt.Exporters...)
	// Collect checks first so the self-metrics include this scrape's time.
	checks, err := rc.Gather()
	s.scrapeDur.Observe(time.Since(start).Seconds())
	var gatherer prometheus.Gatherer = prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		// The checks' families and the exporter's own are told apart
		// by name: joined as they are, each set checked once, not
		// every series of the checks checked again (see
		// collector.MergeGathered).
		own, oerr := s.reg.Gather()
		all, merr := collector.MergeGathered(own, checks)
		return all, errors.Join(oerr, err, merr)
	})
	// The negotiation promhttp makes with EnableOpenMetrics.
	format := expfmt.NegotiateAccept(r.Header, expfmt.DefaultOpenMetricsAcceptedFormats()...)
	if format.FormatType() == expfmt.TypeOpenMetrics {
		gatherer = openMetricsGatherer{gatherer}
	}
	if encoding, ok := linesEncoding(r, format); ok {
		// The text format or OpenMetrics: the checks' families from the
		// lines their runs wrote, the rest through expfmt, as promhttp
		// below would.
		serveLines(w, r, gatherer, rc, format, encoding, slogErrorLog{s.opts.Logger})
		return
	}
	promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slogErrorLog{s.opts.Logger},
		// OpenMetrics when the scraper asks for it (Accept), the classic
		// text format otherwise.
		EnableOpenMetrics: true,
	}).ServeHTTP(w, r)
}

// openMetricsGatherer leaves out each counter family X_total for which a
// family X exists: OpenMetrics names a counter's family without its _total,
// so the two would be one family declared twice, which OpenMetrics parsers
// refuse. client_golang's Go collector has such a pair
// (go_memstats_alloc_bytes and go_memstats_alloc_bytes_total); the counter's
// value stays available as go_gc_heap_allocs_bytes_total, and the classic
// text format still carries both.
type openMetricsGatherer struct{ prometheus.Gatherer }

func (g openMetricsGatherer) Gather() ([]*dto.MetricFamily, error) {
	mfs, err := g.Gatherer.Gather()
	names := make(map[string]bool, len(mfs))
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	out := mfs[:0]
	for _, mf := range mfs {
		if base, ok := strings.CutSuffix(mf.GetName(), "_total"); ok && mf.GetType() == dto.MetricType_COUNTER && names[base] {
			continue
		}
		out = append(out, mf)
	}
	return out, err
}

func (s *Server) serveReload(w http.ResponseWriter, r *http.Request) {
	if !s.opts.EnableLifecycle {
		http.Error(w, "Lifecycle API is not enabled: start the exporter with --web.enable-lifecycle, or send it SIGHUP", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "reload needs POST", http.StatusMethodNotAllowed)
		return
	}
	if err := s.Reload(); err != nil {
		http.Error(w, "configuration refused, the previous one keeps running:\n"+err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "configuration reloaded")
}

// pageResults returns the latest result of every check for the board and
// the status API. They never run a check: a page view must not probe
// production (ten war-room browsers would multiply the load on the
// targets, and anyone who can open the page could make the exporter query
// the databases). Scrapes, background runs and the start-up run keep the
// results current.
func (s *Server) pageResults() (*Runtime, []collector.Result) {
	rt := s.Runtime()
	return rt, rt.Scheduler.Snapshot()
}

func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	rt, results := s.pageResults()
	if rt.Board != nil {
		rt.Board.ServeJSON(w, r, results)
		return
	}
	writeJSON(w, map[string]any{
		"config": map[string]any{"file": rt.Config.File(), "reload": s.ReloadState()},
		"checks": results,
	})
}

func (s *Server) serveConfig(w http.ResponseWriter, _ *http.Request) {
	out, err := s.Runtime().Config.Marshal()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(out)
}

func (s *Server) serveBoard(w http.ResponseWriter, r *http.Request) {
	rt, results := s.pageResults()
	if rt.Board != nil {
		rt.Board.ServeBoard(w, r, results)
		return
	}
	servePlainBoard(w, s.opts.TelemetryPath, results)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// An error here is the client gone away; nothing is left to tell it.
	_ = enc.Encode(v)
}

type slogErrorLog struct{ l *slog.Logger }

func (s slogErrorLog) Println(v ...any) { s.l.Error(fmt.Sprint(v...)) }
