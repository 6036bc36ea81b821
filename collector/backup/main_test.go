package backup

import (
	"testing"

	"go.uber.org/goleak"
)

// Every command, file read and connection a check starts ends with it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
