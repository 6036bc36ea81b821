package testutil

import (
	"fmt"
	"os"
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
