package collector

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memoValues is each check's golive_test_memo_value in a scrape's
// families, and that family.
func memoValues(t *testing.T, fams []*dto.MetricFamily) (map[string]float64, *dto.MetricFamily) {
	t.Helper()
	for _, mf := range fams {
		if mf.GetName() != "golive_test_memo_value" {
			continue
		}
		out := map[string]float64{}
		for _, m := range mf.GetMetric() {
			out[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
		}
		return out, mf
	}
	t.Fatal("no golive_test_memo_value family")
	return nil, nil
}

// A scrape in which no check ran and no result changed returns the
// previous scrape's results and families, not copies (issue 12: the copy
// and the walk over every series made a cached scrape's cost per check
// grow with the number of checks); any change is seen by the next scrape.
func TestUnchangedScrapeReusesTheLastOne(t *testing.T) {
	var runs atomic.Int32
	desc := NewDesc("golive_test_memo_value", "test")
	value := fn(func(_ context.Context, r *Report) error { r.Gauge(desc, float64(runs.Add(1))); return nil })
	fakeKind(t, map[string]func(Env) Check{"a": value, "b": value})
	s := newScheduler(t, loadConfig(t, "", "a interval: 1m", "b interval: 1m"))
	now := time.Now()
	var clock sync.Mutex
	s.now = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }
	scrape := func() (*RequestCollector, map[string]float64, *dto.MetricFamily) {
		rc := s.Collector(context.Background())
		fams, err := rc.Gather()
		require.NoError(t, err)
		values, mf := memoValues(t, fams)
		return rc, values, mf
	}

	first, v1, f1 := scrape()
	require.Len(t, v1, 2)
	second, v2, f2 := scrape()
	assert.Equal(t, v1, v2)
	assert.Same(t, &first.Results[0], &second.Results[0], "the same results, not a copy")
	assert.Same(t, f1, f2, "the same family, not gathered again")
	assert.EqualValues(t, 2, runs.Load())

	// Another path ran a check (the check command ignores intervals): the
	// next scrape has its new result.
	s.RunAll(context.Background(), nil)
	_, v3, f3 := scrape()
	assert.NotSame(t, f2, f3)
	assert.NotEqual(t, v2["a"], v3["a"])
	assert.NotEqual(t, v2["b"], v3["b"])
	assert.EqualValues(t, 4, runs.Load())

	// The interval passed: both run again, and the scrape shows it.
	clock.Lock()
	now = now.Add(61 * time.Second)
	clock.Unlock()
	_, v4, _ := scrape()
	assert.EqualValues(t, 6, runs.Load())
	assert.ElementsMatch(t, []float64{5, 6}, []float64{v4["a"], v4["b"]})
}

// A check without an interval runs at every scrape: its scrapes never
// share results.
func TestScrapeWithARunIsNotReused(t *testing.T) {
	var runs atomic.Int32
	desc := NewDesc("golive_test_memo_value", "test")
	fakeKind(t, map[string]func(Env) Check{
		"kept":  fn(func(_ context.Context, r *Report) error { r.Gauge(desc, 1); return nil }),
		"every": fn(func(_ context.Context, r *Report) error { r.Gauge(desc, float64(runs.Add(1))); return nil }),
	})
	s := newScheduler(t, loadConfig(t, "", "kept interval: 1h", "every"))
	var last float64
	for range 3 {
		rc := s.Collector(context.Background())
		fams, err := rc.Gather()
		require.NoError(t, err)
		values, _ := memoValues(t, fams)
		assert.Greater(t, values["every"], last)
		last = values["every"]
	}
}

// A background check's run under way is part of its result
// (golive_check_running): the scrape after it started, and the one after
// it ended, show it.
func TestScrapeSeesABackgroundRunStartAndEnd(t *testing.T) {
	gate := make(chan struct{})
	var runs atomic.Int32
	desc := NewDesc("golive_test_memo_value", "test")
	fakeKind(t, map[string]func(Env) Check{
		"bg": fn(func(ctx context.Context, r *Report) error {
			if runs.Add(1) > 1 {
				select {
				case <-gate:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			r.Gauge(desc, float64(runs.Load()))
			return nil
		}),
	})
	s := newScheduler(t, loadConfig(t, "", "bg background: true interval: 1h"))
	e := s.entries[0]
	// The first run, then a second one held at the gate.
	e.mu.Lock()
	fl := s.launchLocked(context.Background(), e, false)
	e.mu.Unlock()
	<-fl.done
	running := func() bool {
		rc := s.Collector(context.Background())
		_, err := rc.Gather()
		require.NoError(t, err)
		return rc.Results[0].Running
	}
	assert.False(t, running())
	assert.False(t, running())
	e.mu.Lock()
	fl = s.launchLocked(context.Background(), e, false)
	e.mu.Unlock()
	assert.True(t, running(), "the scrape after the run started")
	close(gate)
	<-fl.done
	rc := s.Collector(context.Background())
	fams, err := rc.Gather()
	require.NoError(t, err)
	assert.False(t, rc.Results[0].Running, "the scrape after the run ended")
	values, _ := memoValues(t, fams)
	assert.EqualValues(t, 2, values["bg"])
}

// Scrapes sharing a collection's results and families, side by side with
// runs ending, are race-free (go test -race).
func TestSharedScrapesRaceFree(t *testing.T) {
	desc := NewDesc("golive_test_memo_value", "test")
	value := fn(func(_ context.Context, r *Report) error { r.Gauge(desc, 1); return nil })
	fakeKind(t, map[string]func(Env) Check{"a": value, "b": value, "c": value})
	s := newScheduler(t, loadConfig(t, "", "a interval: 1h", "b interval: 1h", "c"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				rc := s.Collector(context.Background())
				fams, err := rc.Gather()
				if !assert.NoError(t, err) {
					return
				}
				for _, mf := range fams {
					_, _ = rc.WriteLines(io.Discard, mf, expfmt.NewFormat(expfmt.TypeTextPlain))
				}
			}
		}()
	}
	wg.Wait()
}

// A scrape in which one check, not the first, has a new result keeps the
// others' as they were, and the scrape after it, in which nothing
// changed, reuses it whole.
func TestScrapeAfterOneChangeIsReusedAgain(t *testing.T) {
	var runs atomic.Int32
	desc := NewDesc("golive_test_memo_value", "test")
	value := fn(func(_ context.Context, r *Report) error { r.Gauge(desc, float64(runs.Add(1))); return nil })
	fakeKind(t, map[string]func(Env) Check{"a": value, "b": value})
	s := newScheduler(t, loadConfig(t, "", "a interval: 1h", "b interval: 1h"))
	scrape := func() (*RequestCollector, map[string]float64) {
		rc := s.Collector(context.Background())
		fams, err := rc.Gather()
		require.NoError(t, err)
		values, _ := memoValues(t, fams)
		return rc, values
	}
	_, v1 := scrape()
	// A new result for b only (as a background loop or check would).
	e := s.entries[1]
	require.Equal(t, "b", e.cfg.Name)
	e.mu.Lock()
	fl := s.launchLocked(context.Background(), e, false)
	e.mu.Unlock()
	<-fl.done
	second, v2 := scrape()
	assert.Equal(t, v1["a"], v2["a"])
	assert.NotEqual(t, v1["b"], v2["b"])
	third, v3 := scrape()
	assert.Equal(t, v2, v3)
	assert.Same(t, &second.Results[0], &third.Results[0], "nothing changed since the second scrape")
}
