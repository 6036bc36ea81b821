package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/golive/golive_exporter/internal/files"
)

// DefaultTestReportMaxFileSize is the default max_file_size of the
// test-report kinds (junit, test_report in collector/report).
const DefaultTestReportMaxFileSize ByteSize = 64 << 20

// TestResults holds the settings the JUnit and JSON test-report checks
// share: where the files are, the thresholds the run must meet, and the
// groups of cases that prove individual checklist items.
type TestResults struct {
	// Paths are report files, folders (their files matching FolderPattern)
	// or globs; "**" matches any number of folders. Relative paths are
	// relative to the configuration file.
	Paths []string `yaml:"paths"`
	// FolderPattern selects the files of a folder named in Paths.
	// Default: "*.xml" for junit, "*.json" for test_report.
	FolderPattern string `yaml:"folder_pattern,omitempty"`
	// ExpectedCases is the number of test cases the suite has; a report
	// with fewer fails even when all pass (a suite that silently stopped
	// running). 0 sets no minimum.
	ExpectedCases int `yaml:"expected_cases,omitempty"`
	// MaxFailures is how many failed or erroring cases are tolerated.
	MaxFailures int `yaml:"max_failures,omitempty"`
	// MaxSkipped, when set, is how many skipped cases are tolerated.
	MaxSkipped *int `yaml:"max_skipped,omitempty"`
	// FailOnFlaky fails the check when a case passed only on a rerun.
	FailOnFlaky bool `yaml:"fail_on_flaky,omitempty"`
	// MaxAge fails the check (reason stale) when the newest run in the
	// report is older than this. 0 disables the age check.
	MaxAge model.Duration `yaml:"max_age,omitempty"`
	// MaxFileSize refuses larger files (e.g. 64MiB, 500KB, or bytes).
	MaxFileSize ByteSize `yaml:"max_file_size,omitempty"`
	// Groups map sets of cases to checklist items.
	Groups []TestGroup `yaml:"groups,omitempty"`
	// Select, when it has a pattern, restricts the check to the matching
	// cases: the others are not counted at all. One check per browser
	// project (select: {project: ^firefox$}) gives each browser item its own
	// check and verdict. Errors outside any test (Playwright's top-level
	// errors) are always counted.
	Select TestMatch `yaml:"select,omitempty"`
}

// TestGroup is a set of test cases, chosen by patterns, that proves
// checklist items (a browser project, a security suite, a workflow).
type TestGroup struct {
	// Name is the group's label value in metrics: from the config, never
	// from the report.
	Name string `yaml:"name"`
	// Items are the checklist item ids the group proves.
	Items []string `yaml:"items,omitempty"`
	// Match selects the cases; every pattern given must match.
	Match TestMatch `yaml:"match"`
	// MinCases is how many cases the group must have to pass. Default 1: a
	// group that matched nothing is not tested.
	MinCases *int `yaml:"min_cases,omitempty"`
}

// ConditionName is the name of the condition the check reports for the
// group, "group NAME (ITEMS)"; the checklist finds a group's verdict by it.
func (g TestGroup) ConditionName() string {
	name := "group " + g.Name
	if len(g.Items) > 0 {
		name += " (" + strings.Join(g.Items, ", ") + ")"
	}
	return name
}

// TestGroups returns the groups of a check whose settings embed
// TestResults (junit, test_report); nil for other kinds.
func (c *Check) TestGroups() []TestGroup {
	if r, ok := c.Spec().(interface{ Results() *TestResults }); ok {
		return r.Results().Groups
	}
	return nil
}

// Results returns the shared settings; through embedding, a kind's
// settings that embed TestResults have it too (see Check.TestGroups).
func (c *TestResults) Results() *TestResults { return c }

// TestMatch holds regular expressions (RE2, unanchored) over a case's
// fields. Empty patterns are not used.
type TestMatch struct {
	// Suite matches the enclosing suite's name (any level of nesting), the
	// test file for JSON reports, the package for go test.
	Suite string `yaml:"suite,omitempty"`
	// Classname matches the case's classname (describe blocks for Jest,
	// the class for pytest).
	Classname string `yaml:"classname,omitempty"`
	// Name matches the case's name.
	Name string `yaml:"name,omitempty"`
	// Hostname matches the suite's hostname attribute (JUnit).
	Hostname string `yaml:"hostname,omitempty"`
	// Project matches the Playwright project: projectName in JSON, the
	// "[project]" prefix of an old Playwright classname or name, else the
	// suite's hostname (which modern Playwright sets to the project).
	Project string `yaml:"project,omitempty"`
	// Tag matches any of the case's tags, without the @: the tags
	// Playwright's JSON reporter lists (test.describe(..., {tag}) and
	// test(..., {tag}) included), and every @word in the case's name,
	// classname or suite (title tags, which every report keeps).
	Tag string `yaml:"tag,omitempty"`
}

