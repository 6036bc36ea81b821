package monitoring

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a check leaves a goroutine behind (an
// idle connection, a body not closed).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
