package database

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/cache"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const exampleDir = "../../deploy/examples/student-management"

// exampleRedis starts a redis-server with the example's redis.conf on a
// free loopback port, stopped when the test ends.
func exampleRedis(t *testing.T) (addr string, stop func()) {
	t.Helper()
	conf, err := filepath.Abs(filepath.Join(exampleDir, "redis.conf"))
	require.NoError(t, err)
	dir := t.TempDir()
	return testutil.StartRedis(t, nil, func(port int) []string {
		return []string{conf, "--port", fmt.Sprint(port), "--dir", dir}
	})
}

// The example configuration passes against the example schema with a GO
// verdict, as `golive_exporter check` judges it (checklist.New, RunAll,
// Evaluate), and breaking any one item fails exactly the check that proves
// it, with a reason that names what broke, and turns the verdict to NO-GO
// with exactly that check's items as the new blockers.
func TestExampleGoLive(t *testing.T) {
	needServer(t)
	schema, err := os.ReadFile(filepath.Join(exampleDir, "schema.sql"))
	require.NoError(t, err)
	seed, err := os.ReadFile(filepath.Join(exampleDir, "seed.sql"))
	require.NoError(t, err)
	db := testDB(t, string(schema), string(seed))
	addr, stopRedis := exampleRedis(t)

	// Warm the cache as the application would, and read it back.
	ctx := context.Background()
	rc := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
	defer rc.Close()
	for d, dept := range []string{"CS", "ELEC", "MECH", "ACC", "TOUR"} {
		for g := 1; g <= 10; g++ {
			key := fmt.Sprintf("sms:course:%s-%d", dept, 100+g)
			require.NoError(t, rc.Set(ctx, key, d, 0).Err())
			require.NoError(t, rc.Get(ctx, key).Err())
		}
	}

	raw, err := os.ReadFile(filepath.Join(exampleDir, "golive.yml"))
	require.NoError(t, err)
	// The example's least-privilege role, one of the test's own with
	// what setup.sh gives golive_monitor: pg_monitor and grants.sql.
	const exampleDSN = "postgres://golive_monitor@127.0.0.1:5432/student_management?sslmode=disable"
	require.Contains(t, string(raw), exampleDSN)
	grants, err := os.ReadFile(filepath.Join(exampleDir, "grants.sql"))
	require.NoError(t, err)
	monitorDSN := testutil.GrantedRole(t, db, "IN ROLE pg_monitor", string(grants), "golive_monitor")
	yml := strings.ReplaceAll(string(raw), exampleDSN, monitorDSN)
	yml = strings.ReplaceAll(yml, "127.0.0.1:6390", addr)
	require.NotEqual(t, string(raw), yml)
	cfgPath, err := filepath.Abs(filepath.Join(exampleDir, "golive.yml"))
	require.NoError(t, err)

	// verdict is what the check command prints: the status of the
	// checklist evaluated from the results.
	var verdict *checklist.Status
	runExample := func(t *testing.T, yml string) []collector.Result {
		t.Helper()
		cfg, err := config.Load([]byte(yml), cfgPath)
		require.NoError(t, err)
		databaseOnly(cfg)
		model, err := checklist.New(cfg)
		require.NoError(t, err)
		s := collector.New(cfg, slog.New(slog.DiscardHandler))
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		results := s.RunAll(ctx, nil)
		verdict = model.Evaluate(results, judgedAt(model))
		return results
	}
	// itemsOf maps each check of the example to the items it proves.
	itemsOf := map[string][]string{}
	failed := func(results []collector.Result) []string {
		var out []string
		for _, r := range results {
			if !r.Success() {
				out = append(out, r.Check)
			}
		}
		sort.Strings(out)
		return out
	}

	results := runExample(t, yml)
	for _, r := range results {
		assert.True(t, r.Success(), "%s: %s %s", r.Check, r.Reason, r.Message)
		itemsOf[r.Check] = r.Items
	}
	require.Equal(t, checklist.VerdictGo, verdict.Verdict, "blockers: %v", verdict.Blockers)
	require.True(t, verdict.Ready)
	require.Empty(t, verdict.Blockers)
	// newBlockers are the blocker items of one broken run's verdict, which
	// must be exactly the items of the checks that failed.
	wantBlockers := func(checks []string) []string {
		var out []string
		for _, c := range checks {
			out = append(out, itemsOf[c]...)
		}
		sort.Strings(out)
		return out
	}
	gotBlockers := func() []string {
		out := append([]string(nil), verdict.Blockers...)
		sort.Strings(out)
		return out
	}
	// Every data item of the checklist has its query.
	items := map[string]bool{}
	for _, r := range results {
		for _, it := range r.Items {
			items[it] = true
		}
	}
	tsv, err := os.ReadFile(testutil.ChecklistTSV(t))
	require.NoError(t, err)
	for _, line := range strings.Split(string(tsv), "\n") {
		f := strings.Split(line, "\t")
		if len(f) > 5 && f[5] == "data" {
			assert.True(t, items[f[0]], "data item %s has no check in the example", f[0])
		}
	}

	breaks := []struct {
		name   string
		breakS string
		fixS   string
		yml    func(string) string
		want   []string
		// reason is what the failed check's message must say.
		reason string
	}{
		{"drop a role assignment",
			"DELETE FROM user_roles WHERE user_id = (SELECT id FROM users WHERE email = 'student5@school.edu')",
			"INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r WHERE u.email = 'student5@school.edu' AND r.name = 'student'",
			nil, []string{"data_role_assignments"}, "value of without_role equals: observed 1, expected = 0"},
		{"student imported twice (e-mail case-folded)",
			"UPDATE students SET email = 'Student21@School.edu' WHERE student_id = 'STU-0202'",
			"UPDATE students SET email = 'student202@school.edu' WHERE student_id = 'STU-0202'",
			nil, []string{"data_duplicates_orphans"}, "value of duplicate_students equals: observed 1, expected = 0"},
		{"student imported twice (same name and father's name)",
			"UPDATE students SET first_name = 'Maria', last_name = 'Ioannou', father_name = 'Yiannis' WHERE student_id = 'STU-0202'",
			"UPDATE students SET first_name = 'Christos', last_name = 'Charalambous', father_name = 'Andreas' WHERE student_id = 'STU-0202'",
			nil, []string{"data_duplicates_orphans"}, "value of duplicate_students equals: observed 1, expected = 0"},
		{"enrolment of a deleted student",
			"UPDATE students SET deleted_at = now() - interval '1 day' WHERE student_id = 'STU-0042'",
			"UPDATE students SET deleted_at = NULL WHERE student_id = 'STU-0042'",
			nil, []string{"data_duplicates_orphans", "data_students_imported"}, "observed"},
		{"legacy count differs",
			"UPDATE golive.legacy_export_counts SET count = 206 WHERE entity = 'students'",
			"UPDATE golive.legacy_export_counts SET count = 205 WHERE entity = 'students'",
			nil, []string{"data_record_counts"}, "equals legacy_student_count: observed 205, expected = 206"},
		{"holidays missing",
			"CREATE TABLE golive.calendar_saved AS SELECT * FROM golive.school_calendar; DELETE FROM golive.school_calendar",
			"INSERT INTO golive.school_calendar SELECT * FROM golive.calendar_saved; DROP TABLE golive.calendar_saved",
			nil, []string{"data_holidays"}, "min: observed 0, expected >= 3"},
		{"course without evaluation rules",
			"UPDATE courses SET evaluation_rules = NULL WHERE course_code = 'TOUR-109'",
			`UPDATE courses SET evaluation_rules = '[{"category": "Midterm", "weight": 30}, {"category": "Final Exam", "weight": 50}, {"category": "Homework", "weight": 20}]' WHERE course_code = 'TOUR-109'`,
			nil, []string{"data_grade_scales"}, "min: observed 49, expected >= 50"},
		{"demo account left",
			`INSERT INTO users (email, hashed_password, full_name, role, is_active, password_change_required)
			   VALUES ('demo.teacher@example.com', '$2b$12$' || substr(md5('d') || md5('e'), 1, 53), 'Demo Teacher', 'teacher', false, true);
			 INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r WHERE u.email = 'demo.teacher@example.com' AND r.name = 'teacher'`,
			`DELETE FROM users WHERE email = 'demo.teacher@example.com'`,
			nil, []string{"data_test_rows_removed"}, "equals: observed 1, expected = 0"},
		{"plaintext password",
			"UPDATE users SET hashed_password = 'changeme' WHERE email = 'teacher3@school.edu'",
			"UPDATE users SET hashed_password = '$2b$12$' || substr(md5('t3') || md5('salt3'), 1, 53) WHERE email = 'teacher3@school.edu'",
			nil, []string{"data_password_hashes"}, "equals: observed 1, expected = 0"},
		{"grade outside its course's evaluation rules",
			"UPDATE grades SET category = 'Bonus' WHERE id = 17",
			"UPDATE grades SET category = 'Homework' WHERE id = 17",
			nil, []string{"sample_grade_accuracy"}, "equals: observed 1, expected = 0"},
		{"database behind the migration head",
			"UPDATE alembic_version SET version_num = '00c146dcf611'",
			"UPDATE alembic_version SET version_num = '64887d60dbfb'",
			nil, []string{"db_migrations"}, "at head: observed 00c146dcf611, expected 64887d60dbfb"},
		{"migration head moved", "", "", func(y string) string {
			dir := t.TempDir()
			files, _ := filepath.Glob(filepath.Join(exampleDir, "migrations/versions/*.py"))
			for _, f := range files {
				b, _ := os.ReadFile(f)
				require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644))
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, "c1a2b3c4d5e6_add_academic_year_to_students.py"),
				[]byte("revision: str = \"c1a2b3c4d5e6\"\ndown_revision: Union[str, None] = \"64887d60dbfb\"\n"), 0o644))
			return strings.Replace(y, "migrations_dir: migrations/versions", "migrations_dir: "+dir, 1)
		}, []string{"db_migrations"}, "at head: observed 64887d60dbfb, expected c1a2b3c4d5e6"},
		{"redis stopped (address of a closed port)", "", "", func(y string) string {
			return strings.ReplaceAll(y, addr, testutil.FreeAddr(t))
		}, []string{"cache_config", "cache_hit_ratio", "cache_warmed"}, "connection refused"},
	}
	for _, b := range breaks {
		t.Run(b.name, func(t *testing.T) {
			if b.breakS != "" {
				execIn(t, db, b.breakS)
			}
			y := yml
			if b.yml != nil {
				y = b.yml(yml)
			}
			res := runExample(t, y)
			assert.Equal(t, b.want, failed(res))
			for _, r := range res {
				if !r.Success() {
					assert.Contains(t, r.Message, b.reason, r.Check)
					t.Logf("%s: %s: %s", r.Check, r.Reason, r.Message)
				}
			}
			assert.Equal(t, checklist.VerdictNoGo, verdict.Verdict)
			assert.Equal(t, wantBlockers(b.want), gotBlockers(), "the blockers are the broken check's items")
			if b.fixS != "" {
				execIn(t, db, b.fixS)
			}
			// Fixed, the example is GO again: the next break starts clean.
			runExample(t, yml)
			require.Equal(t, checklist.VerdictGo, verdict.Verdict, "blockers after fixing %q: %v", b.name, verdict.Blockers)
		})
	}

	t.Run("cache flushed", func(t *testing.T) {
		require.NoError(t, rc.FlushDB(ctx).Err())
		res := runExample(t, yml)
		assert.Equal(t, []string{"cache_warmed"}, failed(res))
		for _, r := range res {
			if !r.Success() {
				assert.Contains(t, r.Message, "keys matching sms:course:*: observed 0, expected >= 40")
			}
		}
		assert.Equal(t, wantBlockers([]string{"cache_warmed"}), gotBlockers())
	})
	t.Run("redis stopped", func(t *testing.T) {
		stopRedis()
		res := runExample(t, yml)
		assert.Equal(t, []string{"cache_config", "cache_hit_ratio", "cache_warmed"}, failed(res))
		for _, r := range res {
			if strings.HasPrefix(r.Check, "cache_") {
				assert.Equal(t, collector.ReasonConnRefused, r.Reason, r.Message)
			}
		}
		assert.Equal(t, checklist.VerdictNoGo, verdict.Verdict)
	})
}

