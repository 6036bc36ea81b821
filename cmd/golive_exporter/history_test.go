package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Under systemd (StateDirectory=golive) the board keeps its history in
// the state directory by default; elsewhere it keeps it in memory unless
// --board.history-file says where.
func TestDefaultHistoryFile(t *testing.T) {
	for env, want := range map[string]string{
		"/var/lib/golive":        "/var/lib/golive/board-history.json",
		"/var/lib/golive:/var/x": "/var/lib/golive/board-history.json",
		"":                       "",
	} {
		t.Setenv("STATE_DIRECTORY", env)
		assert.Equal(t, want, defaultHistoryFile(), env)
	}
}
