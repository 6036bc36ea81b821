package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector/report"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files: the check command's outputs, testdata/metrics.golden and docs/metrics.txt")

// fixtureTSV is a small checklist of its own, so the golden files stay
// readable: every state occurs.
const fixtureTSV = "id\tphase\tsection\tgroup\titem\tautomation\thow_it_is_verified\n" +
	"P1.1.01\tP1\tInfrastructure Verification\tNetwork & Security\tFirewall: production port open\tprobe\tTCP connect\n" +
	"P1.1.02\tP1\tInfrastructure Verification\tNetwork & Security\tAPI answers on its port\tprobe\tTCP connect\n" +
	"P1.1.03\tP1\tInfrastructure Verification\tNetwork & Security\tDatabase port closed from outside\tprobe\tTCP refused\n" +
	"P1.1.04\tP1\tInfrastructure Verification\tSystem Performance\tLoad test p95 <= 380ms\treport\tload-test summary\n" +
	"P1.2.01\tP1\tData Preparation\tData Preparation\tLegacy system data export completed\tmanual\t\n" +
	"P1.2.02\tP1\tData Preparation\tData Preparation\tData quality sign-off\tmanual\t\n" +
	"P2.1.01\tP2\tStaff Training Execution\tTraining\tDaily training attendance recorded\tmanual\t\n" +
	"P4.1.01\tP4\tContinuous Monitoring\tContinuous Monitoring\tError rate < 1%\trule\tPrometheus rule\n" +
	"P4.1.02\tP4\tContinuous Monitoring\tContinuous Monitoring\tOn-call handover done\tmanual\t\n" +
	"SO.1.01\tSO\tProject Leadership Approval\tProject Leadership Approval\tProject Manager: ____ Date: ____\tmanual\t\n"

const fixtureAttestations = `attestations:
  - item: P1.2.01
    by: Dana Whitfield
    at: 2026-11-18T16:30:00Z
    note: "48,213 records exported | checksums <b>verified</b>"
    evidence: https://tickets.example.edu/browse/SMS-1412
  - item: P2.1.01
    by: Lee Carter
    at: 2026-11-28T09:00:00Z
    valid_for: 1d
    note: Day 1 attendance
  - item: SO.1.01
    by: Pat Manager
    at: 2026-11-29T17:00:00Z
    note: Approved <script>alert(1)</script>
`

// checkFixture writes a configuration whose checks connect to local
// listeners, so their results are fixed: one open port, one refused, one
// expected closed that is open, and one refused for an item due only after
// go-live (failing early). It returns the config path and the text to
// replace the ports with in outputs.
func checkFixture(t *testing.T) (string, *strings.Replacer) {
	t.Helper()
	openAddr, closedAddr := testutil.OpenPort(t), testutil.FreeAddr(t)

	dir := t.TempDir()
	cfg := `checklist:
  file: checklist.tsv
  attestations: attestations.yml
  go_live: 2026-12-01T08:00:00Z
checks:
  - name: web_port
    items: [P1.1.01]
    tcp: {address: "` + openAddr + `"}
  - name: api_port
    items: [P1.1.02]
    tcp: {address: "` + closedAddr + `"}
  - name: db_port_closed
    items: [P1.1.03]
    tcp: {address: "` + openAddr + `", expect: closed}
  - name: error_rate
    items: [P4.1.01]
    tcp: {address: "` + closedAddr + `"}
`
	for name, body := range map[string]string{"golive.yml": cfg, "checklist.tsv": fixtureTSV, "attestations.yml": fixtureAttestations} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	return filepath.Join(dir, "golive.yml"), strings.NewReplacer(openAddr, "127.0.0.1:OPEN", closedAddr, "127.0.0.1:CLOSED")
}

