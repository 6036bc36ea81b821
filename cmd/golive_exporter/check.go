package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/alecthomas/kingpin/v2"
	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// atGoLive is the --at value that asks "are we GO for go-live?".
const atGoLive = "go-live"

type checkOptions struct {
	output  *string
	timeout *time.Duration
	phases  *[]string
	at      *string
	color   *string
	only    *[]string
	// now is the clock; tests replace it.
	now func() time.Time
}

func addCheckFlags(cmd *kingpin.CmdClause) checkOptions {
	return checkOptions{
		output:  cmd.Flag("output", "Output format: table, json, markdown (to paste into the go-live report) or junit (JUnit XML for CI test reports).").Short('o').Default("table").Enum("table", "json", "markdown", "junit"),
		timeout: cmd.Flag("timeout", "Give up on checks still running after this long.").Default("5m").Duration(),
		phases:  cmd.Flag("phase", "Show only this phase (e.g. P1; repeatable); the verdict then covers only its items.").Strings(),
		at:      cmd.Flag("at", "Judge due windows and attestations as of this time (RFC 3339) instead of now; at the go-live time itself the phases starting then (P4, P5) are due. 'go-live' asks \"are we GO for go-live?\": judged at the go-live time, without the phases that begin then.").PlaceHolder("TIME|go-live").String(),
		only:    cmd.Flag("only", "Run only this check (repeatable); the verdict then covers only the items bound to the checks run.").PlaceHolder("CHECK").Strings(),
		color:   cmd.Flag("color", "Colour the table: auto (only on a terminal, unless NO_COLOR is set), always or never.").Default("auto").Enum("auto", "always", "never"),
		now:     time.Now,
	}
}

// runCheck runs every check once on a scheduler of its own (the check
// command needs neither the board nor the metrics exporters) and judges the
// results with the checklist model it loaded to validate --phase.
func runCheck(load func() (*config.Config, *checklist.Model, error), logger *slog.Logger, opts checkOptions, stdout, stderr io.Writer) int {
	cfg, model, err := load()
	if err != nil {
		fmt.Fprintf(stderr, "configuration invalid:\n%v\n", err)
		return exitConfigError
	}
	// The time judged by: --at's, else the end of the run (set below).
	var at time.Time
	forGoLive := *opts.at == atGoLive
	switch {
	case forGoLive:
		if model.GoLive.IsZero() {
			fmt.Fprintf(stderr, "--at %s needs the go-live time: set checklist.go_live in the configuration\n", atGoLive)
			return exitConfigError
		}
	case *opts.at != "":
		at, err = time.Parse(time.RFC3339, *opts.at)
		if err != nil {
			fmt.Fprintf(stderr, "--at %q is not a time; write RFC 3339 such as 2026-12-01T08:00:00Z, or %s\n", *opts.at, atGoLive)
			return exitConfigError
		}
	}
	known := model.Checklist.Phases()
	for _, p := range *opts.phases {
		if !containsFold(known, p) {
			fmt.Fprintf(stderr, "--phase %q is not a phase of the checklist; use one of %s\n", p, strings.Join(known, ", "))
			return exitConfigError
		}
	}
	if len(*opts.only) > 0 {
		if cfg, err = onlyChecks(cfg, *opts.only); err != nil {
			fmt.Fprintln(stderr, err)
			return exitConfigError
		}
	}
	sched := collector.New(cfg, logger)
	defer sched.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *opts.timeout)
	defer cancel()

	prog := newProgress(stderr, cfg.Checks)
	results := sched.RunAll(ctx, prog.done)
	prog.finish()
	if *opts.at == "" {
		at = opts.now()
	}

	var st *checklist.Status
	if forGoLive {
		if st, err = model.EvaluateForGoLive(results); err != nil {
			fmt.Fprintf(stderr, "--at %s: %v\n", atGoLive, err)
			return exitConfigError
		}
	} else {
		st = model.Evaluate(results, at)
	}
	st = st.Restrict(*opts.phases)
	if len(*opts.only) > 0 {
		st = st.RestrictToChecks(*opts.only)
	}
	switch *opts.output {
	case "json":
		err = st.WriteJSON(stdout)
	case "markdown":
		err = st.WriteMarkdown(stdout)
	case "junit":
		err = st.WriteJUnit(stdout)
	default:
		err = st.WriteText(stdout, checklist.TextOptions{Color: useColor(*opts.color, stdout)})
	}
	if err != nil {
		fmt.Fprintf(stderr, "writing output: %v\n", err)
	}
	if !st.Ready {
		return exitNotReady
	}
	return exitOK
}

