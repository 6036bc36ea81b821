package backup

import (
	"testing"

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