var (
	durationRE = regexp.MustCompile(`"(duration_seconds|queue_wait_seconds)": [0-9.e-]+`)
	lastRunRE  = regexp.MustCompile(`"(last_run|last_checked)": "[^"]+"`)
	// tookRE is the duration column that ends each line of the check table.
	tookRE = regexp.MustCompile(`(?m)  \d+\.\d{3}s$`)
	// junitTimeRE is a JUnit time attribute.
	junitTimeRE = regexp.MustCompile(` time="[0-9.]+"`)
)

// normalise replaces what changes from run to run: ports, durations and the
// times checks ran.
func normalise(s string, ports *strings.Replacer) string {
	s = ports.Replace(s)
	s = durationRE.ReplaceAllString(s, `"$1": 0`)
	s = tookRE.ReplaceAllString(s, "  0.000s")
	s = junitTimeRE.ReplaceAllString(s, ` time="0.000"`)
	return lastRunRE.ReplaceAllString(s, `"$1": "RUN_TIME"`)
}

func TestCheckGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	cfgPath, ports := checkFixture(t)
	for _, format := range []string{"table", "json", "markdown", "junit"} {
		t.Run(format, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run([]string{"--config.file", cfgPath, "check", "--output", format, "--at", "2026-11-30T08:00:00Z"}, &out, &errOut)
			assert.Equal(t, exitNotReady, code, "NO-GO; stderr: %s", errOut.String())
			got := normalise(out.String(), ports)
			golden := filepath.Join("testdata", "check."+format+".golden")
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./cmd/golive_exporter/ -run TestCheckGolden -update to create it")
			assert.Equal(t, string(want), got)
			// Progress went to stderr, one line per check.
			assert.Contains(t, errOut.String(), "checked 4/4:")
			assert.NotContains(t, out.String(), "checked 4/4")
		})
	}
}

func TestCheckExitCodesAndPhase(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	cfgPath, _ := checkFixture(t)
	var out, errOut bytes.Buffer
	code := run([]string{"--config.file", cfgPath, "check", "--phase", "SO", "--at", "2026-11-30T08:00:00Z"}, &out, &errOut)
	assert.Equal(t, exitOK, code, out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Equal(t, "GO: 0 blockers; 1 items: 1 attested", lines[len(lines)-1])
	assert.NotContains(t, out.String(), "P1.1.01")

	// A day later the sign-off is still valid; the daily training
	// attestation has expired, but it is no blocker.
	out.Reset()
	code = run([]string{"--config.file", cfgPath, "check", "--phase", "P2", "--at", "2026-11-30T08:00:00Z"}, &out, &errOut)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out.String(), "missing  P2.1.01")
	assert.Contains(t, out.String(), "expired 2026-11-29 09:00 UTC")

	out.Reset()
	code = run([]string{"--config.file", cfgPath, "check", "--phase", "P9"}, &out, &errOut)
	assert.Equal(t, exitConfigError, code)
	assert.Contains(t, errOut.String(), `--phase "P9" is not a phase`)

	errOut.Reset()
	code = run([]string{"--config.file", cfgPath, "check", "--at", "tomorrow"}, &out, &errOut)
	assert.Equal(t, exitConfigError, code)
	assert.Contains(t, errOut.String(), `--at "tomorrow" is not a time`)

	bad := filepath.Join(filepath.Dir(cfgPath), "bad.yml")
	require.NoError(t, os.WriteFile(bad, []byte("checks:\n  - name: x\n    items: [P1.1.01, P7.7.07]\n    tcp: {address: \"127.0.0.1:1\"}\n"), 0o600))
	errOut.Reset()
	code = run([]string{"--config.file", bad, "check"}, &out, &errOut)
	assert.Equal(t, exitConfigError, code)
	assert.Contains(t, errOut.String(), `bad.yml:3: checks[0].items[1]: item "P7.7.07" of check "x" is not in the checklist`)

	// An attestation of an id the checklist does not have: exit 2, with
	// the attestation's line.
	att := filepath.Join(filepath.Dir(cfgPath), "attestations.yml")
	require.NoError(t, os.WriteFile(att, []byte(fixtureAttestations+"  - {item: P1.9.99, by: Sam, at: 2026-11-20T10:00:00Z}\n"), 0o600))
	errOut.Reset()
	code = run([]string{"--config.file", cfgPath, "check"}, &out, &errOut)
	assert.Equal(t, exitConfigError, code)
	assert.Contains(t, errOut.String(), `attestations.yml:16: item "P1.9.99" is not in the checklist`)
}

