package database

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAlembicHeads(t *testing.T) {
	tests := []struct {
		dir     string
		heads   []string
		wantErr string
	}{
		{"testdata/alembic/linear", []string{"3c"}, ""},
		{"testdata/alembic/twoheads", []string{"2b", "2c"}, ""},
		{"testdata/alembic/merge", []string{"3d"}, ""},
		// A missing folder globs to nothing, as an empty one does.
		{"testdata/alembic/missing", nil, "no Alembic revision files (*.py) in testdata/alembic/missing"},
		{"testdata/migrate", nil, "no Alembic revision files (*.py) in testdata/migrate"},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			heads, err := AlembicHeads(tc.dir)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr, "heads %v", heads)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.heads, heads)
		})
	}
}

func TestParseAlembicRevision(t *testing.T) {
	tests := []struct {
		name, src string
		rev       string
		down      []string
		wantErr   bool
	}{
		{"plain", "revision = 'a'\ndown_revision = 'b'\n", "a", []string{"b"}, false},
		{"typed double quotes", "revision: str = \"a\"\ndown_revision: Union[str, None] = \"b\"\n", "a", []string{"b"}, false},
		{"first revision", "revision = 'a'\ndown_revision = None\n", "a", nil, false},
		{"merge tuple", "revision = 'm'\ndown_revision = ('b', 'c')\n", "m", []string{"b", "c"}, false},
		{"merge tuple over lines", "revision = 'm'\ndown_revision = (\n    '1f2e3d4c5b6a',  # users\n    \"6a5b4c3d2e1f\",\n)\nbranch_labels = None\n", "m",
			[]string{"1f2e3d4c5b6a", "6a5b4c3d2e1f"}, false},
		{"list over lines", "revision = 'm'\ndown_revision: Union[str, Sequence[str], None] = [\n    'b', 'c'\n]\n", "m", []string{"b", "c"}, false},
		{"comment after the id", "revision = 'a'  # the first\ndown_revision = 'b'  # parent (#2)\n", "a", []string{"b"}, false},
		{"tuple never closed", "revision = 'm'\ndown_revision = (\n    'b',\n", "", nil, true},
		{"quote in a comment", "revision = 'a'  # not 'b'\ndown_revision = None\n", "a", nil, false},
		{"indented ignored", "revision = 'a'\ndown_revision = None\ndef f():\n    revision = 'x'\n", "a", nil, false},
		{"no revision", "down_revision = None\n", "", nil, true},
		{"no down_revision", "revision = 'a'\n", "", nil, true},
		{"computed", "revision = make_id()\ndown_revision = None\n", "", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rev, err := ParseAlembicRevision(strings.NewReader(tc.src))
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.rev, rev.Revision)
			assert.Equal(t, tc.down, rev.DownRevisions)
		})
	}
}

func FuzzParseAlembicRevision(f *testing.F) {
	files, _ := filepath.Glob("testdata/alembic/*/*.py")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(string(b))
		}
	}
	f.Add("revision = ('a'\ndown_revision = ''")
	f.Fuzz(func(t *testing.T, src string) {
		rev, err := ParseAlembicRevision(strings.NewReader(src))
		if err == nil && rev.Revision == "" {
			t.Fatalf("no error but no revision from %q", src)
		}
	})
}

func TestNumberedAndFlywayHeads(t *testing.T) {
	h, err := NumberedHead("testdata/migrate")
	require.NoError(t, err)
	assert.Equal(t, "10", h)
	h, err = FlywayHead("testdata/flyway")
	require.NoError(t, err)
	assert.Equal(t, "1.10", h)
	_, err = NumberedHead("testdata/flyway")
	assert.Error(t, err)
	assert.Equal(t, 1, compareVersions("1.10", "1.9"))
	assert.Equal(t, 0, compareVersions("2", "2.0"))
}

