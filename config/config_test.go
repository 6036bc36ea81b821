package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInvalidConfigs loads every testdata/invalid-*.yml; each must be
// refused at the right line with a message that says what to write.
func TestInvalidConfigs(t *testing.T) {
	cases := map[string]struct {
		line int
		msg  string
	}{
		"unknown-key":                 {3, `checks[0].timout: unknown key "timout" (did you mean "timeout"?); valid keys here: `},
		"unknown-global-key":          {2, `global.max_concurency: unknown key "max_concurency" (did you mean "max_concurrency"?)`},
		"unknown-kind-key":            {4, `checks[0].tcp.adress: unknown key "adress" (did you mean "address"?); valid keys here: address, expect`},
		"wrong-type":                  {2, `global.max_concurrency: "many" is not a whole number`},
		"list-for-text":               {2, `checks[0].name: this is a list; write a text value here`},
		"checks-not-a-list":           {2, `checks: this is a mapping; write a list`},
		"bool":                        {4, `checks[0].background: "sometimes" is not true or false`},
		"duplicate-name":              {6, `checks[2].name: check name "db_port" is used twice (first at line 2)`},
		"no-kind":                     {2, `checks[0]: check "db_port" has no kind; add one of: ` + strings.Join(Kinds(), ", ")},
		"two-kinds":                   {2, `checks[0]: check "db_port" has several kinds (tcp, tls); split it into one check per kind`},
		"bad-duration":                {3, `checks[0].timeout: "10x" is not a duration such as 500ms, 30s, 5m, 1h or 7d`},
		"timeout-over-interval":       {4, `checks[0].timeout: timeout 1m is longer than interval 30s`},
		"bad-item":                    {5, `checks[0].items[1]: "P3.1" is not a checklist item id; ids look like P1.1.02`},
		"bad-hostport":                {4, `checks[0].tcp.address: "localhost" is not host:port`},
		"bad-port":                    {4, `checks[0].tcp.address: port "99999" is not a number from 1 to 65535`},
		"empty":                       {0, `the file is empty; it needs at least a checks: list`},
		"comments-only":               {0, `the file is empty`},
		"no-checks":                   {0, `checks: no checks configured; add at least one under checks:`},
		"background-without-interval": {3, `checks[0].background: a background check needs an interval`},
		"bad-name":                    {2, `checks[0].name: check name "App Health" is not valid; use lower-case letters, digits and _`},
		"no-name":                     {2, `checks[0]: check has no name; add name:`},
		"empty-check":                 {4, `checks[1]: empty check; give it a name and one kind`},
		"duplicate-key":               {3, `mapping key "name" already defined at line 2`},
		"syntax":                      {2, `did not find expected ',' or '}' (YAML syntax`},
		"two-documents":               {4, `a second YAML document (after ---)`},
		"negative-concurrency":        {2, `global.max_concurrency: max_concurrency -1 is negative`},
		"margin-over-timeout":         {3, `global.scrape_timeout_margin: scrape_timeout_margin 5s is not shorter than default_scrape_timeout 5s`},
		"scalar-root":                 {1, `the configuration must be a mapping of keys`},
	}
	for name := range cases {
		require.FileExists(t, "testdata/invalid-"+name+".yml")
	}
	files, err := filepath.Glob("testdata/invalid-*.yml")
	require.NoError(t, err)
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "invalid-"), ".yml")
		t.Run(name, func(t *testing.T) {
			want, ok := cases[name]
			if !ok {
				// Another area's file: it must be refused, with a line.
				_, err := LoadFile(f)
				require.Error(t, err)
				return
			}
			cfg, err := LoadFile(f)
			require.Error(t, err)
			require.Nil(t, cfg)
			var es Errors
			require.True(t, errors.As(err, &es), "%T", err)
			require.NotEmpty(t, es)
			abs, _ := filepath.Abs(f)
			assert.Equal(t, abs, es[0].File)
			assert.Equal(t, want.line, es[0].Line, es.Error())
			assert.Contains(t, es[0].Error(), want.msg)
			// file:line: prefix, so that editors jump to it.
			prefix := abs + ":"
			if want.line == 0 {
				prefix = abs + ": "
			}
			assert.True(t, strings.HasPrefix(es[0].Error(), prefix), es[0].Error())
		})
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	_, err := Load([]byte(`checks:
  - name: a
    timout: 1s
    tcp: {address: "x:1"}
  - name: b
    intervl: 1m
    tcp: {address: "y:2"}
`), "two.yml")
	var es Errors
	require.True(t, errors.As(err, &es))
	require.Len(t, es, 2)
	assert.Equal(t, 3, es[0].Line)
	assert.Equal(t, 6, es[1].Line)
	assert.Contains(t, es[1].Msg, `did you mean "interval"?`)
}

