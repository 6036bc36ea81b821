package collector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReasonOfRealErrors classifies errors produced by real network and
// file operations, not hand-made ones.
func TestReasonOfRealErrors(t *testing.T) {
	_, refused := net.DialTimeout("tcp", testutil.FreeAddr(t), 5*time.Second)
	require.Error(t, refused)

	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	_, tlsErr := http.Get(tlsSrv.URL) // the test CA is not trusted
	require.Error(t, tlsErr)

	_, missing := os.Open(filepath.Join(t.TempDir(), "nope"))

	// A read that times out on a connection that stays silent.
	l2, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l2.Close()
	conn, err := net.Dial("tcp", l2.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Millisecond)))
	_, readTimeout := conn.Read(make([]byte, 1))

	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()

	cases := []struct {
		name string
		err  error
		want Reason
	}{
		{"nil", nil, ReasonNone},
		{"refused", fmt.Errorf("connecting: %w", refused), ReasonConnRefused},
		{"tls", tlsErr, ReasonTLS},
		{"missing file", missing, ReasonNotFound},
		{"read timeout", readTimeout, ReasonTimeout},
		{"context", fmt.Errorf("querying: %w", ctx.Err()), ReasonTimeout},
		{"explicit wins", Failf(ReasonStale, "newest backup is 3 days old"), ReasonStale},
		{"wrapped explicit", fmt.Errorf("outer: %w", WithReason(ReasonAuth, errors.New("denied"))), ReasonAuth},
		{"plain", errors.New("odd"), ReasonError},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, ReasonOf(c.err), c.name)
	}
	assert.NoError(t, WithReason(ReasonAuth, nil))
}

func TestReasonsAreAFixedLabelSafeSet(t *testing.T) {
	seen := map[Reason]bool{}
	re := regexp.MustCompile(`^[a-z][a-z_]*$`)
	for _, r := range Reasons() {
		assert.Regexp(t, re, string(r))
		assert.False(t, seen[r], "duplicate reason %s", r)
		seen[r] = true
	}
	for _, r := range []Reason{ReasonTimeout, ReasonConnRefused, ReasonTLS, ReasonUnexpectedStatus, ReasonConditionFailed, ReasonScrapeDeadline} {
		assert.True(t, seen[r], "%s listed", r)
	}
}

// Scrub removes every secret from an error's text and keeps the error it
// wraps reachable, so the reason is still classified.
func TestScrub(t *testing.T) {
	assert.NoError(t, Scrub(nil, "pw"))
	plain := errors.New("dial tcp: connection refused")
	assert.Same(t, plain, Scrub(plain, "pw", ""), "an error without a secret comes back as is")

	inner := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	err := Scrub(fmt.Errorf("connecting with password hunter2 (and again hunter2): %w", inner), "", "hunter2")
	assert.Equal(t, "connecting with password <secret> (and again <secret>): dial: connection refused", err.Error())
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Equal(t, ReasonConnRefused, ReasonOf(err))
}
