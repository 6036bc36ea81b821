package network

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a check leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