func TestMigrations(t *testing.T) {
	linear, err := filepath.Abs("testdata/alembic/linear")
	require.NoError(t, err)
	twoheads, _ := filepath.Abs("testdata/alembic/twoheads")
	migrate, _ := filepath.Abs("testdata/migrate")
	flyway, _ := filepath.Abs("testdata/flyway")
	db := testDB(t,
		"CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)",
		"INSERT INTO alembic_version VALUES ('2b')",
		"CREATE SCHEMA app",
		"CREATE TABLE app.alembic_version (version_num varchar(32) PRIMARY KEY)",
		"INSERT INTO app.alembic_version VALUES ('3c')",
		"CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)",
		"INSERT INTO schema_migrations VALUES (10, true)",
		`CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description text, success boolean NOT NULL)`,
		"INSERT INTO flyway_schema_history VALUES (1, '1', 'init', true), (2, '1.2', 'users', true), (3, '1.10', 'courses', true), (4, '1.11', 'broken', false)",
		"CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL)",
		"INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true)",
		// goose up to 3, then down: 3 is rolled back, the database is at 2.
		"CREATE TABLE app.goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL)",
		"INSERT INTO app.goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (3, false)",
		"CREATE TABLE app.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)",
		"INSERT INTO app.schema_migrations VALUES (10, false)",
		"CREATE SCHEMA fresh",
		"CREATE TABLE fresh.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)",
		`CREATE TABLE app.flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description text, success boolean NOT NULL)`,
		"INSERT INTO app.flyway_schema_history VALUES (1, '1', 'init', true), (2, '1.2', 'users', true), (3, NULL, 'views', true), (4, '1.10', 'courses', true)",
		"CREATE TABLE app_schema (version int NOT NULL)",
		"INSERT INTO app_schema VALUES (1), (2), (7)",
	)
	tests := []struct {
		name    string
		spec    string
		ok      bool
		message string
		metric  string
	}{
		{"alembic behind the folder's head", "tool: alembic, migrations_dir: " + linear, false, "at head: observed 2b, expected 3c",
			`golive_postgres_migrations_info{applied="2b",check="m",expected="3c",tool="alembic"} 1`},
		{"alembic at head (schema-qualified table)", "tool: alembic, table: app.alembic_version, migrations_dir: " + linear, true, "",
			`golive_postgres_migrations_at_head{check="m"} 1`},
		{"alembic folder with two heads", "tool: alembic, migrations_dir: " + twoheads, false, "one head",
			`golive_postgres_migrations_heads{check="m"} 2`},
		{"golang-migrate dirty", "tool: golang-migrate, migrations_dir: " + migrate, false, "not dirty",
			`golive_postgres_migrations_dirty{check="m"} 1`},
		{"flyway failed row", "tool: flyway, migrations_dir: " + flyway, false, "no failed migrations",
			`golive_postgres_migrations_failed{check="m"} 1`},
		{"flyway expected ahead", "tool: flyway, expected_head: '1.11'", false, "at head: observed 1.10",
			`golive_postgres_migrations_at_head{check="m"} 0`},
		{"golang-migrate at head", "tool: golang-migrate, table: app.schema_migrations, migrations_dir: " + migrate, true, "",
			`golive_postgres_migrations_dirty{check="m"} 0`},
		{"golang-migrate before the first migration", "tool: golang-migrate, table: fresh.schema_migrations, migrations_dir: " + migrate, false,
			"at head: observed none, expected 10", `golive_postgres_migrations_at_head{check="m"} 0`},
		{"flyway at head", "tool: flyway, table: app.flyway_schema_history, migrations_dir: " + flyway, true, "",
			`golive_postgres_migrations_failed{check="m"} 0`},
		{"goose at head", "tool: goose, expected_head: '2'", true, "", `golive_postgres_migrations_at_head{check="m"} 1`},
		{"goose rolled back below the head", "tool: goose, table: app.goose_db_version, expected_head: '3'", false, "at head: observed 2, expected 3",
			`golive_postgres_migrations_info{applied="2",check="m",expected="3",tool="goose"} 1`},
		{"custom table behind", "tool: custom, table: app_schema, expected_head: '8'", false, "observed 7, expected 8",
			`golive_postgres_migrations_at_head{check="m"} 0`},
		{"missing table", "tool: goose, table: nope, expected_head: '1'", false, "does not exist", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := collectortest.RunConfig(t, pgConfig(testutil.DSN(db), "  - name: m\n    postgres_migrations: {target: db, "+tc.spec+"}"), 30*time.Second)
			res := out.Result(t, "m")
			assert.Equal(t, tc.ok, res.Success(), res.Message)
			assert.Contains(t, res.Message, tc.message)
			if tc.metric != "" {
				assert.True(t, out.HasLine(tc.metric), "missing %s in\n%s", tc.metric, out.Metrics)
			}
		})
	}
	out := collectortest.RunConfig(t, pgConfig(testutil.DSN(db), "  - name: m\n    postgres_migrations: {target: db, tool: goose, table: nope, expected_head: '1'}"), 30*time.Second)
	assert.Equal(t, collector.ReasonNotFound, out.Result(t, "m").Reason)
}
