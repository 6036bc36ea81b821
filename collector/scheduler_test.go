package collector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// checkFunc adapts a function to Check.
type checkFunc func(ctx context.Context, r *Report) error

func (f checkFunc) Run(ctx context.Context, r *Report) error { return f(ctx, r) }

// fakeKind registers, for the length of the test, the kind "tcp" (a kind
// the config accepts) as a fake whose behaviour is chosen by check name.
// Tests that use it must not run in parallel.
func fakeKind(t testing.TB, behaviours map[string]func(env Env) Check) {
	t.Helper()
	registryMu.Lock()
	old, had := registry["tcp"]
	registry["tcp"] = func(c *config.Check, env Env) (Check, error) {
		b, ok := behaviours[c.Name]
		if !ok {
			return nil, fmt.Errorf("no fake behaviour for %s", c.Name)
		}
		return b(env), nil
	}
	registryMu.Unlock()
	t.Cleanup(func() {
		registryMu.Lock()
		if had {
			registry["tcp"] = old
		} else {
			delete(registry, "tcp")
		}
		registryMu.Unlock()
	})
}

func fn(f func(ctx context.Context, r *Report) error) func(Env) Check {
	return func(Env) Check { return checkFunc(f) }
}

// loadConfig builds a configuration of tcp checks; each spec line is
// "name [key: value ...]" turned into one check.
func loadConfig(t testing.TB, global string, checks ...string) *config.Config {
	t.Helper()
	var b strings.Builder
	if global != "" {
		b.WriteString("global:\n" + global + "\n")
	}
	b.WriteString("checks:\n")
	for _, c := range checks {
		fields := strings.Fields(c)
		fmt.Fprintf(&b, "  - name: %s\n", fields[0])
		for i := 1; i+1 < len(fields); i += 2 {
			fmt.Fprintf(&b, "    %s %s\n", fields[i], fields[i+1])
		}
		b.WriteString("    tcp: {address: \"127.0.0.1:1\"}\n")
	}
	cfg, err := config.Load([]byte(b.String()), "test.yml")
	require.NoError(t, err, b.String())
	return cfg
}

func newScheduler(t testing.TB, cfg *config.Config) *Scheduler {
	t.Helper()
	s := New(cfg, nil)
	t.Cleanup(s.Close)
	return s
}

func byName(results []Result) map[string]Result {
	m := map[string]Result{}
	for _, r := range results {
		m[r.Check] = r
	}
	return m
}