// An item not due yet whose check fails shows as failing early in check,
// without making the verdict NO-GO.
func TestCheckFailingEarly(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	cfgPath, _ := checkFixture(t)
	var out, errOut bytes.Buffer
	code := run([]string{"--config.file", cfgPath, "check", "--phase", "P4", "--at", "2026-11-30T08:00:00Z"}, &out, &errOut)
	assert.Equal(t, exitOK, code, "failing early does not block; stdout: %s", out.String())
	assert.Contains(t, out.String(), "⚠ failing_early P4.1.01  Error rate < 1%\n        error_rate: connection_refused: ")
	assert.Contains(t, out.String(), "        due from 2026-12-01 08:00 UTC; does not block GO before then\n")
	assert.Contains(t, out.String(), "\nFailing early (not due yet, not blocking): P4.1.01\n")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Equal(t, "GO: 0 blockers; 2 items: 1 failing_early, 1 upcoming", lines[len(lines)-1])

	out.Reset()
	code = run([]string{"--config.file", cfgPath, "check", "--phase", "P4", "--at", "2026-11-30T08:00:00Z", "--output", "json"}, &out, &errOut)
	assert.Equal(t, exitOK, code)
	st, states := statusStates(t, out.Bytes())
	assert.Equal(t, "failing_early", states["P4.1.01"])
	assert.Equal(t, []string{"P4.1.01"}, st.FailingEarly)
}

// --at with the go-live time itself counts the phases due at go-live (P4,
// P5: "First 24 Hours" starts at go-live) as due; --at go-live asks "are
// we GO for go-live": the checklist at that moment, without the phases that
// only begin then.
func TestCheckAtGoLive(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	cfgPath, _ := checkFixture(t)
	var out, errOut bytes.Buffer
	code := run([]string{"--config.file", cfgPath, "check", "--phase", "P4", "--at", "2026-12-01T08:00:00Z"}, &out, &errOut)
	assert.Equal(t, exitNotReady, code, "at the go-live instant P4 is due; stdout: %s", out.String())
	assert.Contains(t, out.String(), "\nBlockers: P4.1.01\n")

	for _, phase := range []string{"P4", "SO"} {
		out.Reset()
		code = run([]string{"--config.file", cfgPath, "check", "--phase", phase, "--at", "go-live"}, &out, &errOut)
		assert.Equal(t, exitOK, code, "for go-live, P4 is not due yet and the sign-off is attested; stdout: %s", out.String())
	}
	out.Reset()
	code = run([]string{"--config.file", cfgPath, "check", "--phase", "P4", "--at", "go-live"}, &out, &errOut)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out.String(), "judged for go-live (items due from go-live on are not counted)")
	assert.Contains(t, out.String(), "⚠ failing_early P4.1.01", "what will fail right after go-live still shows")
	assert.Contains(t, out.String(), "\nFailing early (not due yet, not blocking): P4.1.01\n")

	// The whole checklist for go-live: phase 1 fails, so NO-GO.
	out.Reset()
	code = run([]string{"--config.file", cfgPath, "check", "--at", "go-live", "--output", "json"}, &out, &errOut)
	assert.Equal(t, exitNotReady, code)
	st, states := statusStates(t, out.Bytes())
	assert.True(t, st.ForGoLive)
	assert.Equal(t, "2026-12-01T08:00:00Z", st.Now.UTC().Format(time.RFC3339))
	assert.Equal(t, []string{"P1.1.02", "P1.1.03", "P1.1.04"}, st.Blockers)
	assert.Equal(t, "failing_early", states["P4.1.01"])
	assert.Equal(t, "upcoming", states["P4.1.02"])

	// Without a go-live time there is nothing to judge against.
	noGoLive := filepath.Join(filepath.Dir(cfgPath), "nogolive.yml")
	require.NoError(t, os.WriteFile(noGoLive, []byte("checks:\n  - name: x\n    items: [P1.1.01]\n    tcp: {address: \"127.0.0.1:1\"}\n"), 0o600))
	errOut.Reset()
	code = run([]string{"--config.file", noGoLive, "check", "--at", "go-live"}, &out, &errOut)
	assert.Equal(t, exitConfigError, code)
	assert.Contains(t, errOut.String(), "--at go-live needs the go-live time: set checklist.go_live in the configuration")
}

