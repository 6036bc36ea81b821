package backup

import (
	"testing"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The keys 0.1.0 wrote, password_env and a lower-case or bare-letter
// size, still load for one release, each with a warning that names its
// line and what to write instead; the new spellings load without one.
func TestDeprecatedSettingsLoadWithWarnings(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load([]byte(`postgres_targets:
  main:
    dsn: postgres://monitor@127.0.0.1:5432/app
    password_env: PGPASSWORD_MONITOR
redis_targets:
  cache:
    address: 127.0.0.1:6379
    password_env: REDIS_PASSWORD
checks:
  - name: restore
    background: true
    interval: 1d
    timeout: 30m
    restore:
      glob: /backups/*.dump
      dsn: postgres://restore@127.0.0.1/postgres
      password_env: RESTORE_PW
      source_dsn: postgres://monitor@127.0.0.1/app
      source_password_env: SOURCE_PW
      tables: [{name: students}]
  - name: walg
    walg: {file: list.json, max_output: 32m}
  - name: dumps
    dump_folder: {glob: /backups/*.dump, min_size: 10 kb}
`), "/etc/golive/golive.yml")
	require.NoError(t, err)
	assert.Equal(t, config.ByteSize(32<<20), cfg.Checks[1].Spec().(*WALGCheck).MaxOutput, "m meant MiB and still does")
	assert.Equal(t, config.ByteSize(10000), cfg.Checks[2].Spec().(*DumpFolderCheck).MinSize, "kb meant 1000 and still does")
	assert.Equal(t, []string{
		"/etc/golive/golive.yml:4: postgres_targets.main.password_env: password_env is deprecated and will be removed in the next release; write password_ref: with the same variable name",
		"/etc/golive/golive.yml:8: redis_targets.cache.password_env: password_env is deprecated and will be removed in the next release; write password_ref: with the same variable name",
		"/etc/golive/golive.yml:17: checks[0].restore.password_env: password_env is deprecated and will be removed in the next release; write password_ref: with the same variable name",
		"/etc/golive/golive.yml:19: checks[0].restore.source_password_env: source_password_env is deprecated and will be removed in the next release; write source_password_ref: with the same variable name",
		`/etc/golive/golive.yml:22: checks[1].walg.max_output: size "32m" is written the old way and will be refused in the next release; write it with a unit such as 64MiB (1024-based) or 500KB (1000-based), or a number of bytes`,
		`/etc/golive/golive.yml:24: checks[2].dump_folder.min_size: size "10 kb" is written the old way and will be refused in the next release; write it with a unit such as 64MiB (1024-based) or 500KB (1000-based), or a number of bytes`,
	}, cfg.Warnings())

	cfg, err = config.Load([]byte(`checks:
  - name: walg
    walg: {file: list.json, max_output: 32MiB}
`), "/etc/golive/golive.yml")
	require.NoError(t, err)
	assert.Empty(t, cfg.Warnings())
	assert.Equal(t, config.ByteSize(32<<20), cfg.Checks[0].Spec().(*WALGCheck).MaxOutput)
}

// The deprecated password_env and source_password_env of the restore
// kind, and a postgres target's password_env, still name the variable the
// restore's passwords are read from, each with its warning.
func TestRestorePasswordEnvStillRead(t *testing.T) {
	t.Setenv("GOLIVE_TEST_RESTORE_PW", "scratch-pw")
	t.Setenv("GOLIVE_TEST_SOURCE_PW", "source-pw")
	t.Setenv("GOLIVE_TEST_TARGET_PW", "target-pw")
	cfg, err := config.Load([]byte(`postgres_targets:
  main: {dsn: "postgres://restore@127.0.0.1:5432/postgres", password_env: GOLIVE_TEST_TARGET_PW}
checks:
  - name: own
    background: true
    interval: 1d
    restore:
      glob: /backups/*.dump
      dsn: postgres://restore@127.0.0.1:5432/postgres
      password_env: GOLIVE_TEST_RESTORE_PW
      source_dsn: postgres://monitor@127.0.0.1:5432/app
      source_password_env: GOLIVE_TEST_SOURCE_PW
      tables: [{name: students}]
  - name: by_target
    background: true
    interval: 1d
    restore: {glob: /backups/*.dump, target: main}
`), "/etc/golive/golive.yml")
	require.NoError(t, err)
	assert.Equal(t, []string{
		"/etc/golive/golive.yml:2: postgres_targets.main.password_env: password_env is deprecated and will be removed in the next release; write password_ref: with the same variable name",
		"/etc/golive/golive.yml:10: checks[0].restore.password_env: password_env is deprecated and will be removed in the next release; write password_ref: with the same variable name",
		"/etc/golive/golive.yml:12: checks[0].restore.source_password_env: source_password_env is deprecated and will be removed in the next release; write source_password_ref: with the same variable name",
	}, cfg.Warnings())

	password := func(s connSpec) string {
		t.Helper()
		srv, err := resolveServer(s)
		require.NoError(t, err)
		assert.Contains(t, srv.env, "PGPASSWORD="+srv.conn.Password, "the tools get it too")
		return srv.conn.Password
	}
	env := collector.Env{Config: cfg}
	own, err := newRestore(cfg.Checks[0], env)
	require.NoError(t, err)
	assert.Equal(t, "scratch-pw", password(own.(*restoreCheck).scratch))
	assert.Equal(t, "source-pw", password(own.(*restoreCheck).source))
	byTarget, err := newRestore(cfg.Checks[1], env)
	require.NoError(t, err)
	assert.Equal(t, "target-pw", password(byTarget.(*restoreCheck).scratch))
}
