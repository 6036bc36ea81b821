package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On a terminal the table is coloured and stderr shows a status line that
// is redrawn in place while checks run.
func TestCheckOnATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "xterm-256color")
	stdout, readOut := openPTY(t)
	stderr, readErr := openPTY(t)
	cfgPath, _ := checkFixture(t)
	code := run([]string{"--config.file", cfgPath, "check", "--at", "2026-11-30T08:00:00Z"}, stdout, stderr)
	assert.Equal(t, exitNotReady, code)
	out, errOut := readOut(), readErr()
	assert.Contains(t, out, "\x1b[31m✘\x1b[0m", "coloured marks")
	assert.Contains(t, out, "\x1b[1;31mNO-GO", "coloured verdict")
	assert.Contains(t, errOut, "\r\x1b[Kchecked 4/4; running: ", "the status line, redrawn in place")
	assert.NotContains(t, errOut, "checked 1/3: ", "no log lines on a terminal")
	assert.True(t, strings.HasSuffix(errOut, "\r\x1b[K"), "the status line is cleared at the end: %q", errOut)
}

// Piped into a file or another program (the real binary, its stdout and
// stderr pipes), the output has no escape codes at all: no colours and no
// redrawn status line, but one progress line per check on stderr.
func TestCheckPipedHasNoEscapeCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	cfgPath, _ := checkFixture(t)
	var out, errOut bytes.Buffer
	cmd := exec.Command(binary(t), "--config.file", cfgPath, "check", "--at", "2026-11-30T08:00:00Z")
	cmd.Stdout, cmd.Stderr = &out, &errOut // exec connects these through pipes
	cmd.Env = append(os.Environ(), "NO_COLOR=", "TERM=xterm-256color")
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "NO-GO exits 1")
	assert.Equal(t, exitNotReady, exit.ExitCode())
	assert.NotContains(t, out.String(), "\x1b", "no escape code on stdout")
	assert.NotContains(t, errOut.String(), "\x1b", "no escape code on stderr")
	assert.Regexp(t, `✘ fail +P1.1.02`, out.String())
	assert.Contains(t, errOut.String(), "checked 4/4: ")
}

// While a slow check runs, a log (no terminal) gets a line now and then
// naming it, so a long restore test does not look like a hang.
func TestCheckProgressWhileSlowChecksRun(t *testing.T) {
	if testing.Short() {
		t.Skip("opens local listeners")
	}
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer slow.Close()
	dir := t.TempDir()
	cfg := "checks:\n  - name: slow_api\n    items: [P3.1.04]\n    timeout: 60s\n    http: {url: \"" + slow.URL + "/health\"}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "golive.yml"), []byte(cfg), 0o600))

	old := heartbeatEvery
	heartbeatEvery = 10 * time.Millisecond
	defer func() { heartbeatEvery = old }()
	var out bytes.Buffer
	errOut := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"--config.file", filepath.Join(dir, "golive.yml"), "check", "--phase", "P3", "--at", "2026-11-30T08:00:00Z"}, &out, errOut)
	}()
	require.Eventually(t, func() bool { return strings.Contains(errOut.String(), "(0/1 done): slow_api") }, 30*time.Second, 5*time.Millisecond,
		"a still-running line names the slow check; stderr: %s", errOut)
	close(release)
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("check did not finish after the slow server answered")
	}
	assert.Contains(t, errOut.String(), "still running after ")
	assert.Contains(t, errOut.String(), "checked 1/1: slow_api pass")
	assert.Contains(t, out.String(), "✔ pass     P3.1.04")
}

// Redirected to /dev/null (a character device, but no terminal) the output
// is treated as a file: no colour, no status line.
func TestDevNullIsNoTerminal(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer devNull.Close()
	assert.False(t, isTerminal(devNull))
	tty, _ := openPTY(t)
	assert.True(t, isTerminal(tty))
}
