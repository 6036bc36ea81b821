package collector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golive/golive_exporter/config"
)

// Scheduler runs the checks of one configuration. Checks run concurrently
// under a bound, each under its own timeout; a check with an interval keeps
// its result for that long, and concurrent callers share one run in flight.
//
// What is cached: a passing, warning or condition-failed result is kept for
// the check's interval; a run that could not be done (an error: timeout,
// connection refused ...) is not, so the next scrape tries again, unless the
// check asks for it (see ErrorCacher).
type Scheduler struct {
	cfg     *config.Config
	logger  *slog.Logger
	entries []*entry
	// order is the entries' indices in the order of their names, in which
	// a scrape exports them (see sortedOrder).
	order  []int
	sem    chan struct{}
	lease  time.Duration // how long a run may hold a slot of sem
	shared *Shared
	now    func() time.Time
	// scraped are the lineFormats the exporter has served a scrape in
	// (RequestCollector.WriteLines), a bit each: from then on each run
	// also writes its series' lines in them. A Prometheus server asks for
	// OpenMetrics (or protobuf), and its runs need not carry the text
	// format's lines, nor a curl's the OpenMetrics ones.
	scraped atomic.Uint32
	// memo is the scrape path's last collection (see collectMemo).
	memo atomic.Pointer[memo]

	mu      sync.Mutex
	closing bool
	started bool
	active  sync.WaitGroup // Collect and RunAll calls in progress
	runs    sync.WaitGroup // every run in flight

	bgCtx    context.Context
	bgCancel context.CancelFunc
	bgDone   sync.WaitGroup
	closed   sync.Once
}

// ErrorCacher is implemented by checks whose every result, failed or not,
// must be kept for the check's interval: a check whose run is a load on the
// target (a rate-limit burst) must never run more often, even when it
// failed.
type ErrorCacher interface {
	CacheErrors() bool
}

type entry struct {
	cfg         *config.Check
	kind        string
	check       Check
	buildErr    error
	cacheErrors bool

	mu       sync.Mutex
	last     *Result
	inflight *flight
}

// flight is one run of a check in progress, which every caller that wants
// the check's result meanwhile waits for.
type flight struct {
	done chan struct{}
	res  Result
	// last is the entry's latest result that res became (see memoKey),
	// set with res.
	last    *Result
	waiters atomic.Int32 // callers waiting on this run (for tests)

	// The fields below are guarded by the entry's mu.

	// bound runs (started by a scrape or by check) live only as long as
	// someone waits for them: when the last caller waiting gives up at its
	// deadline the run is cancelled, so that a check whose timeout is
	// longer than every scrape's does not run on for nobody. Background
	// and start-up runs are not bound.
	bound bool
	// holding counts the callers waiting for the run that have not given
	// up yet.
	holding int
	// abandoned is set when the run was cancelled because every caller
	// gave up; a new caller waits for it to end and starts another.
	abandoned bool
	cancel    context.CancelCauseFunc
}

// errAbandoned is the cause of a bound run's cancellation when every
// caller waiting for it reached its deadline.
var errAbandoned = errors.New("every scrape waiting for the run reached its deadline")

// New builds the checks of cfg. A check whose kind fails to build (say a
// certificate file that cannot be read) still exists and reports the error
// as its result, so one bad check never hides the others.
func New(cfg *config.Config, logger *slog.Logger) *Scheduler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{
		cfg:    cfg,
		logger: logger,
		sem:    make(chan struct{}, max(cfg.Global.MaxConcurrency, 1)),
		lease:  time.Duration(cfg.Global.SlotLease),
		shared: NewShared(),
		now:    time.Now,
	}
	if s.lease <= 0 {
		s.lease = config.DefaultSlotLease
	}
	s.bgCtx, s.bgCancel = context.WithCancel(context.Background())
	for _, c := range cfg.Checks {
		e := &entry{cfg: c, kind: c.Kind()}
		f, ok := factoryFor(e.kind)
		if !ok {
			e.buildErr = Failf(ReasonConfig, "check kind %q is not compiled into this binary", e.kind)
		} else {
			env := Env{Config: cfg, Logger: logger.With("check", c.Name), Shared: s.shared}
			chk, err := f(c, env)
			switch {
			case err != nil:
				e.buildErr = WithReason(ReasonConfig, fmt.Errorf("setting up check: %w", err))
				logger.Error("check cannot be set up", "check", c.Name, "kind", e.kind, "err", err)
			case chk == nil:
				e.buildErr = Failf(ReasonConfig, "kind %q built no check", e.kind)
			default:
				e.check = chk
				if ec, ok := chk.(ErrorCacher); ok {
					e.cacheErrors = ec.CacheErrors()
				}
			}
		}
		s.entries = append(s.entries, e)
	}
	names := make([]Result, len(s.entries))
	for i, e := range s.entries {
		names[i].Check = e.cfg.Name
	}
	s.order = sortedOrder(names)
	return s
}