// judgedAt is when the example is judged: now, or once every phase's window
// has begun when the configuration sets a go-live time, so that every
// blocker is due (as `check --at` would).
func judgedAt(m *checklist.Model) time.Time {
	at := time.Now()
	for _, it := range m.Checklist.Items {
		if start, _, ok := m.Window(it); ok && start.After(at) {
			at = start
		}
	}
	return at
}

// databaseOnly keeps the example's PostgreSQL and Redis checks, and makes
// exactly their items the blockers: the rest of the example (backups,
// reports, the API, the monitoring stack) runs against its fake servers in
// cmd/golive_exporter's TestCheckExampleConfiguration.
func databaseOnly(cfg *config.Config) {
	var kept []*config.Check
	var items []string
	for _, c := range cfg.Checks {
		switch c.Spec().(type) {
		case *PostgresCheck, *PostgresMigrationsCheck, *PostgresIndexesCheck, *SQLCheck, *cache.RedisCheck:
			kept = append(kept, c)
			items = append(items, c.Items...)
		}
	}
	cfg.Checks = kept
	cfg.Checklist.Blockers = config.Blockers{Kinds: []string{}, Phases: []string{}, Items: items}
}

// The example's monitoring role reads what the checks need and nothing
// more: no password hash, no refresh token, no health record or phone
// number, no IP address of the audit log; the password check reads a
// view of the hashes' format. And it stays refused when it becomes
// privileged: granted pg_read_server_files, every sql check of the example
// refuses to run (reason config) instead of running with that power.
func TestExampleMonitorRoleLeastPrivilege(t *testing.T) {
	needServer(t)
	var setup []string
	for _, f := range []string{"schema.sql", "seed.sql"} {
		b, err := os.ReadFile(filepath.Join(exampleDir, f))
		require.NoError(t, err)
		setup = append(setup, string(b))
	}
	db := testDB(t, setup...)
	grants, err := os.ReadFile(filepath.Join(exampleDir, "grants.sql"))
	require.NoError(t, err)
	dsn := testutil.GrantedRole(t, db, "IN ROLE pg_monitor", string(grants), "golive_monitor")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, q := range []string{
		"SELECT hashed_password FROM users LIMIT 1",
		"SELECT token_hash FROM refresh_tokens LIMIT 1",
		"SELECT jti FROM refresh_tokens LIMIT 1",
		"SELECT * FROM users LIMIT 1",
		"SELECT health_issue FROM students LIMIT 1",
		"SELECT mobile_phone FROM students LIMIT 1",
		"SELECT ip_address FROM audit_logs LIMIT 1",
		"SELECT details FROM audit_logs LIMIT 1",
		"SELECT notes FROM grades LIMIT 1",
		"SELECT user_email FROM golive.survey_responses LIMIT 1",
		"SELECT * FROM permissions LIMIT 1",
	} {
		var v any
		err := conn.QueryRow(ctx, q).Scan(&v)
		require.Error(t, err, q)
		assert.Contains(t, err.Error(), "permission denied", q)
	}
	var n int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM golive.user_password_check WHERE hash_ok").Scan(&n))
	assert.Equal(t, 223, n, "the password check's view answers")

	raw, err := os.ReadFile(filepath.Join(exampleDir, "golive.yml"))
	require.NoError(t, err)
	yml := strings.ReplaceAll(string(raw), "postgres://golive_monitor@127.0.0.1:5432/student_management?sslmode=disable", dsn)
	cfgPath, err := filepath.Abs(filepath.Join(exampleDir, "golive.yml"))
	require.NoError(t, err)
	run := func() []collector.Result {
		cfg, err := config.Load([]byte(yml), cfgPath)
		require.NoError(t, err)
		var kept []*config.Check
		for _, c := range cfg.Checks {
			if _, ok := c.Spec().(*SQLCheck); ok {
				kept = append(kept, c)
			}
		}
		require.NotEmpty(t, kept)
		cfg.Checks = kept
		s := collector.New(cfg, slog.New(slog.DiscardHandler))
		defer s.Close()
		return s.RunAll(ctx, nil)
	}
	for _, r := range run() {
		assert.True(t, r.Success(), "%s as the example's role: %s %s", r.Check, r.Reason, r.Message)
	}
	role := strings.TrimPrefix(strings.Split(dsn, "@")[0], "postgres://")
	execIn(t, db, "GRANT pg_read_server_files TO "+role)
	for _, r := range run() {
		assert.Equal(t, collector.ReasonConfig, r.Reason, "%s: %s", r.Check, r.Message)
		assert.Contains(t, r.Message, "refusing to run the query as role", r.Check)
		assert.Contains(t, r.Message, "pg_read_server_files", r.Check)
	}
}
