package checklist

import (
	"bytes"
	"encoding/xml"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/report"
)

// TestWriteJUnitHostileText: item texts, reasons and check messages come
// from checklists, servers and people; control characters, markup and a
// CDATA terminator still give a report that the project's JUnit parser and
// encoding/xml read, with the text intact where XML can carry it.
func TestWriteJUnitHostileText(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	hostile := "a <script>alert(1)</script> & \"q\" ]]> \x1b[31mred\x1b[0m \x00 nul\ttab"
	st := &Status{Now: now, Verdict: VerdictNoGo, Blockers: []string{"P1.1.01"}, Counts: zeroCounts(), Total: 2,
		Phases: []PhaseStatus{{ID: "P1", Title: "Phase 1: " + hostile, Sections: []SectionStatus{{Name: hostile, Items: []ItemStatus{
			{Item: Item{ID: "P1.1.01", Phase: "P1", Text: hostile, Kind: KindProbe}, State: StateFail, Due: true, Blocker: true, Reason: hostile,
				Checks: []CheckRef{{Name: "c", Status: collector.StatusFail, Reason: collector.ReasonInvalidResponse, Message: hostile, DurationSec: 1.5,
					Conditions: []collector.Condition{{Name: "n", Observed: hostile, Expected: "ok"}}}}},
			{Item: Item{ID: "P1.1.02", Phase: "P1", Text: "fine", Kind: KindManual}, State: StateAttested, Due: true,
				Attestation: &AttestationView{By: hostile, At: now, Note: hostile, Valid: true}},
		}}}}}}
	var buf bytes.Buffer
	require.NoError(t, st.WriteJUnit(&buf))

	counts, err := report.ParseJUnit(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err, buf.String())
	assert.Equal(t, 2, counts[report.Failed], "the verdict and P1.1.01")
	assert.Equal(t, 1, counts[report.Passed])

	var doc struct {
		Time   string `xml:"time,attr"`
		Suites []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Time    string `xml:"time,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc))
	require.Len(t, doc.Suites, 2)
	c := doc.Suites[1].Cases[0]
	assert.Contains(t, c.Name, `<script>alert(1)</script> & "q" ]]>`)
	require.NotNil(t, c.Failure)
	assert.Contains(t, c.Failure.Message, "<script>")
	assert.Equal(t, "1.500", c.Time, "the slowest bound check's duration")
	assert.Equal(t, "1.500", doc.Time)
}
