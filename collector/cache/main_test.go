package cache

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a check leaves a goroutine behind
// (a pool's connect or health-check loop, a hung read).
// go-redis probes a target it failed to dial from a goroutine that sleeps a
// second between tries and ends at its next wake-up after the pool closes.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}
