package database

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/jackc/pgx/v5/pgtype"
)

var (
	sqlValueDesc = collector.NewDesc("golive_sql_value",
		"The number a one-value sql check's query returned.")
	sqlRowValueDesc = collector.NewDesc("golive_sql_row_value",
		"The number of each (key, number) row a sql check's query returned; keys come from expected_keys (others summed as \"other\") or are capped at max_rows.", "key")
	sqlRowsDesc = collector.NewDesc("golive_sql_rows",
		"How many rows the sql check's query returned.")
	sqlDurationDesc = collector.NewDesc("golive_sql_query_duration_seconds",
		"How long the sql check's query took (the transaction round trip included).")
	sqlReferenceDesc = collector.NewDesc("golive_sql_reference_value",
		"The value of the check named by equals_check, read in the same run.")
)

type sqlCheck struct {
	name    string
	cfg     *SQLCheck
	timeout time.Duration
	ref     *SQLCheck // the settings of the equals_check check
	refName string
	env     collector.Env
}

func newSQL(c *config.Check, env collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*SQLCheck)
	s := &sqlCheck{name: c.Name, cfg: cfg, timeout: time.Duration(c.Timeout), env: env}
	if cfg.EqualsCheck != "" {
		var ok bool
		if ref := env.Config.CheckByName(cfg.EqualsCheck); ref != nil {
			s.ref, ok = ref.Spec().(*SQLCheck)
			s.refName = ref.Name
		}
		if !ok {
			return nil, fmt.Errorf("equals_check %q is not an sql check", cfg.EqualsCheck)
		}
	}
	return s, nil
}

// row is one (key, number) a query returned; key is "" for a one-value
// query.
type row struct {
	key   string
	value float64
}

// Run runs the query (and the reference check's, in the same snapshot when
// both use one target) and judges the values.
func (s *sqlCheck) Run(ctx context.Context, r *collector.Report) error {
	pool, err := PoolFor(s.env, s.cfg.Target)
	if err != nil {
		return err
	}
	var (
		rows     []row
		single   bool
		refValue *float64
	)
	start := time.Now()
	err = pool.RunSQL(ctx, time.Duration(s.cfg.StatementTimeout), time.Duration(s.cfg.LockTimeout), func(tx Querier) error {
		var err error
		rows, single, err = s.query(ctx, tx, s.cfg)
		if err != nil {
			return err
		}
		if s.ref != nil && s.ref.Target == s.cfg.Target {
			v, err := s.refQuery(ctx, tx)
			refValue = v
			return err
		}
		return nil
	})
	elapsed := time.Since(start)
	if err != nil {
		return s.failed(pool, err, "running the query of "+s.name)
	}
	r.Gauge(sqlDurationDesc, elapsed.Seconds())
	if s.ref != nil && refValue == nil {
		refPool, err := PoolFor(s.env, s.ref.Target)
		if err != nil {
			return err
		}
		err = refPool.RunSQL(ctx, time.Duration(s.ref.StatementTimeout), time.Duration(s.ref.LockTimeout), func(tx Querier) error {
			v, err := s.refQuery(ctx, tx)
			refValue = v
			return err
		})
		if err != nil {
			return s.failed(refPool, err, "running the query of "+s.refName+" (equals_check)")
		}
	}
	r.Gauge(sqlRowsDesc, float64(len(rows)))
	if single {
		r.Gauge(sqlValueDesc, rows[0].value)
	} else {
		rows = s.boundKeys(rows, r)
		for _, rw := range rows {
			r.Gauge(sqlRowValueDesc, rw.value, rw.key)
		}
	}
	if refValue != nil {
		r.Gauge(sqlReferenceDesc, *refValue)
	}
	s.judge(r, rows, single, refValue)
	return nil
}

// failed classifies a run's error; a refusal to run as a privileged role
// is also logged, once per pool, as the error it is in the setup.
func (s *sqlCheck) failed(pool *Pool, err error, what string) error {
	var pre *PrivilegedRoleError
	if errors.As(err, &pre) {
		if pool.RefusalFirstLogged() {
			s.env.Logger.Error("refusing to run sql checks as a privileged role", "target", pool.Target, "role", pre.Role, "err", pre.Error())
		}
		return err
	}
	known := []string{s.cfg.Query}
	if s.ref != nil {
		known = append(known, s.ref.Query)
	}
	return pool.classify(err, what, known...)
}

func (s *sqlCheck) refQuery(ctx context.Context, tx Querier) (*float64, error) {
	rows, single, err := s.query(ctx, tx, s.ref)
	if err != nil {
		return nil, fmt.Errorf("equals_check %s: %w", s.refName, err)
	}
	if !single {
		return nil, collector.Failf(collector.ReasonConfig, "equals_check %s returns rows of (key, number); it must return one number", s.refName)
	}
	return &rows[0].value, nil
}

