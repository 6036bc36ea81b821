package database

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSQLChecks(t *testing.T) {
	db := testDB(t,
		"CREATE TABLE users (id int PRIMARY KEY, role text)",
		"INSERT INTO users SELECT g, CASE WHEN g <= 3 THEN 'admin' WHEN g <= 10 THEN 'teacher' ELSE 'student' END FROM generate_series(1, 100) g",
		"CREATE TABLE legacy (n int)",
		"INSERT INTO legacy VALUES (100)",
	)
	tests := []struct {
		name    string
		spec    string
		ok      bool
		reason  collector.Reason
		message string
		metric  string
	}{
		{"equals pass", `query: "SELECT count(*) FROM users", equals: 100`, true, "", "", `golive_sql_value{check="q"} 100`},
		{"equals fail", `query: "SELECT count(*) FROM users", equals: 99`, false, collector.ReasonConditionFailed, "observed 100, expected = 99", ""},
		{"min fail", `query: "SELECT count(*) FROM users WHERE role = 'admin'", min: 5`, false, collector.ReasonConditionFailed, "observed 3, expected >= 5", ""},
		{"max pass", `query: "SELECT 0.25::numeric", max: 0.5`, true, "", "", `golive_sql_value{check="q"} 0.25`},
		{"numeric equals its decimal", `query: "SELECT 0.3::numeric", equals: 0.3`, true, "", "", `golive_sql_value{check="q"} 0.3`},
		{"numeric infinity", `query: "SELECT 'Infinity'::numeric", max: 10`, false, collector.ReasonConditionFailed, "observed +Inf, expected <= 10", `golive_sql_value{check="q"} +Inf`},
		{"between fail", `query: "SELECT 42", between: [0, 10]`, false, collector.ReasonConditionFailed, "between 0 and 10", ""},
		{"rows with expected keys", `query: "SELECT role, count(*) FROM users GROUP BY role", expected_keys: [admin, teacher], min: 1`, true, "",
			"", `golive_sql_row_value{check="q",key="other"} 90`},
		{"missing expected key", `query: "SELECT role, count(*) FROM users WHERE role <> 'admin' GROUP BY role", expected_keys: [admin, teacher]`, false,
			collector.ReasonConditionFailed, "key admin present", ""},
		{"rows capped", `query: "SELECT id::text, id FROM users", max_rows: 20`, false, collector.ReasonInvalidResponse, "more than max_rows=20", ""},
		{"rows within cap", `query: "SELECT role, count(*) FROM users GROUP BY role", max: 90`, true, "", "", `golive_sql_row_value{check="q",key="student"} 90`},
		{"null", `query: "SELECT max(id) FROM users WHERE id < 0"`, false, collector.ReasonInvalidResponse, "coalesce", ""},
		{"no row", `query: "SELECT id FROM users WHERE id < 0"`, false, collector.ReasonInvalidResponse, "no row", ""},
		{"two rows one column", `query: "SELECT id FROM users LIMIT 2"`, false, collector.ReasonInvalidResponse, "more than one row", ""},
		{"three columns", `query: "SELECT 1, 2, 3"`, false, collector.ReasonConfig, "3 columns", ""},
		{"not a number", `query: "SELECT 'abc'"`, false, collector.ReasonInvalidResponse, "not a number", ""},
		{"equals_check pass", `query: "SELECT count(*) FROM users", equals_check: ref`, true, "", "", `golive_sql_reference_value{check="q"} 100`},
		{"equals_check fail", `query: "SELECT count(*) - 1 FROM users", equals_check: ref`, false, collector.ReasonConditionFailed, "expected = 100 (ref)", ""},
		{"missing table", `query: "SELECT count(*) FROM nope"`, false, collector.ReasonNotFound, "does not exist", ""},
		{"syntax error", `query: "SELEC 1"`, false, collector.ReasonConfig, "syntax error", ""},
	}
	dsn := testutil.MonitorRole(t, db)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			yml := pgConfig(dsn, `  - name: ref
    sql: {target: db, query: "SELECT n FROM legacy"}
  - name: q
    sql: {target: db, `+tc.spec+"}\n")
			out := collectortest.RunConfig(t, yml, 30*time.Second)
			res := out.Result(t, "q")
			assert.Equal(t, tc.ok, res.Success(), res.Message)
			if !tc.ok {
				assert.Equal(t, tc.reason, res.Reason, res.Message)
			}
			assert.Contains(t, res.Message, tc.message)
			if tc.metric != "" {
				assert.True(t, out.HasLine(tc.metric), "missing %s in\n%s", tc.metric, out.Metrics)
			}
		})
	}
}

