package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/require"
)

// loadCheck loads a configuration holding checks (YAML list items) and
// returns the first check; relative paths resolve against dir.
func loadCheck(t *testing.T, dir, checks string) (*config.Check, collector.Env) {
	t.Helper()
	cfg, err := config.Load([]byte("checks:\n"+checks), filepath.Join(dir, "golive.yml"))
	require.NoError(t, err)
	return cfg.Checks[0], collector.Env{Config: cfg}
}

func loadCheckB(b *testing.B, checks string) (*config.Check, collector.Env) {
	cfg, err := config.Load([]byte("checks:\n"+checks), "/tmp/golive.yml")
	if err != nil {
		b.Fatal(err)
	}
	return cfg.Checks[0], collector.Env{Config: cfg}
}

// runAt builds the check yml configures (relative paths against dir) with
// build, sets its clock to now and runs it once, for five seconds at most.
func runAt(t *testing.T, dir, yml string, build collector.Factory, now time.Time) (*collector.Report, error) {
	t.Helper()
	c, env := loadCheck(t, dir, yml)
	chk, err := build(c, env)
	require.NoError(t, err)
	chk.(interface{ setNow(func() time.Time) }).setNow(func() time.Time { return now })
	r := &collector.Report{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return r, chk.Run(ctx, r)
}

// loadErr loads a configuration that must be refused and returns the error.
func loadErr(t *testing.T, checks string) string {
	t.Helper()
	_, err := config.Load([]byte("checks:\n"+checks), "/tmp/golive.yml")
	require.Error(t, err)
	return err.Error()
}

// value finds the sample of metric name with the given label values (the
// check label excluded).
func value(t *testing.T, r *collector.Report, name string, labels ...string) float64 {
	t.Helper()
	v, ok := lookup(r, name, labels...)
	require.Truef(t, ok, "no sample %s%v", name, labels)
	return v
}

func lookup(r *collector.Report, name string, labels ...string) (float64, bool) {
	for _, s := range r.Samples() {
		if !strings.Contains(s.Desc.String(), `fqName: "`+name+`"`) {
			continue
		}
		if strings.Join(s.Labels, "\x00") == strings.Join(labels, "\x00") {
			return s.Value, true
		}
	}
	return 0, false
}

// cond finds a condition by name.
func cond(t *testing.T, r *collector.Report, name string) collector.Condition {
	t.Helper()
	for _, c := range r.Conditions() {
		if c.Name == name {
			return c
		}
	}
	var names []string
	for _, c := range r.Conditions() {
		names = append(names, c.Name)
	}
	t.Fatalf("no condition %q; have %q", name, names)
	return collector.Condition{}
}

// failed lists the names of failed non-warning conditions.
func failed(r *collector.Report) []string {
	var out []string
	for _, c := range r.Conditions() {
		if !c.OK && !c.Warning {
			out = append(out, c.Name)
		}
	}
	return out
}

func corpus(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.Corpus(t, "backup"), name))
	require.NoError(t, err)
	return b
}

// writeScript writes an executable shell script.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755))
	return p
}
