package checklist

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// JUnit XML, as GitLab, Jenkins and GitHub's test reporters read it: one
// <testsuite> for the verdict and one per phase, a <testcase> per item.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties *junitProps     `xml:"properties,omitempty"`
	Cases      []junitTestCase `xml:"testcase"`
	time       float64
}

type junitProps struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// add counts a case into the suite.
func (s *junitSuite) add(c junitTestCase, took float64) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.time = max(s.time, took)
}

// WriteJUnit writes the verdict as a JUnit XML report, so that a CI
// system's test view shows go-live readiness: a "go-live verdict" suite
// with one case that fails on NO-GO (naming the blockers), then a suite per
// phase with a case per item. A due item that is OK passes; a due item that
// is not OK (fail, missing, unknown) is a <failure> whose message is its
// reason and whose type is its state (a non-blocking one says so); an item
// not due yet (upcoming, failing early) is <skipped>. Case names are the
// item id and text, stable from run to run, so CI history follows them.
func (st *Status) WriteJUnit(w io.Writer) error {
	stamp := st.Now.UTC().Format(time.RFC3339)
	verdict := junitSuite{Name: "go-live verdict", Timestamp: stamp, Properties: &junitProps{Props: []junitProp{
		{"verdict", st.Verdict},
		{"judged_at", stamp},
	}}}
	if st.GoLive != nil {
		verdict.Properties.Props = append(verdict.Properties.Props, junitProp{"go_live", st.GoLive.UTC().Format(time.RFC3339)})
	}
	if st.ForGoLive {
		verdict.Properties.Props = append(verdict.Properties.Props, junitProp{"for_go_live", "true"})
	}
	vc := junitTestCase{Name: "verdict", Classname: "golive", Time: seconds(0), SystemOut: st.Summary()}
	if !st.Ready {
		msg := fmt.Sprintf("NO-GO: %d blocker%s: %s", len(st.Blockers), plural(len(st.Blockers)), strings.Join(st.Blockers, ", "))
		var body strings.Builder
		for _, id := range st.Blockers {
			if it, ok := st.Item(id); ok {
				fmt.Fprintf(&body, "%s %s: %s: %s\n", it.ID, it.Text, it.State, it.Reason)
			}
		}
		vc.Failure = &junitMessage{Message: msg, Type: VerdictNoGo, Text: body.String()}
	}
	if st.AttestationsError != "" {
		vc.SystemOut += "\nattestations file refused: " + st.AttestationsError
	}
	verdict.add(vc, 0)

	out := junitSuites{Name: "golive_exporter check", Suites: []junitSuite{verdict}}
	for _, p := range st.Phases {
		suite := junitSuite{Name: p.ID + " " + p.Title, Timestamp: stamp}
		for _, sec := range p.Sections {
			for _, it := range sec.Items {
				c, took := junitCase(p.ID, sec.Name, it)
				suite.add(c, took)
			}
		}
		out.Suites = append(out.Suites, suite)
	}
	var total float64
	for i := range out.Suites {
		s := &out.Suites[i]
		s.Time = seconds(s.time)
		total = max(total, s.time)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
	}
	out.Time = seconds(total)

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitCase is one item as a test case, with how long its slowest bound
// check took (checks run side by side).
func junitCase(phase, section string, it ItemStatus) (junitTestCase, float64) {
	c := junitTestCase{Name: it.ID + " " + it.Text, Classname: phase + " / " + section}
	var took float64
	var detail strings.Builder
	fmt.Fprintf(&detail, "%s %s\nstate: %s\n", it.ID, it.Text, it.State)
	for _, ref := range it.Checks {
		took = max(took, ref.DurationSec)
		fmt.Fprintf(&detail, "check %s: %s (%s)", ref.Name, ref.Status, ref.Reason)
		if ref.Message != "" {
			fmt.Fprintf(&detail, ": %s", ref.Message)
		}
		detail.WriteString("\n")
		for _, cond := range ref.Conditions {
			if !cond.OK {
				fmt.Fprintf(&detail, "  %s: observed %s, expected %s\n", cond.Name, cond.Observed, cond.Expected)
			}
		}
	}
	if a := it.Attestation; a != nil {
		fmt.Fprintf(&detail, "attested by %s at %s", a.By, a.At.UTC().Format(time.RFC3339))
		if !a.Valid {
			detail.WriteString(" (not valid now)")
		}
		if a.Note != "" {
			fmt.Fprintf(&detail, ": %s", a.Note)
		}
		if a.Evidence != "" {
			fmt.Fprintf(&detail, " (evidence %s)", a.Evidence)
		}
		detail.WriteString("\n")
	}
	c.Time = seconds(took)
	switch {
	case !it.Due:
		msg := string(it.State)
		if it.DueFrom != nil {
			msg += ": due from " + it.DueFrom.UTC().Format(time.RFC3339)
		}
		if it.State == StateFailingEarly {
			msg += "; its checks fail already: " + it.Reason
		}
		c.Skipped = &junitMessage{Message: msg, Text: detail.String()}
	case !it.State.OK():
		msg := it.Reason
		if msg == "" {
			msg = string(it.State)
		}
		if !it.Blocker {
			msg = "does not block GO: " + msg
		}
		c.Failure = &junitMessage{Message: msg, Type: string(it.State), Text: detail.String()}
	default:
		c.SystemOut = detail.String()
	}
	return c, took
}
