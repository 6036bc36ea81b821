package checklist

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkTable returns the lines of the text output's check table.
func checkTable(t *testing.T, st *Status, color bool) []string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, st.WriteText(&b, TextOptions{Color: color}))
	_, table, ok := strings.Cut(b.String(), "\nChecks:\n")
	if !ok {
		return nil
	}
	table, _, _ = strings.Cut(table, "\n\n")
	return strings.Split(table, "\n")
}

// The text output lists every check that ran (check, kind, items, result,
// reason, duration), also one bound to no item, which the checklist above
// cannot show; under --phase only the shown items' checks.
func TestTextCheckTable(t *testing.T) {
	m := smallModel(t, "")
	backup := res("backup", collector.StatusPass, "P1.1.01")
	backup.Kind, backup.DurationSec = "pgbackrest", 0.25
	restore := res("restore", collector.StatusFail, "P1.1.02", "P3.1.01")
	restore.Kind, restore.DurationSec = "restore", 12.5
	spare := res("spare_port", collector.StatusFail)
	spare.Reason, spare.DurationSec = collector.ReasonTimeout, 5
	slow := collector.Result{Check: "slow_restore", Kind: "restore", Items: []string{"P3.1.01"}, Status: collector.StatusUnknown, Reason: collector.ReasonNotRunYet, Running: true}
	st := m.Evaluate([]collector.Result{backup, restore, spare, slow}, goLive.Add(-time.Hour))

	assert.Equal(t, []string{
		"  check         kind        items             result   reason              duration",
		"  backup        pgbackrest  P1.1.01           pass     -                   0.250s",
		"  restore       restore     P1.1.02, P3.1.01  fail     connection_refused  12.500s",
		"  spare_port    tcp         -                 fail     timeout             5.000s",
		"  slow_restore  restore     P3.1.01           unknown  not_run_yet         - (running)",
	}, checkTable(t, st, false))

	assert.Equal(t, []string{
		"  check         kind     items             result   reason              duration",
		"  restore       restore  P1.1.02, P3.1.01  fail     connection_refused  12.500s",
		"  slow_restore  restore  P3.1.01           unknown  not_run_yet         - (running)",
	}, checkTable(t, st.Restrict([]string{"P3"}), false), "only the checks of phase 3's items; no unbound check")

	assert.Nil(t, checkTable(t, st.Restrict([]string{"SO"}), false), "no check proves a sign-off item: no table")

	// Colour pads first, so the columns stay aligned.
	colored := checkTable(t, st, true)
	require.Len(t, colored, 5)
	assert.Equal(t, "  restore       restore     P1.1.02, P3.1.01  \x1b[31mfail   \x1b[0m  connection_refused  12.500s", colored[2])

	// The verdict stays the last line.
	var b bytes.Buffer
	require.NoError(t, st.WriteText(&b, TextOptions{}))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	assert.True(t, strings.HasPrefix(lines[len(lines)-1], "NO-GO: "), lines[len(lines)-1])
}