// No configuration can change data: writes of every form fail with a clear
// reason, and the table is unchanged afterwards. The read-only transaction
// holds even for a superuser (allowed explicitly here), whose privileges
// would otherwise let it write anything.
func TestSQLReadOnly(t *testing.T) {
	db := testDB(t,
		"CREATE TABLE students (id int PRIMARY KEY)",
		"INSERT INTO students SELECT generate_series(1, 10)",
		"CREATE SEQUENCE s",
	)
	queries := map[string]string{
		"delete":           "DELETE FROM students",
		"delete_returning": "DELETE FROM students RETURNING id",
		"cte_delete":       "WITH d AS (DELETE FROM students RETURNING 1) SELECT count(*) FROM d",
		"update":           "UPDATE students SET id = id + 100",
		"drop":             "DROP TABLE students",
		"nextval":          "SELECT nextval('s')",
		"read_write":       "SET TRANSACTION READ WRITE",
		"two_statements":   "COMMIT; DELETE FROM students",
	}
	yml := fmt.Sprintf("postgres_targets:\n  db: {dsn: %q, allow_privileged_role: true}\nchecks:\n", testutil.DSN(db))
	for name, q := range queries {
		yml += "  - name: " + name + "\n    sql: {target: db, query: \"" + q + "\"}\n"
	}
	out := collectortest.RunConfig(t, yml, 30*time.Second)
	for name := range queries {
		res := out.Result(t, name)
		assert.False(t, res.Success(), name)
		assert.NotEqual(t, collector.ReasonNone, res.Reason, name)
		t.Logf("%s: %s: %s", name, res.Reason, res.Message)
	}
	assert.Contains(t, out.Result(t, "delete").Message, "read-only transaction")
	assert.Contains(t, out.Result(t, "delete").Message, "sql checks may only read")
	assert.Equal(t, collector.ReasonConfig, out.Result(t, "delete").Reason)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testutil.DSN(db))
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM students WHERE id <= 10").Scan(&n))
	assert.Equal(t, 10, n, "rows must be unchanged")
	var last int64
	require.NoError(t, conn.QueryRow(ctx, "SELECT coalesce(last_value, 0) FROM pg_sequences WHERE sequencename = 's'").Scan(&last))
	assert.Zero(t, last, "the sequence must not have advanced")
}

// A lock held by someone else is waited for only lock_timeout.
func TestSQLLockTimeout(t *testing.T) {
	db := testDB(t, "CREATE TABLE t (id int)")
	dsn := testutil.MonitorRole(t, db)
	holdTransaction(t, db, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
	out := collectortest.RunConfig(t, pgConfig(dsn, `  - name: q
    timeout: 10s
    sql: {target: db, query: "SELECT count(*) FROM t", lock_timeout: 200ms}
`), 30*time.Second)
	res := out.Result(t, "q")
	assert.Equal(t, collector.ReasonTimeout, res.Reason, res.Message)
	assert.Contains(t, res.Message, "lock_timeout")
}

func TestToFloat(t *testing.T) {
	tests := []struct {
		in   any
		want float64
		err  bool
	}{
		{int64(3), 3, false},
		{int32(-2), -2, false},
		{float32(0.5), 0.5, false},
		{true, 1, false},
		{"2.5", 2.5, false},
		{pgtype.Numeric{Int: big.NewInt(1234), Exp: -2, Valid: true}, 12.34, false},
		{pgtype.Numeric{}, 0, true},
		{pgtype.Interval{Microseconds: 1_500_000, Days: 1, Valid: true}, 86401.5, false},
		{nil, 0, true},
		{"x", 0, true},
		{[]int{1}, 0, true},
	}
	for _, tc := range tests {
		got, err := toFloat(tc.in)
		if tc.err {
			assert.Error(t, err, "%v", tc.in)
			continue
		}
		require.NoError(t, err)
		assert.InDelta(t, tc.want, got, 1e-9)
	}
}

// A numeric converts to the float64 nearest its decimal value, exactly (0.3
// is 3e-1 read as 0.3, as equals: 0.3 in a configuration reads, not 3 * 0.1),
// and ±Infinity (PostgreSQL 14 and later) to ±Inf.
func TestToFloatNumericExact(t *testing.T) {
	for _, tc := range []struct {
		in   pgtype.Numeric
		want float64
	}{
		{pgtype.Numeric{Int: big.NewInt(3), Exp: -1, Valid: true}, 0.3},
		{pgtype.Numeric{Int: big.NewInt(-7), Exp: -2, Valid: true}, -0.07},
		{pgtype.Numeric{Int: big.NewInt(123456789), Exp: -4, Valid: true}, 12345.6789},
		{pgtype.Numeric{Int: big.NewInt(15), Exp: 3, Valid: true}, 15000},
		{pgtype.Numeric{InfinityModifier: pgtype.Infinity, Valid: true}, math.Inf(1)},
		{pgtype.Numeric{InfinityModifier: pgtype.NegativeInfinity, Valid: true}, math.Inf(-1)},
		{pgtype.Numeric{Int: big.NewInt(1), Exp: 400, Valid: true}, math.Inf(1)},
		{pgtype.Numeric{Int: big.NewInt(-1), Exp: 400, Valid: true}, math.Inf(-1)},
	} {
		got, err := toFloat(tc.in)
		require.NoError(t, err, "%+v", tc.in)
		assert.Equal(t, tc.want, got, "%+v", tc.in)
	}
}