// Config returns the configuration the scheduler runs.
func (s *Scheduler) Config() *config.Config { return s.cfg }

// Start runs the background checks on their own schedule until Close, and
// every other check once at once, so that the board and the status API,
// which only show the latest results (see Snapshot), have results before
// the first scrape. The start-up runs are cancelled by Close, not by
// scrapes that stop waiting for them. Start does nothing after Close or
// when called twice.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || s.started {
		return
	}
	s.started = true
	for _, e := range s.entries {
		if !e.cfg.Background {
			e.mu.Lock()
			if e.inflight == nil && e.last == nil {
				s.launchLocked(s.bgCtx, e, false)
			}
			e.mu.Unlock()
			continue
		}
		s.bgDone.Add(1)
		go s.background(e)
	}
}

// background runs e every interval, first at once. Its runs are cancelled
// by Close: a restore test may take minutes, and a reload must not wait for
// it.
func (s *Scheduler) background(e *entry) {
	defer s.bgDone.Done()
	ctx := s.bgCtx
	t := time.NewTicker(time.Duration(e.cfg.Interval))
	defer t.Stop()
	for {
		e.mu.Lock()
		fl := e.inflight
		if fl == nil {
			fl = s.launchLocked(ctx, e, false)
		}
		e.mu.Unlock()
		<-fl.done // the run's context derives from ctx (or is bound): it ends on Close
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// Close stops background checks (cancelling their runs), waits for
// collections and runs in flight to end (each is bounded by its timeout)
// and closes shared resources such as pools. Collections started after
// Close return the latest results without running anything.
func (s *Scheduler) Close() {
	s.closed.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		s.bgCancel()
		s.bgDone.Wait()
		s.active.Wait()
		s.runs.Wait()
		if err := s.shared.Close(); err != nil {
			s.logger.Warn("closing shared resources", "err", err)
		}
	})
}

// enter registers a collection; false once Close has begun.
func (s *Scheduler) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.active.Add(1)
	return true
}

// Collect returns a result for every check, running those that are due.
// It returns by ctx's deadline: a check still running then reports its
// previous result, or a failure with reason scrape_deadline if it has none.
// Background checks are never run here: they report their latest result.
func (s *Scheduler) Collect(ctx context.Context) []Result {
	out, _ := s.collectMemo(ctx, nil, false)
	return out
}

// collectMemo is Collect with the results in order (indices into the
// entries; nil for the configuration's order). With useMemo (the scrape
// path, order s.order), it returns the previous collection's results again when every check's
// result is the one it returned then (see memo), and the memo of these
// results when every one of them is an entry's latest run (nil when one
// is not: a check that has not run yet, a scrape deadline's result).
func (s *Scheduler) collectMemo(ctx context.Context, order []int, useMemo bool) ([]Result, *memo) {
	if !s.enter() {
		out := s.Snapshot()
		if order != nil {
			sorted := make([]Result, len(out))
			for k, i := range order {
				sorted[k] = out[i]
			}
			out = sorted
		}
		return out, nil
	}
	defer s.active.Done()
	n := len(s.entries)
	var prev *memo
	if useMemo {
		prev = s.memo.Load()
	}
	// out and keys are nil while every result is the previous
	// collection's; made at the first (k) that is not, as copies of its
	// (one copy of contiguous memory), in which what differs is replaced.
	hasPrev := prev != nil && len(prev.keys) == n
	var out []Result
	var keys []memoKey
	differ := func(k int) {
		if out != nil {
			return
		}
		out, keys = make([]Result, n), make([]memoKey, n)
		if hasPrev {
			copy(out, prev.results)
			copy(keys[:k], prev.keys[:k])
		}
	}
	memoizable := useMemo
	// Every due run is started here, in this loop, then waited for one
	// after the other: a goroutine per check that started its run when it
	// was first scheduled left the last runs of a 1000-check burst waiting
	// for a CPU behind the others' work, a wait no queue wait nor duration
	// showed (issue 12, the scrape wall against the slowest check).
	type pending struct {
		k  int
		e  *entry
		fl *flight
	}
	var waits []pending
	var wg sync.WaitGroup
	now := s.now()
	for k := range s.entries {
		i := k
		if order != nil {
			i = order[k]
		}
		e := s.entries[i]
		if r, key, ok := s.cached(e, now); ok {
			if key.last == nil {
				memoizable = false
			}
			if hasPrev && key.last != nil && key == prev.keys[k] {
				if keys != nil {
					keys[k] = key
				}
				continue
			}
			differ(k)
			keys[k] = key
			out[k] = *r
			continue
		}
		differ(k)
		e.mu.Lock()
		r, fl, done := s.joinStartLocked(e, true)
		if done {
			keys[k] = memoKey{last: e.last}
		}
		e.mu.Unlock()
		switch {
		case done:
			out[k] = r
		case fl == nil:
			// The run in flight was abandoned: join waits for its end
			// and starts another.
			memoizable = false
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[k] = s.get(ctx, e)
			}()
		default:
			waits = append(waits, pending{k, e, fl})
		}
	}
	for _, p := range waits {
		r, ran := s.waitRun(ctx, p.e, p.fl)
		out[p.k] = r
		if ran {
			keys[p.k] = memoKey{last: p.fl.last}
		} else {
			memoizable = false
		}
	}
	wg.Wait()
	if out == nil {
		if hasPrev {
			return prev.results, prev
		}
		out = []Result{} // no checks
	}
	if !memoizable {
		if useMemo {
			s.memo.Store(nil)
		}
		return out, nil
	}
	m := &memo{keys: keys, results: out}
	s.memo.Store(m)
	return out, m
}

