//go:build unix

package main

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// devOfPath is the number of the filesystem holding p.
func devOfPath(t *testing.T, p string) uint64 {
	t.Helper()
	var st syscall.Stat_t
	require.NoError(t, syscall.Stat(p, &st))
	return uint64(st.Dev) //nolint:unconvert // int32 on some platforms
}