// Empty reports whether no pattern is set.
func (m TestMatch) Empty() bool { return m == TestMatch{} }

// Patterns returns the match fields by name, in a fixed order.
func (m TestMatch) Patterns() [][2]string {
	return [][2]string{{"suite", m.Suite}, {"classname", m.Classname}, {"name", m.Name}, {"hostname", m.Hostname}, {"project", m.Project}, {"tag", m.Tag}}
}

// SetResultsDefaults fills in the shared defaults; folderPattern is the
// kind's default folder_pattern ("*.xml" for junit).
func (c *TestResults) SetResultsDefaults(folderPattern string) {
	if c.FolderPattern == "" {
		c.FolderPattern = folderPattern
	}
	if c.MaxFileSize == 0 {
		c.MaxFileSize = DefaultTestReportMaxFileSize
	}
	for i := range c.Groups {
		if c.Groups[i].MinCases == nil {
			one := 1
			c.Groups[i].MinCases = &one
		}
	}
}

// ValidateResults checks the shared settings at path.
func (c *TestResults) ValidateResults(path string, p *Problems) {
	ValidateReportPaths(path, c.Paths, "report", "[reports/junit/*.xml]", c.FolderPattern, "TEST-*.xml", p)
	if c.ExpectedCases < 0 {
		p.Addf(path+".expected_cases", "is negative; write the number of test cases the suite has (e.g. 370), or 0 for no minimum")
	}
	if c.MaxFailures < 0 {
		p.Addf(path+".max_failures", "is negative; write 0 to allow no failures")
	}
	if c.MaxSkipped != nil && *c.MaxSkipped < 0 {
		p.Addf(path+".max_skipped", "is negative; write 0 to allow no skipped cases, or leave it out")
	}
	if c.MaxAge < 0 {
		p.Addf(path+".max_age", "is negative; write how old the newest run may be, e.g. 24h")
	}
	if c.MaxFileSize < 0 {
		p.Addf(path+".max_file_size", "is negative; write a size such as 64MiB")
	}
	for _, kv := range c.Select.Patterns() {
		if kv[1] == "" {
			continue
		}
		if _, err := regexp.Compile(kv[1]); err != nil {
			p.Addf(path+".select."+kv[0], "bad regular expression: %v", err)
		}
	}
	seen := map[string]bool{}
	for i, g := range c.Groups {
		gp := fmt.Sprintf("%s.groups[%d]", path, i)
		ValidateEntryName(gp+".name", "group", g.Name, "firefox", seen, p)
		for j, it := range g.Items {
			if !ItemIDRE.MatchString(it) {
				p.Addf(fmt.Sprintf("%s.items[%d]", gp, j), "%q is not a checklist item id; write e.g. P1.4.21", it)
			}
		}
		hasPattern := false
		for _, kv := range g.Match.Patterns() {
			if kv[1] == "" {
				continue
			}
			hasPattern = true
			if _, err := regexp.Compile(kv[1]); err != nil {
				p.Addf(gp+".match."+kv[0], "bad regular expression: %v", err)
			}
		}
		if !hasPattern {
			p.Addf(gp+".match", "no pattern; give at least one of suite, classname, name, hostname, project, tag")
		}
		if g.MinCases != nil && *g.MinCases < 0 {
			p.Addf(gp+".min_cases", "is negative; write how many cases the group must have (default 1)")
		}
	}
}

// ValidateReportPaths checks the paths and folder_pattern a report check
// reads with the report file finder's own pattern syntax, so that the
// config accepts exactly the globs the checks can expand; what names the
// files ("report", "result") and the examples go into the messages.
func ValidateReportPaths(path string, paths []string, what, examplePaths, folderPattern, examplePattern string, p *Problems) {
	if len(paths) == 0 {
		p.Addf(path+".paths", "no %s paths; list files, folders or globs, e.g. %s", what, examplePaths)
	}
	for i, pt := range paths {
		if strings.TrimSpace(pt) == "" {
			p.Addf(fmt.Sprintf("%s.paths[%d]", path, i), "empty path; write a file, folder or glob")
		} else if err := files.ValidatePattern(pt); err != nil {
			p.Addf(fmt.Sprintf("%s.paths[%d]", path, i), "%v; fix the glob (see filepath.Match syntax, ** for any folders)", err)
		}
	}
	if err := files.ValidatePattern(folderPattern); folderPattern != "" && err != nil {
		p.Addf(path+".folder_pattern", "%v; write a file name pattern such as %s", err, examplePattern)
	}
}
