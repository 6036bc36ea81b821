package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// MissingTool ends a test whose real tool (pgbackrest, locust, node, ...) is
// not installed: it skips the test on a developer's machine but fails it
// in CI (CI set), where scripts/install-deps.sh installs every tool, so
// that a broken install step cannot hide behind a skipped test.
func MissingTool(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI installs it with scripts/install-deps.sh)", msg)
	}
	t.Skipf("%s (scripts/install-deps.sh installs it)", msg)
}

// Tool returns the path of the real tool name (prometheus, promtool,
// amtool, ...) a test runs, or ends the test through MissingTool when it
// is not on PATH.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		MissingTool(t, "%s is not installed", name)
	}
	return p
}