func TestValidConfig(t *testing.T) {
	cfg, err := LoadFile("testdata/valid.yml")
	require.NoError(t, err)
	g := cfg.Global
	assert.Equal(t, 5*time.Second, time.Duration(g.DefaultTimeout))
	assert.Equal(t, 8, g.MaxConcurrency)
	assert.Equal(t, 250*time.Millisecond, time.Duration(g.ScrapeTimeoutMargin))
	assert.Equal(t, 15*time.Second, time.Duration(g.DefaultScrapeTimeout))
	require.Len(t, cfg.Checks, 4)

	db := cfg.CheckByName("db_port")
	require.NotNil(t, db)
	assert.Equal(t, "tcp", db.Kind())
	assert.Equal(t, []string{"P3.1.02"}, db.Items)
	assert.Equal(t, 5*time.Second, time.Duration(db.Timeout), "global default_timeout applies")
	tcp, ok := db.Spec().(*tcpStandIn)
	require.True(t, ok, "%T", db.Spec())
	assert.Equal(t, "open", tcp.Expect, "kind defaults applied")

	pub := cfg.CheckByName("db_port_public")
	assert.Equal(t, 2*time.Second, time.Duration(pub.Timeout))
	assert.Equal(t, 10*time.Minute, time.Duration(pub.Interval))
	assert.Equal(t, "closed", pub.Spec().(*tcpStandIn).Expect)

	cache := cfg.CheckByName("cache_port")
	assert.Equal(t, time.Second, time.Duration(cache.Timeout), "an interval shorter than the default timeout bounds the timeout")

	slow := cfg.CheckByName("slow_probe")
	assert.True(t, slow.Background)
	assert.Nil(t, cfg.CheckByName("nope"))

	abs, _ := filepath.Abs("testdata/valid.yml")
	assert.Equal(t, abs, cfg.File())
	assert.Equal(t, filepath.Dir(abs), cfg.BaseDir())
	assert.Equal(t, filepath.Join(filepath.Dir(abs), "certs/a.pem"), cfg.ResolvePath("certs/a.pem"))
	assert.Equal(t, "/etc/x.pem", cfg.ResolvePath("/etc/x.pem"))
	assert.Equal(t, 19, cfg.Line("checks[1].tcp.address"))
	assert.Equal(t, abs+":18", cfg.Position("checks[1].tcp"))
	assert.Equal(t, 8, cfg.Line("checks[0]"))

	// The effective configuration loads again as it is marshalled.
	out, err := cfg.Marshal()
	require.NoError(t, err)
	again, err := Load(out, "again.yml")
	require.NoError(t, err, string(out))
	assert.Equal(t, len(cfg.Checks), len(again.Checks))
	assert.Equal(t, cfg.Global, again.Global)
}

func TestMissingFile(t *testing.T) {
	_, err := LoadFile(filepath.Join(t.TempDir(), "absent.yml"))
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "reading config file")
}

func TestMarshalMasksSecrets(t *testing.T) {
	const secret = "hunter2-very-secret"
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pwFile, []byte(secret+"\n"), 0o600))
	cfg, err := Load([]byte(`
checks:
  - name: api
    http:
      url: https://app.example.com/health
      basic_auth:
        username: monitor
        password: `+secret+`
  - name: api_token
    http:
      url: https://app.example.com/health
      authorization:
        credentials: `+secret+`
`), filepath.Join(dir, "cfg.yml"))
	require.NoError(t, err)
	out, err := cfg.Marshal()
	require.NoError(t, err)
	assert.NotContains(t, string(out), secret)
	assert.Contains(t, string(out), "<secret>")
	assert.Contains(t, string(out), "monitor")

	ctx := context.Background()
	got, err := ReadSecret(ctx, envManager{}, "", pwFile, "")
	require.NoError(t, err)
	assert.Equal(t, secret, got, "file secrets lose the trailing newline")
	multi := filepath.Join(dir, "multi")
	require.NoError(t, os.WriteFile(multi, []byte(secret+"\r\nrotated 2026-11-28 by ops\n"), 0o600))
	got, err = ReadSecret(ctx, envManager{}, "", multi, "")
	require.NoError(t, err)
	assert.Equal(t, secret, got, "only a file's first line is the secret (docs/core.md, docs/database.md)")
	t.Setenv("GOLIVE_TEST_SECRET", secret)
	got, err = ReadSecret(ctx, envManager{}, "", "", "GOLIVE_TEST_SECRET")
	require.NoError(t, err)
	assert.Equal(t, secret, got)
	_, err = ReadSecret(ctx, nil, "", "", "GOLIVE_TEST_SECRET")
	assert.ErrorContains(t, err, "no secret manager")
	_, err = ReadSecret(ctx, envManager{}, "", "", "GOLIVE_TEST_UNSET_VARIABLE")
	assert.ErrorContains(t, err, "GOLIVE_TEST_UNSET_VARIABLE is not set")
	_, err = ReadSecret(ctx, envManager{}, "", filepath.Join(dir, "absent"), "")
	assert.ErrorIs(t, err, os.ErrNotExist)
	got, err = ReadSecret(ctx, envManager{}, Secret(secret), "", "")
	require.NoError(t, err)
	assert.Equal(t, secret, got)
}

