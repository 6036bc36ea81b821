package report

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests here run the JavaScript test runners teams use (Jest with
// jest-junit, Vitest, Playwright) on small suites written here and read the
// reports they write: real producers, not hand-made fixtures. The expected
// figures are worked out from the suites' tests. scripts/install-deps.sh
// installs the runners (npm -g); without them the tests skip, except in CI.

// nodeTool finds a globally installed Node.js command and the folder of the
// global modules (for NODE_PATH, so the suites' require() finds them).
func nodeTool(t *testing.T, name string) (bin string, env []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs " + name)
	}
	bin = testutil.Tool(t, name)
	root, err := exec.Command("npm", "root", "-g").Output()
	if err != nil {
		testutil.MissingTool(t, "%s: npm root -g: %v", name, err)
	}
	return bin, append(os.Environ(), "NODE_PATH="+strings.TrimSpace(string(root)), "NO_COLOR=1")
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
}

// The suite Jest and Vitest run: in grades, two pass, one fails, one is
// skipped and one is a todo; login passes; broken cannot load a module.
const jsGradesTest = `describe('Grades', () => {
  test('shows the letter grade', () => { expect(1 + 1).toBe(2); });
  test('averages by term', () => { expect(2 * 2).toBe(5); });
  test.skip('exports to PDF', () => {});
  test.todo('exports to Excel');
  describe('teacher', () => {
    test('enters a grade', () => {});
  });
});
`

func TestReportsFromJest(t *testing.T) {
	jest, env := nodeTool(t, "jest")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"package.json":   "{}\n",
		"grades.test.js": jsGradesTest,
		"login.test.js":  "test('logs in', () => {});\n",
		"broken.test.js": "require('./does-not-exist');\ntest('never runs', () => {});\n",
	})
	cmd := exec.Command(jest, "--ci", "--json", "--outputFile=results.json", "--reporters=default", "--reporters=jest-junit")
	cmd.Dir = dir
	cmd.Env = append(env, "JEST_JUNIT_OUTPUT_DIR=.", "JEST_JUNIT_OUTPUT_NAME=junit.xml")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Logf("jest: %v\n%s", err, b) // exits 1: a test fails
	}

	t.Run("--json", func(t *testing.T) {
		g, err := newGrouper([]config.TestGroup{{Name: "teacher", Match: config.TestMatch{Classname: "^Grades › teacher$"}}})
		require.NoError(t, err)
		s, err := parseJSONFile(t, filepath.Join(dir, "results.json"), TestReportAuto, g)
		require.NoError(t, err)
		assert.Equal(t, TestReportJest, s.Format)
		// pending and todo are skipped; the file that failed to load is one
		// error beside numTotalTests.
		assert.Equal(t, counts(3, 1, 1, 2, 0, 0), s.Counts)
		assert.Equal(t, 6, s.Declared)
		assert.Zero(t, s.Mismatches)
		assert.Equal(t, counts(1, 0, 0, 0, 0, 0), s.Groups[0])
		assert.WithinDuration(t, time.Now(), s.Newest, 10*time.Minute)
		assert.True(t, s.HasDuration)
	})
	t.Run("jest-junit", func(t *testing.T) {
		s, err := parseJUnitFile(t, filepath.Join(dir, "junit.xml"), nil)
		require.NoError(t, err)
		// jest-junit leaves out the file that failed to load, and writes the
		// todo as a plain (passed) case while the Grades suite says
		// tests="4" around its 5 cases and the root tests="5" around 6:
		// both counters disagree with the cases.
		assert.Equal(t, counts(4, 1, 0, 1, 0, 0), s.Counts)
		assert.Equal(t, 5, s.Declared)
		assert.Equal(t, 2, s.Mismatches)
		assert.WithinDuration(t, time.Now(), s.Newest, 10*time.Minute)
	})
}

func TestReportsFromVitest(t *testing.T) {
	vitest, env := nodeTool(t, "vitest")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"package.json":   `{"type": "module"}` + "\n",
		"grades.test.js": jsGradesTest,
		"login.test.js":  "test('logs in', () => {});\n",
		"broken.test.js": "import './does-not-exist.js';\ntest('never runs', () => {});\n",
	})
	cmd := exec.Command(vitest, "run", "--globals", "--reporter=json", "--outputFile.json=results.json", "--reporter=junit", "--outputFile.junit=junit.xml")
	cmd.Dir = dir
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Logf("vitest: %v\n%s", err, b) // exits 1: a test fails
	}

	t.Run("--reporter=json", func(t *testing.T) {
		s, err := parseJSONFile(t, filepath.Join(dir, "results.json"), TestReportAuto, nil)
		require.NoError(t, err)
		assert.Equal(t, TestReportJest, s.Format, "Vitest writes Jest's shape")
		assert.Equal(t, counts(3, 1, 1, 2, 0, 0), s.Counts)
		assert.Equal(t, 6, s.Declared)
		assert.WithinDuration(t, time.Now(), s.Newest, 10*time.Minute)
	})
	t.Run("--reporter=junit", func(t *testing.T) {
		g, err := newGrouper([]config.TestGroup{{Name: "grades", Match: config.TestMatch{Suite: `^grades\.test\.js$`}}})
		require.NoError(t, err)
		s, err := parseJUnitFile(t, filepath.Join(dir, "junit.xml"), g)
		require.NoError(t, err)
		// Vitest writes the file that failed to load as one failed case
		// named after the file, and the todo as skipped.
		assert.Equal(t, counts(3, 2, 0, 2, 0, 0), s.Counts)
		assert.Equal(t, 7, s.Declared)
		assert.Zero(t, s.Mismatches)
		assert.Equal(t, counts(2, 1, 0, 2, 0, 0), s.Groups[0])
		assert.WithinDuration(t, time.Now(), s.Newest, 10*time.Minute)
	})
}

