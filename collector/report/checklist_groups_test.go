package report

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
)

// groupVerdicts runs the configuration's one check and returns each
// group's condition: true when it passed.
func groupVerdicts(t *testing.T, yml string) (collector.Result, map[string]bool) {
	t.Helper()
	res := collectortest.RunConfig(t, yml, 60*time.Second).Results[0]
	out := map[string]bool{}
	for _, c := range res.Conditions {
		if strings.HasPrefix(c.Name, "group ") {
			out[c.Name] = c.OK
		}
	}
	return res, out
}

// The checklist's testing items from a real Playwright run: the
// workflows (P1.4.01-P1.4.07) and the security suite (P1.4.08-P1.4.13)
// by tag, each browser (P1.4.21-P1.4.25) by project, Edge and the mobile
// devices included. Grade entry fails on Mobile Safari only: the grade
// entry and mobile items fail, every other item passes.
func TestChecklistGroupsFromPlaywright(t *testing.T) {
	pw, env := nodeTool(t, "playwright")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"package.json": "{}\n",
		"playwright.config.js": `const { defineConfig } = require('@playwright/test');
module.exports = defineConfig({
  testDir: './tests',
  projects: [
    { name: 'chromium' }, { name: 'firefox' }, { name: 'webkit' },
    { name: 'Microsoft Edge' }, { name: 'Mobile Chrome' }, { name: 'Mobile Safari' },
  ],
});
`,
		"tests/login.spec.js": `const { test, expect } = require('@playwright/test');
test.describe('Student login', { tag: '@P1.4.02' }, () => {
  test('shows the dashboard', async () => { expect(1).toBe(1); });
  test('rejects a wrong password', { tag: '@security' }, async () => { expect(1).toBe(1); });
});
`,
		"tests/grades.spec.js": `const { test, expect } = require('@playwright/test');
test.describe('Grades', () => {
  test('student sees the grades of every term @P1.4.03', async () => { expect(1).toBe(1); });
  test('teacher enters a grade', { tag: ['@P1.4.05', '@teacher'] }, async ({}, testInfo) => {
    expect(testInfo.project.name, 'the grade form overflows on a small screen').not.toBe('Mobile Safari');
  });
});
`,
		"tests/security.spec.js": `const { test, expect } = require('@playwright/test');
test.describe('Security', { tag: '@security' }, () => {
  test('blocks SQL injection in the student search', async () => { expect(1).toBe(1); });
  test('escapes script tags in comments (XSS)', async () => { expect(1).toBe(1); });
  test('refuses a form without its CSRF token', async () => { expect(1).toBe(1); });
});
`,
	})
	cmd := exec.Command(pw, "test", "--reporter=json,junit")
	cmd.Dir = dir
	cmd.Env = append(env, "PLAYWRIGHT_JSON_OUTPUT_NAME=results.json", "PLAYWRIGHT_JUNIT_OUTPUT_NAME=junit.xml")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Logf("playwright: %v\n%s", err, b) // exits 1: a test fails
	}
	groups := `
      groups:
        - {name: login, items: [P1.4.02], match: {tag: '^P1\.4\.02$'}, min_cases: 12}
        - {name: grades_view, items: [P1.4.03], match: {tag: '^P1\.4\.03$'}, min_cases: 6}
        - {name: grade_entry, items: [P1.4.05], match: {tag: '^P1\.4\.05$'}, min_cases: 6}
        - {name: security, items: [P1.4.08, P1.4.11, P1.4.12, P1.4.13], match: {tag: '^security$'}, min_cases: 24}
        - {name: chrome, items: [P1.4.21], match: {project: '^chromium$'}}
        - {name: firefox, items: [P1.4.22], match: {project: '^firefox$'}}
        - {name: safari, items: [P1.4.23], match: {project: '^webkit$'}}
        - {name: edge, items: [P1.4.24], match: {project: '^Microsoft Edge$'}}
        - {name: mobile, items: [P1.4.25], match: {project: '^Mobile '}, min_cases: 14}
`
	t.Run("json reporter", func(t *testing.T) {
		res, got := groupVerdicts(t, fmt.Sprintf("checks:\n  - name: e2e\n    test_report:\n      paths: [%q]%s", filepath.Join(dir, "results.json"), groups))
		assert.Equal(t, collector.StatusFail, res.Status, res.Message)
		assert.Equal(t, map[string]bool{
			"group login (P1.4.02)": true, "group grades_view (P1.4.03)": true, "group grade_entry (P1.4.05)": false,
			"group security (P1.4.08, P1.4.11, P1.4.12, P1.4.13)": true,
			"group chrome (P1.4.21)":                              true, "group firefox (P1.4.22)": true, "group safari (P1.4.23)": true,
			"group edge (P1.4.24)": true, "group mobile (P1.4.25)": false,
		}, got)
	})
	t.Run("junit reporter", func(t *testing.T) {
		// Playwright's JUnit keeps title tags (in the name) but drops the
		// tags given as options: those groups find no case there.
		res, got := groupVerdicts(t, fmt.Sprintf("checks:\n  - name: e2e\n    junit:\n      paths: [%q]%s", filepath.Join(dir, "junit.xml"), groups))
		assert.Equal(t, collector.StatusFail, res.Status, res.Message)
		assert.Equal(t, map[string]bool{
			"group login (P1.4.02)": false, "group grades_view (P1.4.03)": true, "group grade_entry (P1.4.05)": false,
			"group security (P1.4.08, P1.4.11, P1.4.12, P1.4.13)": false,
			"group chrome (P1.4.21)":                              true, "group firefox (P1.4.22)": true, "group safari (P1.4.23)": true,
			"group edge (P1.4.24)": true, "group mobile (P1.4.25)": false,
		}, got)
		for _, c := range res.Conditions {
			if c.Name == "group login (P1.4.02)" {
				assert.Contains(t, c.Observed, "no cases")
			}
		}
	})
}