func TestValidateSecretRefusesTwoSources(t *testing.T) {
	cfg := &Config{file: "x.yml", lines: map[string]int{"t.password": 7}}
	p := &Problems{cfg: cfg}
	ValidateSecret("t.password", "password", "a", "/f", "", "", p)
	require.Len(t, p.errs, 1)
	assert.Equal(t, "x.yml:7: t.password: password is given more than once; use one of password, password_file or password_ref", p.errs[0].Error())
	p = &Problems{cfg: cfg}
	ValidateSecret("t.password", "password", "", "", "REF", "ENV", p)
	require.Len(t, p.errs, 1, "password_env is password_ref's old name: both is twice")
	p = &Problems{cfg: cfg}
	ValidateSecret("t.password", "password", "", "", "", "ENV", p)
	assert.Empty(t, p.errs)
}

// The keys 0.1.0 wrote still load for one release, each with a warning
// that names its line and what to write instead; the new spellings load
// without one. Here the targets' password_env; the restore kind's
// password_env and sizes written the old way are tested with the backup
// kinds (collector/backup).
func TestDeprecatedSettingsLoadWithWarnings(t *testing.T) {
	cfg, err := Load([]byte(`postgres_targets:
  main:
    dsn: postgres://monitor@127.0.0.1:5432/app
    password_env: PGPASSWORD_MONITOR
redis_targets:
  cache:
    address: 127.0.0.1:6379
    password_env: REDIS_PASSWORD
checks:
  - name: db
    tcp: {address: "127.0.0.1:5432"}
`), "/etc/golive/golive.yml")
	require.NoError(t, err)
	assert.Equal(t, "PGPASSWORD_MONITOR", cfg.PostgresTargets["main"].PasswordRef, "still read, as password_ref")
	assert.Empty(t, cfg.PostgresTargets["main"].PasswordEnv, "folded into password_ref: read in one place")
	assert.Equal(t, "REDIS_PASSWORD", cfg.RedisTargets["cache"].PasswordRef, "still read, as password_ref")
	assert.Empty(t, cfg.RedisTargets["cache"].PasswordEnv)
	assert.Equal(t, []string{
		"/etc/golive/golive.yml:4: postgres_targets.main.password_env: password_env is deprecated and will be removed in the next release; write password_ref: with the same variable name",
		"/etc/golive/golive.yml:8: redis_targets.cache.password_env: password_env is deprecated and will be removed in the next release; write password_ref: with the same variable name",
	}, cfg.Warnings())

	cfg, err = Load([]byte(`postgres_targets:
  main: {dsn: postgres://monitor@127.0.0.1:5432/app, password_ref: PGPASSWORD_MONITOR}
checks: [{name: db, tcp: {address: "127.0.0.1:5432"}}]
`), "/etc/golive/golive.yml")
	require.NoError(t, err)
	assert.Empty(t, cfg.Warnings())
	assert.Equal(t, "PGPASSWORD_MONITOR", cfg.PostgresTargets["main"].PasswordRef)

	_, err = Load([]byte(`postgres_targets:
  main: {dsn: postgres://monitor@127.0.0.1:5432/app, password_ref: A, password_env: B}
checks: [{name: db, postgres: {target: main}}]
`), "/etc/golive/golive.yml")
	assert.ErrorContains(t, err, "password is given more than once")
}