// TestReportsFromPlaywright runs Playwright with three browser projects
// (the tests use no page, so no browser is started) and reads its JSON and
// JUnit reports per project. Per project: "rejects a wrong password"
// fails in firefox (on the run and the retry); "remembers the session"
// fails only on webkit's first try (flaky); "known rounding bug" is
// test.fail() (expected to fail) everywhere; "export" is skipped in
// chromium.
func TestReportsFromPlaywright(t *testing.T) {
	pw, env := nodeTool(t, "playwright")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"package.json": "{}\n",
		"playwright.config.js": `const { defineConfig } = require('@playwright/test');
module.exports = defineConfig({
  testDir: './tests',
  retries: 1,
  projects: [{ name: 'chromium' }, { name: 'firefox' }, { name: 'webkit' }],
});
`,
		"tests/login.spec.js": `const { test, expect } = require('@playwright/test');
test.describe('Student login', () => {
  test('shows the dashboard', async () => { expect(1).toBe(1); });
  test('rejects a wrong password', async ({}, testInfo) => {
    expect(testInfo.project.name).not.toBe('firefox');
  });
  test('remembers the session', async ({}, testInfo) => {
    if (testInfo.project.name === 'webkit') expect(testInfo.retry).toBe(1);
  });
  test('known rounding bug', async () => { test.fail(); expect(0.1 + 0.2).toBe(0.3); });
  test('export', async ({}, testInfo) => { test.skip(testInfo.project.name === 'chromium', 'no PDF viewer'); });
});
`,
	})
	cmd := exec.Command(pw, "test", "--reporter=json,junit")
	cmd.Dir = dir
	cmd.Env = append(env, "PLAYWRIGHT_JSON_OUTPUT_NAME=results.json", "PLAYWRIGHT_JUNIT_OUTPUT_NAME=junit.xml")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Logf("playwright: %v\n%s", err, b) // exits 1: a test fails
	}
	browsers := []config.TestGroup{
		{Name: "chrome", Match: config.TestMatch{Project: "^chromium$"}},
		{Name: "firefox", Match: config.TestMatch{Project: "^firefox$"}},
		{Name: "safari", Match: config.TestMatch{Project: "^webkit$"}},
	}
	g, err := newGrouper(browsers)
	require.NoError(t, err)

	t.Run("json reporter", func(t *testing.T) {
		s, err := parseJSONFile(t, filepath.Join(dir, "results.json"), TestReportAuto, g)
		require.NoError(t, err)
		assert.Equal(t, TestReportPlaywright, s.Format)
		assert.Equal(t, counts(9, 1, 0, 1, 1, 3), s.Counts)
		assert.Equal(t, 15, s.Declared, "expected 12 + unexpected 1 + flaky 1 + skipped 1")
		assert.Zero(t, s.Mismatches)
		assert.Equal(t, counts(3, 0, 0, 1, 0, 1), s.Groups[0], "chromium")
		assert.Equal(t, counts(3, 1, 0, 0, 0, 1), s.Groups[1], "firefox")
		assert.Equal(t, counts(3, 0, 0, 0, 1, 1), s.Groups[2], "webkit")
		assert.WithinDuration(t, time.Now(), s.Newest, 10*time.Minute)
		assert.True(t, s.HasDuration)
	})
	t.Run("junit reporter", func(t *testing.T) {
		s, err := parseJUnitFile(t, filepath.Join(dir, "junit.xml"), g)
		require.NoError(t, err)
		// One suite per project, the project in hostname. JUnit has no
		// flaky or expected-failure outcome: Playwright writes both as
		// passed cases.
		assert.Equal(t, counts(13, 1, 0, 1, 0, 0), s.Counts)
		assert.Equal(t, 15, s.Declared)
		assert.Zero(t, s.Mismatches)
		assert.Equal(t, counts(4, 0, 0, 1, 0, 0), s.Groups[0], "chromium")
		assert.Equal(t, counts(4, 1, 0, 0, 0, 0), s.Groups[1], "firefox")
		assert.Equal(t, counts(5, 0, 0, 0, 0, 0), s.Groups[2], "webkit")
		assert.WithinDuration(t, time.Now(), s.Newest, 10*time.Minute)
	})
}
