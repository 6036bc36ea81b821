package collector

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/golive/golive_exporter/config"
)

// Scheduler runs the checks of one configuration. Checks run concurrently
// under a bound, each under its own timeout; a check with an interval keeps
// its result for that long, and concurrent callers share one run in flight.
type Scheduler struct {
	cfg     *config.Config
	logger  *slog.Logger
	entries []*entry
	sem     chan struct{}
	shared  *Shared
	now     func() time.Time

	runs     sync.WaitGroup // every run in flight
	bgCancel context.CancelFunc
	bgDone   sync.WaitGroup
	closed   sync.Once
}

type entry struct {
	cfg      *config.Check
	kind     string
	check    Check
	buildErr error

	mu       sync.Mutex
	last     *Result
	inflight *flight
}

type flight struct {
	done chan struct{}
	res  Result
}

// New builds the checks of cfg. A check whose kind fails to build (say a
// certificate file that cannot be read) still exists and reports the error
// as its result, so one bad check never hides the others.
func New(cfg *config.Config, logger *slog.Logger) *Scheduler {
	s := &Scheduler{
		cfg:    cfg,
		logger: logger,
		sem:    make(chan struct{}, cfg.Global.MaxConcurrency),
		shared: NewShared(),
		now:    time.Now,
	}
	for _, c := range cfg.Checks {
		e := &entry{cfg: c, kind: c.Kind()}
		f, ok := factoryFor(e.kind)
		if !ok {
			e.buildErr = Failf(ReasonConfig, "check kind %q is not compiled into this binary", e.kind)
		} else {
			env := Env{Config: cfg, Logger: logger.With("check", c.Name), Shared: s.shared}
			chk, err := f(c, env)
			if err != nil {
				e.buildErr = WithReason(ReasonConfig, fmt.Errorf("setting up check: %w", err))
				logger.Error("check cannot be set up", "check", c.Name, "kind", e.kind, "err", err)
			}
			e.check = chk
		}
		s.entries = append(s.entries, e)
	}
	return s
}

// Config returns the configuration the scheduler runs.
func (s *Scheduler) Config() *config.Config { return s.cfg }

// Start runs the background checks on their own schedule until Close.
func (s *Scheduler) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.bgCancel = cancel
	for _, e := range s.entries {
		if !e.cfg.Background {
			continue
		}
		s.bgDone.Add(1)
		go s.background(ctx, e)
	}
}

func (s *Scheduler) background(ctx context.Context, e *entry) {
	defer s.bgDone.Done()
	interval := time.Duration(e.cfg.Interval)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fl := s.startRun(e, time.Duration(e.cfg.Timeout))
		select {
		case <-fl.done:
		case <-ctx.Done():
			<-fl.done
			return
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// Close stops background checks, waits for runs in flight to end (each is
// bounded by its timeout) and closes shared resources such as pools.
func (s *Scheduler) Close() {
	s.closed.Do(func() {
		if s.bgCancel != nil {
			s.bgCancel()
		}
		s.bgDone.Wait()
		s.runs.Wait()
		if err := s.shared.Close(); err != nil {
			s.logger.Warn("closing shared resources", "err", err)
		}
	})
}

// Collect returns a result for every check, running those that are due.
// It returns by ctx's deadline: a check still running then reports its
// previous result, or a failure with reason scrape_deadline if it has none.
func (s *Scheduler) Collect(ctx context.Context) []Result {
	out := make([]Result, len(s.entries))
	var wg sync.WaitGroup
	for i, e := range s.entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = s.get(ctx, e)
		}()
	}
	wg.Wait()
	return out
}