// Sizes are read by github.com/alecthomas/units, strictly: IEC units are
// 1024-based, SI units 1000-based, case-sensitive.
func TestParseByteSize(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   ByteSize
		legacy bool
	}{
		{"1048576", 1 << 20, false},
		{"64MiB", 64 << 20, false},
		{"1.5KiB", 1536, false},
		{"500KB", 500000, false},
		{"2GB", 2000000000, false},
		{"10B", 10, false},
		{"0", 0, false},
		{"64mib", 64 << 20, true},
		{"500kb", 500000, true},
		{"64k", 64 << 10, true},
		{"2 G", 2 << 30, true},
	} {
		got, legacy, err := parseByteSize(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.legacy, legacy, tc.in)
	}
	for _, bad := range []string{"-1KB", "64XB", "MiB", "", "1e3"} {
		_, err := ParseByteSize(bad)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, "64MiB", ByteSize(64<<20).String())
	assert.Equal(t, "500000", ByteSize(500000).String())
}

func TestKinds(t *testing.T) {
	kinds := Kinds()
	assert.Contains(t, kinds, "tcp")
	assert.Contains(t, kinds, "http")
	seen := map[string]bool{}
	for _, k := range kinds {
		assert.False(t, seen[k], "kind %s twice", k)
		seen[k] = true
	}
	kinds[0] = "changed"
	assert.NotEqual(t, "changed", Kinds()[0], "Kinds returns a copy")

	// docs/core.md's "one kind key" row is checked against every kind,
	// registered ones included, in collector/all.

	c := &Check{}
	assert.Equal(t, "", c.Kind())
	assert.Nil(t, c.Spec())
}

func TestSuggest(t *testing.T) {
	fields := yamlFields(reflectTypeOfCheck())
	assert.Equal(t, ` (did you mean "interval"?)`, suggest("intervall", fields))
	assert.Equal(t, "", suggest("completely_different", fields))
	assert.Equal(t, 3, editDistance("kitten", "sitting"))
}

func TestAliasBombRefused(t *testing.T) {
	// Nested aliases of lists of strings that fit the schema: a naive walk
	// of the expanded tree would take 9^7 steps.
	var b strings.Builder
	b.WriteString("checks:\n  - name: a\n    tcp: {address: \"a:1\"}\n    items: &l0 [P1.1.01, P1.1.01, P1.1.01, P1.1.01, P1.1.01, P1.1.01, P1.1.01, P1.1.01, P1.1.01]\n")
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&b, "  - name: a%d\n    tcp: {address: \"a:1\"}\n    items: &l%d [", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	_, err := Load([]byte(b.String()), "bomb.yml")
	require.Error(t, err)
}

// Every problem of a file comes at once: unknown keys, values of the wrong
// type and what validation finds, also in the same check as a bad key or
// type, and an sslmode in a DSN that PostgreSQL would refuse. A value that
// could not be read is not reported a second time by validation.
func TestKeyTypeAndValidationErrorsTogether(t *testing.T) {
	_, err := Load([]byte(`checks:
  - name: a
    timout: 1s
    tcp: {address: "localhost"}
  - name: b
    timeout: 10x
    items: [P3.1]
    tcp: {address: "y:2"}
  - name: c
    background: sometimes
    tcp: {address: "z:99999"}
postgres_targets:
  db: {dsn: "postgres://app@db.example.com/app?sslmode=verify_full"}
  kv: {dsn: "host=db.example.com user=app dbname=app sslmode=requires"}
`), "all.yml")
	var es Errors
	require.True(t, errors.As(err, &es), "%v", err)
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%d: %s", e.Line, e.Msg))
	}
	want := []string{
		`3: unknown key "timout"`,
		`4: "localhost" is not host:port`,
		`6: "10x" is not a duration`,
		`7: "P3.1" is not a checklist item id`,
		`10: "sometimes" is not true or false`,
		`11: port "99999" is not a number from 1 to 65535`,
		`13: sslmode "verify_full" in the dsn is not known`,
		`14: sslmode "requires" in the dsn is not known`,
	}
	require.Len(t, got, len(want), "exactly these problems, no echo of a bad value:\n%s", strings.Join(got, "\n"))
	for _, w := range want {
		assert.True(t, slices.ContainsFunc(got, func(g string) bool {
			return strings.HasPrefix(g, strings.SplitN(w, ": ", 2)[0]+": ") && strings.Contains(g, strings.SplitN(w, ": ", 2)[1])
		}),
			"missing %q in\n%s", w, strings.Join(got, "\n"))
	}
}

// envManager resolves secret references from the environment, as the
// exporter's manager (internal/httpclient.EnvSecrets) does.
type envManager struct{}

func (envManager) Fetch(_ context.Context, name string) (string, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}