func TestCheckColourOnlyWhenAsked(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	cfgPath, _ := checkFixture(t)
	var out, errOut bytes.Buffer
	run([]string{"--config.file", cfgPath, "check", "--phase", "P1", "--at", "2026-11-30T08:00:00Z"}, &out, &errOut)
	assert.NotContains(t, out.String(), "\x1b[", "no colour when stdout is not a terminal")
	out.Reset()
	run([]string{"--config.file", cfgPath, "check", "--phase", "P1", "--color", "always", "--at", "2026-11-30T08:00:00Z"}, &out, &errOut)
	assert.Contains(t, out.String(), "\x1b[31m✘\x1b[0m")
	assert.Contains(t, out.String(), "\x1b[1;31mNO-GO")
}

func TestCheckShippedChecklistOnExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example's checks against local servers")
	}
	const example = "../../deploy/examples/student-management/golive.yml"
	if _, err := os.Stat(example); err != nil {
		t.Skipf("example configuration not present: %v", err)
	}
	// As shipped (whether or not setup.sh ran on this host): the whole
	// checklist, and the example's attestations file found beside it.
	// TestCheckExampleConfiguration runs it against a database and Redis.
	var out, errOut bytes.Buffer
	code := run([]string{"--config.file", example, "check", "--output", "json", "--timeout", "20s", "--at", exampleTime}, &out, &errOut)
	require.Contains(t, []int{exitOK, exitNotReady}, code, errOut.String())
	st, states := statusStates(t, out.Bytes())
	assert.Equal(t, 279, st.Total)
	assert.Len(t, states, 279)
	assert.Equal(t, "attested", states["SO.2.01"])
	assert.Equal(t, "attested", states["P1.2.01"])
	assert.Equal(t, code == exitOK, st.Ready)
}

// TestCheckJSONMatchesSchema validates real check --output=json documents
// (every state, a failing check with conditions, attestations, --phase and
// --at go-live) against docs/check-output.schema.json, and reads their
// schema_version.
func TestCheckJSONMatchesSchema(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	raw, err := os.ReadFile("../../docs/check-output.schema.json")
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("check-output.schema.json", doc))
	schema, err := c.Compile("check-output.schema.json")
	require.NoError(t, err)

	cfgPath, _ := checkFixture(t)
	for _, args := range [][]string{
		{"--at", "2026-11-30T08:00:00Z"},
		{"--at", "go-live"},
		{"--phase", "P4", "--at", "2026-12-02T08:00:00Z"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			run(append([]string{"--config.file", cfgPath, "check", "--output", "json"}, args...), &out, &errOut)
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
			require.NoError(t, err, "not JSON: %s\n%s", out.String(), errOut.String())
			assert.NoError(t, schema.Validate(v), "check --output=json does not match docs/check-output.schema.json (after changing the output types, run `make generate`)")
			var head struct {
				SchemaVersion *int `json:"schema_version"`
			}
			require.NoError(t, json.Unmarshal(out.Bytes(), &head))
			require.NotNil(t, head.SchemaVersion, "the output carries schema_version")
			assert.Equal(t, checklist.SchemaVersion, *head.SchemaVersion)
		})
	}

	// The schema is no formality: a document without schema_version, or
	// with a state it does not know, is refused.
	var out, errOut bytes.Buffer
	run([]string{"--config.file", cfgPath, "check", "--output", "json", "--at", "2026-11-30T08:00:00Z"}, &out, &errOut)
	for _, broken := range []string{
		strings.Replace(out.String(), `"schema_version": 1,`, "", 1),
		strings.Replace(out.String(), `"state": "pass"`, `"state": "green"`, 1),
	} {
		require.NotEqual(t, out.String(), broken)
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(broken))
		require.NoError(t, err)
		assert.Error(t, schema.Validate(v))
	}
}