// RunAll runs every check once, including background ones, ignoring
// intervals: the check command's view. progress, if set, is called as each
// check finishes.
func (s *Scheduler) RunAll(ctx context.Context, progress func(Result)) []Result {
	out := make([]Result, len(s.entries))
	var wg sync.WaitGroup
	var pmu sync.Mutex
	for i, e := range s.entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			timeout := clampToDeadline(ctx, time.Duration(e.cfg.Timeout))
			fl := s.startRun(e, timeout)
			select {
			case <-fl.done:
				out[i] = fl.res
			case <-ctx.Done():
				out[i] = s.deadlineResult(e)
			}
			if progress != nil {
				pmu.Lock()
				progress(out[i])
				pmu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}

// Snapshot returns the latest result of every check without running any.
func (s *Scheduler) Snapshot() []Result {
	out := make([]Result, len(s.entries))
	for i, e := range s.entries {
		e.mu.Lock()
		if e.last != nil {
			out[i] = *e.last
		} else {
			out[i] = s.base(e)
			out[i].Status = StatusUnknown
			out[i].Reason = ReasonNotRunYet
		}
		out[i].Running = e.inflight != nil
		e.mu.Unlock()
	}
	return out
}

func (s *Scheduler) get(ctx context.Context, e *entry) Result {
	e.mu.Lock()
	if e.cfg.Background {
		defer e.mu.Unlock()
		if e.last == nil {
			r := s.base(e)
			r.Status, r.Reason, r.Running = StatusUnknown, ReasonNotRunYet, e.inflight != nil
			r.Message = "background check has not finished its first run yet"
			return r
		}
		r := *e.last
		r.Running = e.inflight != nil
		return r
	}
	if e.last != nil && e.cfg.Interval > 0 && s.now().Sub(e.last.Start) < time.Duration(e.cfg.Interval) {
		r := *e.last
		e.mu.Unlock()
		return r
	}
	fl := e.inflight
	e.mu.Unlock()
	if fl == nil {
		fl = s.startRun(e, clampToDeadline(ctx, time.Duration(e.cfg.Timeout)))
	}
	select {
	case <-fl.done:
		return fl.res
	case <-ctx.Done():
		return s.deadlineResult(e)
	}
}

func (s *Scheduler) deadlineResult(e *entry) Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.last != nil {
		return *e.last
	}
	r := s.base(e)
	r.Status = StatusFail
	r.Reason = ReasonScrapeDeadline
	r.Message = "the check did not finish before the scrape deadline"
	r.Start = s.now()
	return r
}

// clampToDeadline shortens timeout so that a run ends by ctx's deadline.
func clampToDeadline(ctx context.Context, timeout time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < timeout {
			return max(left, time.Millisecond)
		}
	}
	return timeout
}

// startRun starts a run of e unless one is in flight, and returns the flight
// to wait on.
func (s *Scheduler) startRun(e *entry, timeout time.Duration) *flight {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.inflight != nil {
		return e.inflight
	}
	fl := &flight{done: make(chan struct{})}
	e.inflight = fl
	s.runs.Add(1)
	go func() {
		defer s.runs.Done()
		res := s.run(e, timeout)
		e.mu.Lock()
		fl.res = res
		last := res
		e.last = &last
		e.inflight = nil
		e.mu.Unlock()
		close(fl.done)
	}()
	return fl
}

func (s *Scheduler) base(e *entry) Result {
	return Result{Check: e.cfg.Name, Kind: e.kind, Items: e.cfg.Items, Description: e.cfg.Description}
}

func (s *Scheduler) run(e *entry, timeout time.Duration) (res Result) {
	res = s.base(e)
	start := s.now()
	res.Start = start
	rep := &Report{}
	defer func() {
		res.Duration = time.Since(start)
		res.DurationSec = res.Duration.Seconds()
		if res.Status == StatusFail {
			s.logger.Debug("check failed", "check", e.cfg.Name, "reason", res.Reason, "msg", res.Message)
		}
	}()
	if e.buildErr != nil {
		return finish(res, rep, e.buildErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-ctx.Done():
		return finish(res, rep, Failf(ReasonConcurrencyWaited, "waited %s for a free slot (global.max_concurrency=%d) and gave up", timeout, cap(s.sem)))
	}
	err := safeRun(ctx, e.check, rep)
	if err != nil && ctx.Err() != nil && ReasonOf(err) != ReasonTimeout {
		err = WithReason(ReasonTimeout, fmt.Errorf("timed out after %s: %w", timeout, err))
	}
	return finish(res, rep, err)
}

// safeRun turns a panicking check into a failed result instead of a dead
// exporter.
func safeRun(ctx context.Context, c Check, rep *Report) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Failf(ReasonError, "check panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return c.Run(ctx, rep)
}

// Shared holds resources that several checks use, keyed by name (one
// connection pool per database), and closes them together.
type Shared struct {
	mu     sync.Mutex
	items  map[string]io.Closer
	closed bool
}

// NewShared returns an empty set of shared resources.
func NewShared() *Shared { return &Shared{items: map[string]io.Closer{}} }

// Get returns the resource under key, opening it with open the first time.
// A failed open is not remembered, so the next call tries again.
func (s *Shared) Get(key string, open func() (io.Closer, error)) (io.Closer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("shared resources are closed (configuration reloaded)")
	}
	if c, ok := s.items[key]; ok {
		return c, nil
	}
	c, err := open()
	if err != nil {
		return nil, err
	}
	s.items[key] = c
	return c, nil
}

// Close closes every resource.
func (s *Shared) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var first error
	for k, c := range s.items {
		if err := c.Close(); err != nil && first == nil {
			first = fmt.Errorf("closing %s: %w", k, err)
		}
	}
	s.items = nil
	return first
}