// The same items from a real pytest --junitxml run of a Python backend's
// suite: the password reset workflow and the security suite by class and
// module, role checks by parameter, and the end-to-end tests per browser
// by the parameter pytest-playwright gives them (test_x[chromium]).
func TestChecklistGroupsFromPytest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pytest")
	}
	py := pytestPython(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"tests/__init__.py": "",
		"tests/test_auth.py": `class TestLogin:
    def test_login_ok(self):
        assert True

    def test_wrong_password_refused(self):
        assert True


class TestPasswordReset:
    def test_reset_mail_sent(self):
        assert True

    def test_reset_link_expires(self):
        assert 60 * 60 == 3600
`,
		"tests/test_security.py": `import pytest


class TestSQLInjection:
    def test_student_search_escapes_quotes(self):
        assert "O'Brien".replace("'", "''") == "O''Brien"


class TestXSS:
    def test_comment_is_escaped(self):
        assert "<script>".replace("<", "&lt;") == "&lt;script>"


@pytest.mark.parametrize("role", ["student", "teacher", "administrator"])
def test_rbac_grades_endpoint(role):
    assert role != "administrator", "administrators may not edit grades"
`,
		"tests/e2e/__init__.py": "",
		"tests/e2e/test_dashboard.py": `import pytest


@pytest.mark.parametrize("browser_name", ["chromium", "firefox", "webkit"])
def test_dashboard_loads(browser_name):
    assert True


@pytest.mark.parametrize("browser_name", ["chromium", "firefox", "webkit"])
def test_attendance_calendar(browser_name):
    assert browser_name != "webkit", "the date picker is not shown in WebKit"
`,
	})
	out := filepath.Join(dir, "junit.xml")
	cmd := exec.Command(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml="+out, "tests")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Logf("pytest: %v\n%s", err, b) // exits 1: two tests fail
	}
	res, got := groupVerdicts(t, fmt.Sprintf(`checks:
  - name: backend
    junit:
      paths: [%q]
      groups:
        - {name: login, items: [P1.4.08], match: {classname: '\.test_auth\.TestLogin$'}, min_cases: 2}
        - {name: password_reset, items: [P1.4.09], match: {classname: 'TestPasswordReset$'}, min_cases: 2}
        - {name: rbac, items: [P1.4.10], match: {name: '^test_rbac_'}, min_cases: 3}
        - {name: sql_injection, items: [P1.4.11], match: {classname: 'TestSQLInjection$'}}
        - {name: xss, items: [P1.4.12], match: {classname: 'TestXSS$'}}
        - {name: chrome, items: [P1.4.21], match: {name: '\[chromium\]$'}, min_cases: 2}
        - {name: firefox, items: [P1.4.22], match: {name: '\[firefox\]$'}, min_cases: 2}
        - {name: safari, items: [P1.4.23], match: {name: '\[webkit\]$'}, min_cases: 2}
`, out))
	assert.Equal(t, collector.StatusFail, res.Status, res.Message)
	assert.Equal(t, map[string]bool{
		"group login (P1.4.08)": true, "group password_reset (P1.4.09)": true, "group rbac (P1.4.10)": false,
		"group sql_injection (P1.4.11)": true, "group xss (P1.4.12)": true,
		"group chrome (P1.4.21)": true, "group firefox (P1.4.22)": true, "group safari (P1.4.23)": false,
	}, got)
}

// The @tags of a title, as Playwright reads them.
func TestTitleTags(t *testing.T) {
	cases := []struct {
		c    Case
		re   string
		want bool
	}{
		{Case{Name: "Grades › teacher enters a grade @P1.4.05 @teacher"}, `^P1\.4\.05$`, true},
		{Case{Name: "logs in @smoke."}, `^smoke$`, true},
		{Case{Classname: "Student login @login", Name: "shows the dashboard"}, `^login$`, true},
		{Case{Suite: "tests/login.spec.js", Name: "mail to ops@example.com"}, `example`, false},
		{Case{Name: "(@security) escapes XSS"}, `^security$`, true},
		{Case{Name: "no tags here"}, `.`, false},
		{Case{Name: "x", Tags: []string{"@regression", "security"}}, `^security$`, true},
		{Case{Name: "x", Tags: []string{"@regression"}}, `^regression$`, true},
	}
	for _, c := range cases {
		cg, err := compileMatch(config.TestMatch{Tag: c.re})
		assert.NoError(t, err)
		assert.Equal(t, c.want, cg.match(&c.c), "%+v ~ %s", c.c, c.re)
	}
}
