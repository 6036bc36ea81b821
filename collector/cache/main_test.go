package cache

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a check leaves a goroutine behind
// (a pool's connect or health-check loop, a hung read).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