// query runs one check's query and reads one number, or up to max_rows
// (key, number) rows.
func (s *sqlCheck) query(ctx context.Context, tx Querier, cfg *SQLCheck) ([]row, bool, error) {
	res, err := tx.Query(ctx, cfg.Query)
	if err != nil {
		return nil, false, err
	}
	defer res.Close()
	fields := res.FieldDescriptions()
	switch len(fields) {
	case 1, 2:
	default:
		res.Close()
		if err := res.Err(); err != nil {
			return nil, false, err
		}
		return nil, false, collector.Failf(collector.ReasonConfig, "the query returns %d columns; return one number, or (key, number) rows", len(fields))
	}
	single := len(fields) == 1
	var out []row
	for res.Next() {
		if len(out) >= cfg.MaxRows || (single && len(out) == 1) {
			res.Close()
			if single {
				return nil, false, collector.Failf(collector.ReasonInvalidResponse, "the query returned more than one row; a one-column query must return exactly one number")
			}
			return nil, false, collector.Failf(collector.ReasonInvalidResponse, "the query returned more than max_rows=%d rows; aggregate it (GROUP BY) or raise max_rows", cfg.MaxRows)
		}
		vals, err := res.Values()
		if err != nil {
			return nil, false, err
		}
		var rw row
		numIdx := 0
		if !single {
			numIdx = 1
			if vals[0] == nil {
				rw.key = "null"
			} else {
				rw.key = truncateLabel(fmt.Sprint(vals[0]))
			}
		}
		v, err := toFloat(vals[numIdx])
		if err != nil {
			return nil, false, collector.Failf(collector.ReasonInvalidResponse, "column %q: %v", fields[numIdx].Name, err)
		}
		rw.value = v
		out = append(out, rw)
	}
	if err := res.Err(); err != nil {
		return nil, false, err
	}
	if single && len(out) == 0 {
		return nil, false, collector.Failf(collector.ReasonInvalidResponse, "the query returned no row; a one-column query must return exactly one number (use count(*) or coalesce)")
	}
	return out, single, nil
}

// boundKeys keeps the expected keys (adding missing ones as absent) and sums
// every other key under "other", so labels come from the config.
func (s *sqlCheck) boundKeys(rows []row, r *collector.Report) []row {
	if len(s.cfg.ExpectedKeys) == 0 {
		return rows
	}
	byKey := map[string]float64{}
	seen := map[string]bool{}
	var other float64
	hasOther := false
	expected := map[string]bool{}
	for _, k := range s.cfg.ExpectedKeys {
		expected[k] = true
	}
	for _, rw := range rows {
		if expected[rw.key] {
			byKey[rw.key] += rw.value
			seen[rw.key] = true
		} else {
			other += rw.value
			hasOther = true
		}
	}
	var out []row
	for _, k := range s.cfg.ExpectedKeys {
		r.Assert("key "+k+" present", seen[k], presence(seen[k]), "a row for "+k)
		if seen[k] {
			out = append(out, row{key: k, value: byKey[k]})
		}
	}
	if hasOther {
		out = append(out, row{key: "other", value: other})
	}
	return out
}

func presence(b bool) string {
	if b {
		return "present"
	}
	return "missing"
}

func (s *sqlCheck) judge(r *collector.Report, rows []row, single bool, ref *float64) {
	c := s.cfg
	for _, rw := range rows {
		what := "value"
		if !single {
			what = "value of " + rw.key
		}
		obs := formatNumber(rw.value)
		if c.Equals != nil {
			r.Assert(what+" equals", rw.value == *c.Equals, obs, "= "+formatNumber(*c.Equals))
		}
		if c.Min != nil {
			r.Assert(what+" min", rw.value >= *c.Min, obs, ">= "+formatNumber(*c.Min))
		}
		if c.Max != nil {
			r.Assert(what+" max", rw.value <= *c.Max, obs, "<= "+formatNumber(*c.Max))
		}
		if len(c.Between) == 2 {
			r.Assert(what+" between", rw.value >= c.Between[0] && rw.value <= c.Between[1], obs, fmt.Sprintf("between %s and %s", formatNumber(c.Between[0]), formatNumber(c.Between[1])))
		}
		if ref != nil {
			r.Assert(what+" equals "+s.refName, rw.value == *ref, obs, "= "+formatNumber(*ref)+" ("+s.refName+")")
		}
	}
}

func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// toFloat converts a column value PostgreSQL returned to a number.
func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case nil:
		return 0, fmt.Errorf("the query returned NULL; wrap it in coalesce(..., 0)")
	case int64:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int16:
		return float64(x), nil
	case int8:
		return float64(x), nil
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case pgtype.Numeric:
		// Float64Value parses the decimal (the float nearest 0.3, not
		// 3 * 0.1) and knows NaN and ±Infinity; a finite value beyond
		// the float64 range is ±Inf.
		f, err := x.Float64Value()
		if errors.Is(err, strconv.ErrRange) {
			return math.Inf(x.Int.Sign()), nil
		}
		if err != nil {
			return 0, fmt.Errorf("numeric value: %w", err)
		}
		if !f.Valid {
			return 0, fmt.Errorf("the query returned NULL; wrap it in coalesce(..., 0)")
		}
		return f.Float64, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, fmt.Errorf("value %q is not a number", truncateLabel(x))
		}
		return f, nil
	case time.Duration:
		return x.Seconds(), nil
	case pgtype.Interval:
		return float64(x.Microseconds)/1e6 + float64(x.Days)*86400 + float64(x.Months)*30*86400, nil
	case time.Time:
		return float64(x.UnixNano()) / 1e9, nil
	default:
		return 0, fmt.Errorf("a %T is not a number; cast it (::numeric, extract(epoch from ...))", v)
	}
}