// onlyChecks returns a copy of cfg with only the named checks, or an error
// naming a check that does not exist and the ones that do.
func onlyChecks(cfg *config.Config, names []string) (*config.Config, error) {
	var all []string
	for _, c := range cfg.Checks {
		all = append(all, c.Name)
	}
	sort.Strings(all)
	want := map[string]bool{}
	for _, n := range names {
		if cfg.CheckByName(n) == nil {
			return nil, fmt.Errorf("--only %q is not a check of the configuration%s; its checks are: %s", n, config.DidYouMean(n, all), strings.Join(all, ", "))
		}
		want[n] = true
	}
	out := *cfg
	out.Checks = nil
	for _, c := range cfg.Checks {
		if want[c.Name] {
			out.Checks = append(out.Checks, c)
		}
	}
	return &out, nil
}

// useColor decides on ANSI colours: only for a terminal, and never when
// NO_COLOR is set (https://no-color.org), unless forced.
func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}

func isTerminal(w io.Writer) bool {
	if s, ok := w.(*syncWriter); ok {
		w = s.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	// A character device is not enough: /dev/null is one too.
	return term.IsTerminal(int(f.Fd()))
}

// progress shows on stderr which checks are still running, so a slow
// restore test or load-test report does not look like a hang. On a terminal
// it rewrites one status line; elsewhere (CI logs) it prints a line per
// check as it finishes and, while some still run, a line every
// heartbeatEvery naming them.
type progress struct {
	w       io.Writer
	tty     bool
	total   int
	start   time.Time
	mu      sync.Mutex
	pending map[string]bool
	n       int
	stop    chan struct{}
	stopped chan struct{}
}

// Intervals of the progress output: the terminal's status line is redrawn
// often; a log gets a "still running" line now and then. Variables so that
// tests can shorten them.
var (
	redrawEvery    = 500 * time.Millisecond
	heartbeatEvery = 10 * time.Second
)

func newProgress(w io.Writer, checks []*config.Check) *progress {
	p := &progress{w: w, tty: isTerminal(w), total: len(checks), start: time.Now(), pending: map[string]bool{}, stop: make(chan struct{}), stopped: make(chan struct{})}
	for _, c := range checks {
		p.pending[c.Name] = true
	}
	go p.ticker()
	return p
}

// ticker redraws the status line on a terminal, or prints which checks are
// still running to a log, until finish.
func (p *progress) ticker() {
	defer close(p.stopped)
	every := heartbeatEvery
	if p.tty {
		every = redrawEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.tty {
				p.drawLocked()
			} else if len(p.pending) > 0 {
				fmt.Fprintf(p.w, "still running after %s (%d/%d done): %s\n", time.Since(p.start).Round(time.Second), p.n, p.total, p.pendingText(300))
			}
			p.mu.Unlock()
		}
	}
}

// pendingText lists the running checks, cut to max bytes.
func (p *progress) pendingText(max int) string {
	names := make([]string, 0, len(p.pending))
	for n := range p.pending {
		names = append(names, n)
	}
	sort.Strings(names)
	s := strings.Join(names, ", ")
	if len(s) > max {
		s = s[:max-3] + "..."
	}
	return s
}

func (p *progress) drawLocked() {
	line := fmt.Sprintf("checked %d/%d; running: %s", p.n, p.total, p.pendingText(200))
	if len(line) > 100 {
		line = line[:97] + "..."
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}

// done is Scheduler.RunAll's progress callback.
func (p *progress) done(r collector.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pending, r.Check)
	p.n++
	if p.tty {
		p.drawLocked()
		return
	}
	fmt.Fprintf(p.w, "checked %d/%d: %s %s (%s)\n", p.n, p.total, r.Check, r.Status, r.Duration.Round(time.Millisecond))
}

func (p *progress) finish() {
	close(p.stop)
	<-p.stopped
	if p.tty {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