// RunAll runs every check once, including background ones, ignoring
// intervals: the check command's view. progress, if set, is called as each
// check finishes.
func (s *Scheduler) RunAll(ctx context.Context, progress func(Result)) []Result {
	if !s.enter() {
		return s.Snapshot()
	}
	defer s.active.Done()
	out := make([]Result, len(s.entries))
	var wg sync.WaitGroup
	var pmu sync.Mutex
	for i, e := range s.entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = s.join(ctx, e, false)
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
		out[i] = s.latestLocked(e)
		e.mu.Unlock()
	}
	return out
}

// latestLocked returns e's latest result, or an unknown one with reason
// not_run_yet while it has none, marked with whether a run is under way;
// e.mu must be held.
func (s *Scheduler) latestLocked(e *entry) Result {
	var r Result
	switch {
	case e.last != nil:
		r = *e.last
	case e.cfg.Background:
		r = s.base(e)
		r.Status, r.Reason = StatusUnknown, ReasonNotRunYet
		r.Message = "background check has not finished its first run yet"
	default:
		r = s.base(e)
		r.Status, r.Reason = StatusUnknown, ReasonNotRunYet
		r.Message = "the check has not finished its first run yet"
	}
	r.Running = e.inflight != nil
	return r
}

// cached returns e's result when no run is needed: a background check's
// latest, or a result still within its interval.
// now is the collection's time, read once for all its checks.
func (s *Scheduler) cached(e *entry, now time.Time) (*Result, memoKey, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cfg.Background {
		r := s.latestLocked(e)
		return &r, memoKey{last: e.last, running: r.Running}, true
	}
	if s.freshAtLocked(e, now) {
		// Never changed once stored: read without the lock.
		return e.last, memoKey{last: e.last}, true
	}
	return nil, memoKey{}, false
}

// freshLocked reports whether e's latest result may still be served.
func (s *Scheduler) freshLocked(e *entry) bool {
	if e.last == nil || e.cfg.Interval <= 0 {
		return false
	}
	return s.freshAtLocked(e, s.now())
}

// freshAtLocked is freshLocked at a given time.
func (s *Scheduler) freshAtLocked(e *entry, now time.Time) bool {
	if e.last == nil || e.cfg.Interval <= 0 {
		return false
	}
	if !e.cacheErrors && e.last.Status == StatusFail && !e.last.FailedOnCondition() {
		return false
	}
	return now.Sub(e.last.Start) < time.Duration(e.cfg.Interval)
}

func (s *Scheduler) get(ctx context.Context, e *entry) Result {
	return s.join(ctx, e, true)
}

// join returns the result of e's run in flight, starting one when there is
// none, or by ctx's end the latest result there is. With useFresh, a result
// still within the interval is returned instead of a run.
func (s *Scheduler) join(ctx context.Context, e *entry, useFresh bool) Result {
	for {
		e.mu.Lock()
		r, fl, done := s.joinStartLocked(e, useFresh)
		if done {
			e.mu.Unlock()
			return r
		}
		if fl == nil {
			// The run in flight was abandoned; its result would be a
			// cut-off one: wait for it to end, then start another.
			abandoned := e.inflight
			e.mu.Unlock()
			abandoned.waiters.Add(1)
			select {
			case <-abandoned.done:
				abandoned.waiters.Add(-1)
				continue
			case <-ctx.Done():
				abandoned.waiters.Add(-1)
				return s.deadlineResult(e)
			}
		}
		e.mu.Unlock()
		return s.wait(ctx, e, fl)
	}
}

// joinStartLocked is join's first step, under e.mu: with useFresh, a
// result still within the interval (done); otherwise the run in flight,
// started when there is none, with the caller counted in its holding (see
// wait); or a nil flight when the run in flight was abandoned.
func (s *Scheduler) joinStartLocked(e *entry, useFresh bool) (r Result, fl *flight, done bool) {
	if useFresh && s.freshLocked(e) {
		// A run finished since the caller looked.
		return *e.last, nil, true
	}
	fl = e.inflight
	if fl == nil {
		fl = s.launchLocked(context.Background(), e, true)
	}
	if fl.abandoned {
		return Result{}, nil, false
	}
	fl.holding++
	return Result{}, fl, false
}

// wait returns fl's result, or by ctx's end the latest result there is.
// The caller has counted itself in fl.holding.
func (s *Scheduler) wait(ctx context.Context, e *entry, fl *flight) Result {
	r, _ := s.waitRun(ctx, e, fl)
	return r
}

// waitRun is wait, and whether the result is the run's (not ctx's end's).
func (s *Scheduler) waitRun(ctx context.Context, e *entry, fl *flight) (Result, bool) {
	fl.waiters.Add(1)
	defer fl.waiters.Add(-1)
	select {
	case <-fl.done:
		return fl.res, true
	case <-ctx.Done():
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	select {
	case <-fl.done:
		// It ended as ctx did: the result is there, take it.
		return fl.res, true
	default:
	}
	fl.holding--
	if fl.bound && fl.holding == 0 {
		fl.abandoned = true
		fl.cancel(errAbandoned)
	}
	return s.deadlineResultLocked(e), false
}

func (s *Scheduler) deadlineResult(e *entry) Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	return s.deadlineResultLocked(e)
}

// deadlineResultLocked is what a caller that cannot wait any longer gets:
// the latest result, or a scrape_deadline failure when there is none; e.mu
// must be held.
func (s *Scheduler) deadlineResultLocked(e *entry) Result {
	if e.last != nil {
		return s.latestLocked(e)
	}
	r := s.base(e)
	r.Status = StatusFail
	r.Reason = ReasonScrapeDeadline
	r.Message = "the check did not finish before the scrape deadline"
	r.Start = s.now()
	r.Running = e.inflight != nil
	return r
}

// launchLocked starts a run of e; e.mu must be held and no run be in
// flight. The run's context derives from parent and ends after the check's
// timeout; a bound run also ends when every caller waiting for it gave up
// (see flight.bound).
func (s *Scheduler) launchLocked(parent context.Context, e *entry, bound bool) *flight {
	ctx, cancel := context.WithCancelCause(parent)
	fl := &flight{done: make(chan struct{}), bound: bound, cancel: cancel}
	e.inflight = fl
	s.runs.Add(1)
	// The run's wait counts from here, not from when its goroutine first
	// runs: a burst of many checks is CPU-bound (each opens a connection,
	// a TLS handshake ...), and a goroutine waiting for a CPU is as queued
	// as one waiting for a slot. golive_check_queue_wait_seconds then
	// explains the scrape's wall time beside the checks' durations.
	queued := time.Now()
	go func() {
		defer s.runs.Done()
		res := s.run(ctx, parent, e, queued)
		cancel(nil)
		// Its series are built now, once, not by each scrape that
		// exports the result (see runSeries).
		res.series = buildSeries(res, s.linesScraped())
		e.mu.Lock()
		fl.res = res
		last := res
		e.last = &last
		fl.last = e.last
		e.inflight = nil
		e.mu.Unlock()
		close(fl.done)
	}()
	return fl
}

func (s *Scheduler) base(e *entry) Result {
	return Result{Check: e.cfg.Name, Kind: e.kind, Items: e.cfg.Items, Description: e.cfg.Description}
}

// run performs one run of e under its timeout. flightCtx is the run's
// own context, cancelled when nobody waits for a bound run any more
// (running out of time is then the scrapes' fault rather than the
// target's, and the reason says so); parent is what it derives from,
// cancelled when the configuration is replaced.
func (s *Scheduler) run(flightCtx, parent context.Context, e *entry, queued time.Time) (res Result) {
	res = s.base(e)
	res.Start = s.now()
	rep := &Report{}
	var start time.Time
	defer func() {
		if !start.IsZero() {
			res.Duration = time.Since(start)
			res.DurationSec = res.Duration.Seconds()
		}
		res = maskURLs(res)
		if res.Status == StatusFail {
			s.logger.Debug("check failed", "check", e.cfg.Name, "reason", res.Reason, "msg", res.Message)
		}
	}()
	if e.buildErr != nil {
		return finish(res, rep, e.buildErr)
	}
	ctx, cancel := context.WithTimeout(flightCtx, time.Duration(e.cfg.Timeout))
	defer cancel()
	stopped := func(err error) error {
		switch {
		case parent.Err() != nil:
			return WithReason(ReasonUnavailable, fmt.Errorf("stopped: the configuration was replaced: %w", err))
		case errors.Is(context.Cause(flightCtx), errAbandoned):
			return WithReason(ReasonScrapeDeadline, fmt.Errorf("cut off after %s: %w (raise the scrape timeout or lower the check's timeout %s)", time.Since(queued).Round(time.Millisecond), errAbandoned, e.cfg.Timeout))
		default:
			return WithReason(ReasonTimeout, fmt.Errorf("timed out after %s: %w", e.cfg.Timeout, err))
		}
	}
	release, err := s.acquire(ctx)
	res.QueueWait = time.Since(queued)
	res.QueueWaitSec = res.QueueWait.Seconds()
	if err != nil {
		if parent.Err() != nil {
			return finish(res, rep, stopped(err))
		}
		why := "the check's timeout " + e.cfg.Timeout.String() + " passed"
		if errors.Is(context.Cause(flightCtx), errAbandoned) {
			why = "every scrape waiting for it reached its deadline"
		}
		return finish(res, rep, Failf(ReasonConcurrencyWaited, "waited %s for a free slot (global.max_concurrency=%d) and gave up: %s",
			res.QueueWait.Round(time.Millisecond), cap(s.sem), why))
	}
	defer release()
	start = time.Now()
	res.Start = s.now()
	err = s.safeRun(ctx, e, rep)
	if err != nil && ctx.Err() != nil {
		err = stopped(err)
	}
	return finish(res, rep, err)
}

// maskURLs hides the query values and passwords of URLs in what a run
// reports in words: an error may repeat the URL it failed on (an OAuth2
// token_url with its key, a probed URL with its token), and the message
// goes to the board, the status API, check and the log.
func maskURLs(res Result) Result {
	res.Message = config.MaskURLsIn(res.Message)
	for i, c := range res.Conditions {
		res.Conditions[i].Observed = config.MaskURLsIn(c.Observed)
		res.Conditions[i].Expected = config.MaskURLsIn(c.Expected)
	}
	return res
}

// acquire takes a slot of the concurrency bound, waiting until ctx ends.
// The slot is given back by release, or earlier once the run has held it
// for the slot lease or its context has ended (a check that does not
// return in time must not keep its slot): hung targets then delay nobody
// else. The run itself stays bounded by its own timeout, and a check has at
// most one run in flight, so the runs past their lease are at most one per
// check.
func (s *Scheduler) acquire(ctx context.Context) (release func(), err error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var once sync.Once
	give := func() { once.Do(func() { <-s.sem }) }
	lease := time.AfterFunc(s.lease, give)
	stop := context.AfterFunc(ctx, give)
	return func() {
		lease.Stop()
		stop()
		give()
	}, nil
}

// safeRun turns a panicking check into a failed result instead of a dead
// exporter.
func (s *Scheduler) safeRun(ctx context.Context, e *entry, rep *Report) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.logger.Error("check panicked", "check", e.cfg.Name, "kind", e.kind, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = Failf(ReasonError, "check panicked: %v", p)
		}
	}()
	return e.check.Run(ctx, rep)
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

// scrapedIn records that a scrape was served in f (see Scheduler.scraped).
func (s *Scheduler) scrapedIn(f lineFormat) {
	if bit := uint32(1) << f; s.scraped.Load()&bit == 0 {
		s.scraped.Or(bit)
	}
}

// linesScraped are the lineFormats a scrape has been served in.
func (s *Scheduler) linesScraped() lineFormats { return lineFormats(s.scraped.Load()) }