func hang(ctx context.Context, _ *Report) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestConcurrencyBound(t *testing.T) {
	var inFlight, peak atomic.Int32
	gate := make(chan struct{})
	run := fn(func(ctx context.Context, _ *Report) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	behaviours := map[string]func(Env) Check{}
	var names []string
	for i := range 10 {
		n := fmt.Sprintf("c%d", i)
		behaviours[n] = run
		names = append(names, n+" timeout: 1m")
	}
	fakeKind(t, behaviours)
	s := newScheduler(t, loadConfig(t, "  max_concurrency: 3\n  slot_lease: 1h", names...))
	done := make(chan []Result)
	go func() { done <- s.Collect(context.Background()) }()
	require.Eventually(t, func() bool { return inFlight.Load() == 3 }, 10*time.Second, time.Millisecond)
	// No fourth run may start while three hold the slots.
	time.Sleep(50 * time.Millisecond)
	assert.EqualValues(t, 3, inFlight.Load())
	close(gate)
	results := <-done
	assert.EqualValues(t, 3, peak.Load())
	for _, r := range results {
		assert.Equal(t, StatusPass, r.Status, r.Check)
	}
}

func TestQueueTimeout(t *testing.T) {
	release := make(chan struct{})
	fakeKind(t, map[string]func(Env) Check{
		"holder": fn(func(ctx context.Context, _ *Report) error {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}),
		"waiter": fn(func(context.Context, *Report) error { return nil }),
	})
	s := newScheduler(t, loadConfig(t, "  max_concurrency: 1\n  slot_lease: 1h", "holder timeout: 1m", "waiter timeout: 100ms"))
	res := make(chan Result, 1)
	go func() { res <- s.get(context.Background(), s.entries[0]) }()
	require.Eventually(t, func() bool { return len(s.sem) == 1 }, 10*time.Second, time.Millisecond)
	// The holder runs; a second collection of the waiter cannot get a slot.
	r := s.get(context.Background(), s.entries[1])
	assert.Equal(t, ReasonConcurrencyWaited, r.Reason)
	close(release)
	assert.Equal(t, StatusPass, (<-res).Status)
}

func TestPerCheckTimeout(t *testing.T) {
	var sawDeadline atomic.Bool
	fakeKind(t, map[string]func(Env) Check{
		"hangs": fn(func(ctx context.Context, r *Report) error {
			_, ok := ctx.Deadline()
			sawDeadline.Store(ok)
			return hang(ctx, r)
		}),
		"quick": fn(func(context.Context, *Report) error { return nil }),
	})
	s := newScheduler(t, loadConfig(t, "", "hangs timeout: 50ms", "quick"))
	got := byName(s.Collect(context.Background()))
	assert.True(t, sawDeadline.Load())
	assert.Equal(t, StatusFail, got["hangs"].Status)
	assert.Equal(t, ReasonTimeout, got["hangs"].Reason)
	assert.Contains(t, got["hangs"].Message, "timed out after 50ms")
	assert.Equal(t, StatusPass, got["quick"].Status, "one hung check does not fail the others")
}

// A run that only one scrape waits for ends when that scrape gives up at
// its deadline, not at the check's own timeout of an hour: nobody would
// read its result.
func TestLoneScrapeCutsItsRunAtItsDeadline(t *testing.T) {
	ended := make(chan error, 1)
	fakeKind(t, map[string]func(Env) Check{
		"slow": fn(func(ctx context.Context, r *Report) error {
			err := hang(ctx, r)
			ended <- err
			return err
		}),
		"fast": fn(func(context.Context, *Report) error { return nil }),
	})
	s := newScheduler(t, loadConfig(t, "", "slow timeout: 1h", "fast"))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	got := byName(s.Collect(ctx))
	assert.Equal(t, StatusFail, got["slow"].Status)
	assert.Equal(t, ReasonScrapeDeadline, got["slow"].Reason)
	assert.Equal(t, StatusPass, got["fast"].Status)
	select {
	case err := <-ended:
		assert.ErrorIs(t, err, context.Canceled, "cancelled when the scrape gave up, not at its timeout")
	case <-time.After(10 * time.Second):
		t.Fatal("the run went on after the only scrape waiting for it gave up")
	}
	require.Eventually(t, func() bool { return !s.Snapshot()[0].Running }, 10*time.Second, time.Millisecond)
	r := s.Snapshot()[0]
	assert.Equal(t, ReasonScrapeDeadline, r.Reason)
	assert.Contains(t, r.Message, "every scrape waiting for the run reached its deadline")
}

func TestCollectReturnsByDeadlineWhileRunGoesOn(t *testing.T) {
	// A check that ignores its context (a bug in a kind) must still not
	// hold up the scrape.
	release := make(chan struct{})
	fakeKind(t, map[string]func(Env) Check{
		"stubborn": fn(func(context.Context, *Report) error { <-release; return nil }),
	})
	s := newScheduler(t, loadConfig(t, "", "stubborn timeout: 1h"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := s.Collect(ctx)[0]
	assert.Equal(t, ReasonScrapeDeadline, r.Reason)
	assert.True(t, r.Running)
	close(release)
	// Close waits for the run to end.
}

func TestIntervalCaching(t *testing.T) {
	var runs atomic.Int32
	fakeKind(t, map[string]func(Env) Check{
		"cached": fn(func(context.Context, *Report) error { runs.Add(1); return nil }),
	})
	s := newScheduler(t, loadConfig(t, "", "cached interval: 1m timeout: 1s"))
	now := time.Now()
	s.now = func() time.Time { return now }
	first := s.Collect(context.Background())[0]
	second := s.Collect(context.Background())[0]
	assert.EqualValues(t, 1, runs.Load(), "a second scrape within the interval does not run the check")
	assert.Equal(t, first.Start, second.Start)
	now = now.Add(61 * time.Second)
	s.Collect(context.Background())
	assert.EqualValues(t, 2, runs.Load(), "after the interval the check runs again")
}

func TestNoIntervalRunsEveryScrape(t *testing.T) {
	var runs atomic.Int32
	fakeKind(t, map[string]func(Env) Check{
		"every": fn(func(context.Context, *Report) error { runs.Add(1); return nil }),
	})
	s := newScheduler(t, loadConfig(t, "", "every"))
	for range 3 {
		s.Collect(context.Background())
	}
	assert.EqualValues(t, 3, runs.Load())
}

func TestErrorsAreNotCachedConditionFailuresAre(t *testing.T) {
	var errRuns, condRuns, strictRuns atomic.Int32
	fakeKind(t, map[string]func(Env) Check{
		"errs": fn(func(context.Context, *Report) error {
			errRuns.Add(1)
			return Failf(ReasonConnRefused, "refused")
		}),
		"cond": fn(func(_ context.Context, r *Report) error {
			condRuns.Add(1)
			r.Assert("value", false, "3", "< 2")
			return nil
		}),
		"strict": func(Env) Check {
			return strictCheck{fn: func() error { strictRuns.Add(1); return Failf(ReasonNetwork, "reset") }}
		},
	})
	s := newScheduler(t, loadConfig(t, "", "errs interval: 1h", "cond interval: 1h", "strict interval: 1h"))
	for range 3 {
		got := byName(s.Collect(context.Background()))
		assert.Equal(t, ReasonConnRefused, got["errs"].Reason)
		assert.Equal(t, ReasonConditionFailed, got["cond"].Reason)
		assert.Equal(t, ReasonNetwork, got["strict"].Reason)
	}
	assert.EqualValues(t, 3, errRuns.Load(), "a run that could not be done is tried again on the next scrape")
	assert.EqualValues(t, 1, condRuns.Load(), "a failed condition is a result, kept for the interval")
	assert.EqualValues(t, 1, strictRuns.Load(), "a check that caches errors never runs more often than its interval")
}

type strictCheck struct{ fn func() error }

func (c strictCheck) Run(context.Context, *Report) error { return c.fn() }
func (strictCheck) CacheErrors() bool                    { return true }

func TestSingleFlight(t *testing.T) {
	var runs atomic.Int32
	gate := make(chan struct{})
	fakeKind(t, map[string]func(Env) Check{
		"shared": fn(func(_ context.Context, r *Report) error {
			runs.Add(1)
			<-gate
			r.Gauge(NewDesc("golive_test_value", "test"), 42)
			return nil
		}),
	})
	s := newScheduler(t, loadConfig(t, "", "shared timeout: 1m"))
	const n = 10
	var wg sync.WaitGroup
	results := make([]Result, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = s.Collect(context.Background())[0] }()
	}
	e := s.entries[0]
	require.Eventually(t, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.inflight != nil && e.inflight.waiters.Load() == n
	}, 10*time.Second, time.Millisecond, "every collection waits on the one run")
	close(gate)
	wg.Wait()
	assert.EqualValues(t, 1, runs.Load(), "N concurrent scrapes share one run")
	for _, r := range results {
		assert.Equal(t, StatusPass, r.Status)
		assert.Equal(t, results[0].Start, r.Start)
		require.Len(t, r.Samples(), 1)
	}
}

func TestErrorsBecomeReasons(t *testing.T) {
	cases := map[string]struct {
		run    func(ctx context.Context, r *Report) error
		status Status
		reason Reason
	}{
		"explicit": {func(context.Context, *Report) error { return Failf(ReasonAuth, "password refused") }, StatusFail, ReasonAuth},
		"refused": {func(context.Context, *Report) error {
			return fmt.Errorf("dialing: %w", syscall.ECONNREFUSED)
		}, StatusFail, ReasonConnRefused},
		"missing":   {func(context.Context, *Report) error { return fmt.Errorf("opening: %w", fs.ErrNotExist) }, StatusFail, ReasonNotFound},
		"plain":     {func(context.Context, *Report) error { return errors.New("something odd") }, StatusFail, ReasonError},
		"condition": {func(_ context.Context, r *Report) error { r.Assert("age", false, "3d", "< 1d"); return nil }, StatusFail, ReasonConditionFailed},
		"warning":   {func(_ context.Context, r *Report) error { r.Warn("age", false, "20d", "< 14d"); return nil }, StatusWarn, ReasonNone},
		// A condition with a reason of its own fails with it; the first
		// failed condition is the headline.
		"stale-condition": {func(_ context.Context, r *Report) error {
			r.Assert("size", true, "1 MiB", ">= 1 KiB")
			r.AssertReason(ReasonStale, "age", false, "3d", "< 1d")
			r.Assert("format", false, "text", "pg_dump")
			return nil
		}, StatusFail, ReasonStale},
		// A condition that could not be judged is no headline while one
		// that was judged failed, wherever it stands.
		"unevaluated-first": {func(_ context.Context, r *Report) error {
			r.Unevaluated("p99", "not in the result", "<= 500ms")
			r.Assert("users", false, "5", ">= 100")
			return nil
		}, StatusFail, ReasonConditionFailed},
		"unevaluated-only": {func(_ context.Context, r *Report) error {
			r.Assert("users", true, "200", ">= 100")
			r.Unevaluated("p99", "not in the result", "<= 500ms")
			return nil
		}, StatusFail, ReasonConditionFailed},
		"pass":      {func(_ context.Context, r *Report) error { r.Assert("age", true, "1h", "< 1d"); return nil }, StatusPass, ReasonNone},
		"panics":    {func(context.Context, *Report) error { panic("boom") }, StatusFail, ReasonError},
		"nil-deref": {func(context.Context, *Report) error { var m map[string]*int; return fmt.Errorf("%d", *m["x"]) }, StatusFail, ReasonError},
	}
	behaviours := map[string]func(Env) Check{}
	var names []string
	for name, c := range cases {
		n := strings.ReplaceAll(name, "-", "_")
		behaviours[n] = fn(c.run)
		names = append(names, n)
	}
	fakeKind(t, behaviours)
	s := newScheduler(t, loadConfig(t, "", names...))
	got := byName(s.Collect(context.Background()))
	for name, c := range cases {
		r := got[strings.ReplaceAll(name, "-", "_")]
		assert.Equal(t, c.status, r.Status, name)
		assert.Equal(t, c.reason, r.Reason, name)
	}
	assert.Equal(t, "check panicked: boom", got["panics"].Message)
	assert.Equal(t, "age: observed 3d, expected < 1d", got["condition"].Message)
	assert.Equal(t, "age: observed 3d, expected < 1d", got["stale_condition"].Message)
	assert.True(t, got["stale_condition"].FailedOnCondition(), "kept for its interval like any failed condition")
	assert.Equal(t, "users: observed 5, expected >= 100", got["unevaluated_first"].Message)
	assert.Equal(t, "p99: observed not in the result, expected <= 500ms", got["unevaluated_only"].Message)
	assert.False(t, got["plain"].FailedOnCondition())
	assert.Equal(t, StatusWarn, got["warning"].Status)
	assert.True(t, got["warning"].Success())
}

func TestBuildErrorsAndUnknownKinds(t *testing.T) {
	// No fake registered: the kind is not compiled in.
	s := newScheduler(t, loadConfig(t, "", "orphan"))
	r := s.Collect(context.Background())[0]
	assert.Equal(t, ReasonConfig, r.Reason)
	assert.Contains(t, r.Message, "not compiled")

	fakeKind(t, map[string]func(Env) Check{})
	s = newScheduler(t, loadConfig(t, "", "unbuildable"))
	r = s.Collect(context.Background())[0]
	assert.Equal(t, ReasonConfig, r.Reason)
	assert.Contains(t, r.Message, "setting up check")
}

func TestBackgroundChecks(t *testing.T) {
	var runs atomic.Int32
	gate := make(chan struct{})
	fakeKind(t, map[string]func(Env) Check{
		"bg": fn(func(ctx context.Context, _ *Report) error {
			runs.Add(1)
			select {
			case <-gate:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}),
	})
	s := newScheduler(t, loadConfig(t, "", "bg background: true interval: 1h timeout: 1m"))
	// Before Start nothing runs, not even a scrape.
	r := s.Collect(context.Background())[0]
	assert.Equal(t, StatusUnknown, r.Status)
	assert.Equal(t, ReasonNotRunYet, r.Reason)
	assert.EqualValues(t, 0, runs.Load(), "a background check never runs inside Collect")
	assert.Equal(t, "background check has not finished its first run yet", r.Message)
	assert.Equal(t, r, s.Snapshot()[0], "the status API's snapshot and a scrape say the same")

	s.Start()
	require.Eventually(t, func() bool { return runs.Load() == 1 }, 10*time.Second, time.Millisecond)
	r = s.Collect(context.Background())[0]
	assert.Equal(t, StatusUnknown, r.Status, "first run still under way")
	assert.True(t, r.Running)
	close(gate)
	require.Eventually(t, func() bool { return s.Snapshot()[0].Status == StatusPass }, 10*time.Second, time.Millisecond)
	for range 3 {
		r = s.Collect(context.Background())[0]
		assert.Equal(t, StatusPass, r.Status)
		assert.False(t, r.Running)
	}
	assert.EqualValues(t, 1, runs.Load(), "scrapes read the background result")
}

func TestCloseCancelsBackgroundRuns(t *testing.T) {
	started := make(chan struct{})
	var ended atomic.Bool
	fakeKind(t, map[string]func(Env) Check{
		"restore": fn(func(ctx context.Context, r *Report) error {
			close(started)
			defer ended.Store(true)
			return hang(ctx, r)
		}),
	})
	s := New(loadConfig(t, "", "restore background: true interval: 24h timeout: 23h"), nil)
	s.Start()
	<-started
	s.Close() // returns although the run's own timeout is 23h
	assert.True(t, ended.Load())
	assert.Equal(t, ReasonUnavailable, s.Snapshot()[0].Reason)
}

type closer struct{ closed atomic.Bool }

func (c *closer) Close() error { c.closed.Store(true); return nil }

func TestCloseWaitsForRunsAndClosesShared(t *testing.T) {
	pool := &closer{}
	release := make(chan struct{})
	var ended atomic.Bool
	var poolOpenAtEnd atomic.Bool
	fakeKind(t, map[string]func(Env) Check{
		"db": func(env Env) Check {
			return checkFunc(func(ctx context.Context, _ *Report) error {
				c, err := env.Shared.Get("pool", func() (io.Closer, error) { return pool, nil })
				if err != nil {
					return err
				}
				<-ctx.Done()
				<-release // a check that takes its time to wind down
				poolOpenAtEnd.Store(!c.(*closer).closed.Load())
				ended.Store(true)
				return ctx.Err()
			})
		},
	})
	s := New(loadConfig(t, "", "db timeout: 1h"), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	// The scrape ends before the run does.
	s.Collect(ctx)
	go func() {
		time.Sleep(50 * time.Millisecond)
		close(release)
	}()
	s.Close()
	assert.True(t, ended.Load(), "Close waits for the run in flight")
	assert.True(t, poolOpenAtEnd.Load(), "the pool stays open until the run ended")
	assert.True(t, pool.closed.Load(), "Close closes shared resources")
	_, err := s.shared.Get("pool", func() (io.Closer, error) { return &closer{}, nil })
	assert.Error(t, err)

	// After Close a collection runs nothing and returns the latest results.
	r := s.Collect(context.Background())
	require.Len(t, r, 1)
	assert.Equal(t, "db", r[0].Check)
}

func TestRunAllRunsEverythingOnce(t *testing.T) {
	var bgRuns, cachedRuns atomic.Int32
	fakeKind(t, map[string]func(Env) Check{
		"bg":     fn(func(context.Context, *Report) error { bgRuns.Add(1); return nil }),
		"cached": fn(func(context.Context, *Report) error { cachedRuns.Add(1); return nil }),
		"hangs":  fn(hang),
	})
	s := newScheduler(t, loadConfig(t, "", "bg background: true interval: 1h", "cached interval: 1h", "hangs timeout: 1h"))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	s.Collect(ctx) // fills the cache of "cached"
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var seen []string
	got := byName(s.RunAll(ctx, func(r Result) { seen = append(seen, r.Check) }))
	assert.EqualValues(t, 1, bgRuns.Load(), "check runs background checks too")
	assert.EqualValues(t, 2, cachedRuns.Load(), "check ignores intervals")
	assert.ElementsMatch(t, []string{"bg", "cached", "hangs"}, seen)
	assert.Equal(t, StatusFail, got["hangs"].Status)
}

func TestSharedGetRetriesFailedOpen(t *testing.T) {
	sh := NewShared()
	_, err := sh.Get("k", func() (io.Closer, error) { return nil, errors.New("down") })
	require.Error(t, err)
	c := &closer{}
	got, err := sh.Get("k", func() (io.Closer, error) { return c, nil })
	require.NoError(t, err)
	got2, err := sh.Get("k", func() (io.Closer, error) { t.Fatal("opened twice"); return nil, nil })
	require.NoError(t, err)
	assert.Same(t, got, got2)
	require.NoError(t, sh.Close())
	assert.True(t, c.closed.Load())
}

// A scrape with a short deadline starts a run; a scrape with a long one
// joins it. The short one gives up at its own deadline, the run goes on
// for the long one (the check's timeout fits in its deadline) and passes,
// and its result is kept for the interval.
func TestShortDeadlineScrapeDoesNotFailSharedRun(t *testing.T) {
	var runs atomic.Int32
	started := make(chan struct{}, 4)
	gate := make(chan struct{})
	fakeKind(t, map[string]func(Env) Check{
		"shared": fn(func(ctx context.Context, _ *Report) error {
			runs.Add(1)
			started <- struct{}{}
			select {
			case <-gate:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}),
	})
	s := newScheduler(t, loadConfig(t, "", "shared timeout: 1m interval: 1h"))
	short, cancelShort := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancelShort()
	shortRes := make(chan Result, 1)
	go func() { shortRes <- s.Collect(short)[0] }()
	<-started
	long, cancelLong := context.WithTimeout(context.Background(), time.Minute)
	defer cancelLong()
	longRes := make(chan Result, 1)
	go func() { longRes <- s.Collect(long)[0] }()

	r := <-shortRes
	assert.Equal(t, StatusFail, r.Status, "the short scrape could not wait")
	assert.Equal(t, ReasonScrapeDeadline, r.Reason)
	assert.True(t, r.Running, "the run goes on")
	close(gate)
	r = <-longRes
	assert.Equal(t, StatusPass, r.Status, "the run was not cut at the short scrape's deadline: %s", r.Message)
	assert.EqualValues(t, 1, runs.Load(), "one run served both scrapes")

	cached := s.Collect(context.Background())[0]
	assert.Equal(t, StatusPass, cached.Status)
	assert.Equal(t, r.Start, cached.Start, "the shared run's result is kept for the interval")
	assert.EqualValues(t, 1, runs.Load())
}

// A run that every waiting scrape gave up on is stopped; a scrape that
// comes while it is still winding down does not take its cut-off result
// but starts a run of its own once it ended.
func TestScrapeDoesNotJoinAbandonedRun(t *testing.T) {
	var runs atomic.Int32
	release := make(chan struct{})
	var once sync.Once
	defer once.Do(func() { close(release) })
	fakeKind(t, map[string]func(Env) Check{
		"slow_to_stop": fn(func(ctx context.Context, _ *Report) error {
			if runs.Add(1) > 1 {
				return nil
			}
			<-ctx.Done()
			<-release // a check that takes its time to return
			return ctx.Err()
		}),
	})
	s := newScheduler(t, loadConfig(t, "", "slow_to_stop timeout: 1h"))
	short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	r := s.Collect(short)[0]
	assert.Equal(t, ReasonScrapeDeadline, r.Reason)

	long, cancelLong := context.WithTimeout(context.Background(), time.Minute)
	defer cancelLong()
	longRes := make(chan Result, 1)
	go func() { longRes <- s.Collect(long)[0] }()
	e := s.entries[0]
	require.Eventually(t, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.inflight != nil && e.inflight.waiters.Load() == 1
	}, 10*time.Second, time.Millisecond, "the second scrape waits for the first run to end")
	once.Do(func() { close(release) })
	r = <-longRes
	assert.Equal(t, StatusPass, r.Status, r.Message)
	assert.EqualValues(t, 2, runs.Load())
}

// Sixteen checks against a hung target at the default max_concurrency
// (16) do not make a healthy check fail queue_timeout: a run that has held
// its slot for global.slot_lease gives it to the next check and goes on
// under its own timeout.
func TestHungChecksDoNotTakeEverySlot(t *testing.T) {
	var hung atomic.Int32
	stop := make(chan struct{}) // ends the hung runs should the scheduler not
	defer close(stop)
	behaviours := map[string]func(Env) Check{
		"healthy": fn(func(context.Context, *Report) error { return nil }),
	}
	names := []string{}
	for i := range config.DefaultMaxConcurrency {
		n := fmt.Sprintf("hung%d", i)
		behaviours[n] = fn(func(ctx context.Context, r *Report) error {
			hung.Add(1)
			defer hung.Add(-1)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-stop:
				return errors.New("stopped by the test")
			}
		})
		names = append(names, n+" timeout: 1h")
	}
	fakeKind(t, behaviours)
	s := newScheduler(t, loadConfig(t, "", append(names, "healthy timeout: 5s")...))
	require.Equal(t, config.DefaultMaxConcurrency, cap(s.sem))
	scrape, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range config.DefaultMaxConcurrency {
		wg.Add(1)
		go func() { defer wg.Done(); s.get(scrape, s.entries[i]) }()
	}
	require.Eventually(t, func() bool { return hung.Load() == int32(config.DefaultMaxConcurrency) }, 10*time.Second, time.Millisecond)

	r := s.get(context.Background(), s.entries[config.DefaultMaxConcurrency])
	assert.Equal(t, StatusPass, r.Status, r.Message)
	assert.Positive(t, r.QueueWait, "it waited for a slot, and says how long")
	cancel()
	wg.Wait()
	// The hung runs end with the scrape that waited for them (no leak:
	// goleak checks at the end of the package's tests).
	require.Eventually(t, func() bool { return hung.Load() == 0 }, 10*time.Second, time.Millisecond)
}

// A check that does not return when its timeout passes gives back its
// slot then, even with a long slot lease.
func TestRunPastItsTimeoutFreesItsSlot(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var stubbornStarted atomic.Bool
	fakeKind(t, map[string]func(Env) Check{
		"stubborn": fn(func(context.Context, *Report) error { stubbornStarted.Store(true); <-release; return nil }),
		"healthy":  fn(func(context.Context, *Report) error { return nil }),
	})
	s := newScheduler(t, loadConfig(t, "  max_concurrency: 1\n  slot_lease: 1h", "stubborn timeout: 50ms", "healthy timeout: 5s"))
	go s.get(context.Background(), s.entries[0])
	require.Eventually(t, stubbornStarted.Load, 10*time.Second, time.Millisecond)
	r := s.get(context.Background(), s.entries[1])
	assert.Equal(t, StatusPass, r.Status, r.Message)
}

// A run's message and conditions never show a URL's query values: an
// error may repeat the URL it failed on, token and all.
func TestRunMessagesMaskURLQueries(t *testing.T) {
	fakeKind(t, map[string]func(Env) Check{
		"oauth": fn(func(_ context.Context, r *Report) error {
			r.Assert("redirect", false, "https://sso.example.com/login?session=S3ntinel", "https://app.example.com/")
			return fmt.Errorf(`oauth2: cannot fetch token: Post "http://127.0.0.1:9/token?api_key=S3ntinel": %w`, syscall.ECONNREFUSED)
		}),
	})
	s := newScheduler(t, loadConfig(t, "", "oauth"))
	r := s.Collect(context.Background())[0]
	assert.Equal(t, ReasonConnRefused, r.Reason)
	assert.Contains(t, r.Message, `Post "http://127.0.0.1:9/token?api_key=<secret>"`)
	require.Len(t, r.Conditions, 1)
	assert.Equal(t, "https://sso.example.com/login?session=<secret>", r.Conditions[0].Observed)
	assert.NotContains(t, fmt.Sprint(r), "S3ntinel")
}

// A run's queue wait counts from when the scrape asked for the run, so it
// also holds the time the run waited for a CPU to begin on: with more
// checks than the CPUs can start at once, the last check's wait plus its
// duration accounts for the scrape's wall time (a 1000-check scrape once
// took 3.5 s while every check said 0.14 s at most, and nothing showed
// why).
func TestQueueWaitCountsWaitingForACPU(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	spin := fn(func(context.Context, *Report) error {
		// CPU work that never blocks, as a burst of TLS handshakes.
		for start := time.Now(); time.Since(start) < 5*time.Millisecond; {
		}
		return nil
	})
	behaviours := map[string]func(Env) Check{}
	var names []string
	for i := range 40 {
		n := fmt.Sprintf("c%d", i)
		behaviours[n] = spin
		names = append(names, n+" timeout: 1m")
	}
	fakeKind(t, behaviours)
	s := newScheduler(t, loadConfig(t, "  max_concurrency: 40", names...))
	start := time.Now()
	results := s.Collect(context.Background())
	wall := time.Since(start)
	var explained, slowest time.Duration
	for _, r := range results {
		require.Equal(t, StatusPass, r.Status, r.Message)
		explained = max(explained, r.QueueWait+r.Duration)
		slowest = max(slowest, r.Duration)
	}
	assert.GreaterOrEqual(t, explained, wall/2,
		"a scrape of %s: the slowest check took %s, the longest wait plus run %s", wall, slowest, explained)
}