// TestCheckJUnit reads check --output=junit back with the project's own
// JUnit parser (the junit kind's) and holds it to the JSON document of the
// same run: one case for the verdict, failing on NO-GO; a case per item; a
// failure for each due item that is not OK, with its reason; a skip for
// each item not due yet; the suites' counters agree with their cases.
func TestCheckJUnit(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	cfgPath, _ := checkFixture(t)
	for _, at := range []string{"2026-11-30T08:00:00Z", "2026-12-01T09:00:00Z", "go-live"} {
		t.Run(at, func(t *testing.T) {
			var js, xmlOut, errOut bytes.Buffer
			jsCode := run([]string{"--config.file", cfgPath, "check", "--output", "json", "--at", at}, &js, &errOut)
			code := run([]string{"--config.file", cfgPath, "check", "--output", "junit", "--at", at}, &xmlOut, &errOut)
			assert.Equal(t, jsCode, code, "the exit code is the verdict's, whatever the format")
			var st struct {
				Verdict string `json:"verdict"`
				Phases  []struct {
					Sections []struct {
						Items []struct {
							ID      string `json:"id"`
							State   string `json:"state"`
							Due     bool   `json:"due"`
							Reason  string `json:"reason"`
							Blocker bool   `json:"blocker"`
						} `json:"items"`
					} `json:"sections"`
				} `json:"phases"`
			}
			require.NoError(t, json.Unmarshal(js.Bytes(), &st))

			counts, err := report.ParseJUnit(bytes.NewReader(xmlOut.Bytes()))
			require.NoError(t, err, "the project's JUnit parser refuses the output:\n%s", xmlOut.String())
			var wantPass, wantFail, wantSkip int
			if st.Verdict == "GO" {
				wantPass++
			} else {
				wantFail++
			}
			reasons := map[string]string{}
			for _, p := range st.Phases {
				for _, s := range p.Sections {
					for _, it := range s.Items {
						switch {
						case !it.Due:
							wantSkip++
						case it.State == "pass" || it.State == "attested":
							wantPass++
						default:
							wantFail++
							reasons[it.ID] = it.Reason
						}
					}
				}
			}
			assert.Equal(t, wantPass, counts[report.Passed], "passed")
			assert.Equal(t, wantFail, counts[report.Failed], "failed")
			assert.Equal(t, wantSkip, counts[report.Skipped], "skipped")
			assert.Zero(t, counts[report.Errored])

			// The structure: names, failure messages, declared counters.
			var doc struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
				Skipped  int `xml:"skipped,attr"`
				Suites   []struct {
					Name     string `xml:"name,attr"`
					Tests    int    `xml:"tests,attr"`
					Failures int    `xml:"failures,attr"`
					Skipped  int    `xml:"skipped,attr"`
					Cases    []struct {
						Name    string `xml:"name,attr"`
						Failure *struct {
							Message string `xml:"message,attr"`
							Type    string `xml:"type,attr"`
						} `xml:"failure"`
						Skipped *struct{} `xml:"skipped"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			require.NoError(t, xml.Unmarshal(xmlOut.Bytes(), &doc))
			assert.Equal(t, counts.Total(), doc.Tests)
			assert.Equal(t, counts.Failing(), doc.Failures)
			assert.Equal(t, counts[report.Skipped], doc.Skipped)
			require.NotEmpty(t, doc.Suites)
			assert.Equal(t, "go-live verdict", doc.Suites[0].Name)
			require.Len(t, doc.Suites[0].Cases, 1)
			assert.Equal(t, st.Verdict != "GO", doc.Suites[0].Cases[0].Failure != nil, "the verdict case fails on NO-GO")
			for _, s := range doc.Suites {
				failures, skipped := 0, 0
				for _, c := range s.Cases {
					if c.Failure != nil {
						failures++
						id, _, _ := strings.Cut(c.Name, " ")
						if want, ok := reasons[id]; ok {
							assert.Contains(t, c.Failure.Message, want, "the failure of %s carries its reason", id)
						}
					}
					if c.Skipped != nil {
						skipped++
					}
				}
				assert.Equal(t, len(s.Cases), s.Tests, "suite %s declares its case count", s.Name)
				assert.Equal(t, failures, s.Failures, "suite %s", s.Name)
				assert.Equal(t, skipped, s.Skipped, "suite %s", s.Name)
			}
		})
	}
}

// TestCheckOnly: --only runs just the named checks (repeatable) and judges
// only the items bound to them; an unknown name is a usage error naming
// the checks there are.
func TestCheckOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	cfgPath, _ := checkFixture(t)
	at := "2026-11-30T08:00:00Z"
	cases := []struct {
		only   []string
		code   int
		checks []string
		items  []string
	}{
		{[]string{"web_port"}, exitOK, []string{"web_port"}, []string{"P1.1.01"}},
		{[]string{"api_port"}, exitNotReady, []string{"api_port"}, []string{"P1.1.02"}},
		{[]string{"web_port", "error_rate"}, exitOK, []string{"web_port", "error_rate"}, []string{"P1.1.01", "P4.1.01"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.only, ","), func(t *testing.T) {
			args := []string{"--config.file", cfgPath, "check", "--output", "json", "--at", at}
			for _, o := range tc.only {
				args = append(args, "--only", o)
			}
			var out, errOut bytes.Buffer
			code := run(args, &out, &errOut)
			assert.Equal(t, tc.code, code, "stderr: %s", errOut.String())
			assert.Contains(t, errOut.String(), fmt.Sprintf("checked %d/%d:", len(tc.only), len(tc.only)), "only the named checks ran")
			var st struct {
				Checks []struct {
					Check string `json:"check"`
				} `json:"checks"`
				Phases []struct {
					Sections []struct {
						Items []struct {
							ID string `json:"id"`
						} `json:"items"`
					} `json:"sections"`
				} `json:"phases"`
			}
			require.NoError(t, json.Unmarshal(out.Bytes(), &st))
			var checks, items []string
			for _, c := range st.Checks {
				checks = append(checks, c.Check)
			}
			for _, p := range st.Phases {
				for _, s := range p.Sections {
					for _, it := range s.Items {
						items = append(items, it.ID)
					}
				}
			}
			assert.Equal(t, tc.checks, checks)
			assert.Equal(t, tc.items, items)
		})
	}

	var out, errOut bytes.Buffer
	code := run([]string{"--config.file", cfgPath, "check", "--only", "web_prot"}, &out, &errOut)
	assert.Equal(t, exitConfigError, code)
	assert.Contains(t, errOut.String(), `--only "web_prot" is not a check of the configuration (did you mean "web_port"?); its checks are: api_port, db_port_closed, error_rate, web_port`)
	assert.Empty(t, out.String())
}

// TestChecklistImportCommand: checklist import turns markdown into a TSV
// that a configuration loads as its checklist (with checks bound to the
// generated ids); a broken file exits 2 with file:line; checklist starter
// prints the starter, whose import is the shipped starter TSV.
func TestChecklistImportCommand(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "launch.md")
	require.NoError(t, os.WriteFile(md, []byte("# Shop launch\n\n## Before launch\n### Infra\n- [ ] Port open <!-- automation: probe; how: TCP connect -->\n- [ ] Runbook written\n\n## Sign-off\n- [ ] CTO approves\n"), 0o600))
	tsv := filepath.Join(dir, "checklist.tsv")
	var out, errOut bytes.Buffer
	code := run([]string{"checklist", "import", md, "-o", tsv}, &out, &errOut)
	require.Equal(t, exitOK, code, errOut.String())
	assert.Contains(t, errOut.String(), "imported 3 items in 2 phases")

	open := testutil.OpenPort(t)
	cfg := filepath.Join(dir, "golive.yml")
	require.NoError(t, os.WriteFile(cfg, []byte("checklist: {file: checklist.tsv}\nchecks:\n  - {name: port, items: [P1.1.01], tcp: {address: \""+open+"\"}}\n"), 0o600))
	out.Reset()
	errOut.Reset()
	code = run([]string{"--config.file", cfg, "check", "--output", "json"}, &out, &errOut)
	assert.Equal(t, exitNotReady, code, "the sign-off is missing: NO-GO; stderr: %s", errOut.String())
	var st struct {
		Blockers []string `json:"blockers"`
		Phases   []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"phases"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &st))
	assert.Equal(t, []string{"SO.1.01"}, st.Blockers)
	require.Len(t, st.Phases, 2)
	assert.Equal(t, "Before launch", st.Phases[0].Title)

	// A problem: exit 2, file:line.
	bad := filepath.Join(dir, "bad.md")
	require.NoError(t, os.WriteFile(bad, []byte("## A\n- [ ] x <!-- id: B.1.01 -->\n"), 0o600))
	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitConfigError, run([]string{"checklist", "import", bad}, &out, &errOut))
	assert.Contains(t, errOut.String(), bad+":2: item id B.1.01 is not in its phase P1")
	assert.Empty(t, out.String())

	// The starter, as markdown and as TSV.
	out.Reset()
	require.Equal(t, exitOK, run([]string{"checklist", "starter"}, &out, &errOut))
	starterMD := filepath.Join(dir, "checklist.md")
	require.NoError(t, os.WriteFile(starterMD, out.Bytes(), 0o600))
	var imported, starterTSV bytes.Buffer
	require.Equal(t, exitOK, run([]string{"checklist", "import", starterMD}, &imported, &errOut))
	require.Equal(t, exitOK, run([]string{"checklist", "starter", "--format", "tsv"}, &starterTSV, &errOut))
	assert.Equal(t, starterTSV.String(), imported.String())
	assert.Equal(t, string(checklist.StarterTSV), starterTSV.String())
}

// TestChecklistCommandWriteErrorExitsTwo: a checklist subcommand that cannot
// write its output exits 2 (an error), not 1, which is check's NO-GO: a
// script tells a broken write from a NO-GO.
func TestChecklistCommandWriteErrorExitsTwo(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "launch.md")
	require.NoError(t, os.WriteFile(md, []byte("## Before launch\n- [ ] Port open\n"), 0o600))
	var out, errOut bytes.Buffer
	unwritable := filepath.Join(dir, "no such folder", "checklist.tsv")
	assert.Equal(t, exitConfigError, run([]string{"checklist", "import", md, "-o", unwritable}, &out, &errOut))
	assert.Contains(t, errOut.String(), "no such folder")

	for _, args := range [][]string{{"checklist", "import", md}, {"checklist", "starter"}} {
		errOut.Reset()
		assert.Equal(t, exitConfigError, run(args, failingWriter{}, &errOut), "%v", args)
		assert.Contains(t, errOut.String(), "writing: ", "%v", args)
	}
}

// failingWriter fails every write, like a closed standard output.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }
