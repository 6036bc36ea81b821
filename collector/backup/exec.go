package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/golive/golive_exporter/collector"
)

// waitDelay is how long a killed command's pipes may stay open (a grandchild
// holding stdout) before Wait gives up on them.
const waitDelay = 2 * time.Second

// command is one external program run, bounded in time and in output.
type command struct {
	path  string
	args  []string
	env   []string // added to the exporter's environment
	stdin io.Reader
	// maxOutput bounds stdout; more fails the run.
	maxOutput int64
	// stdout, when set, receives the output instead of the returned slice.
	stdout io.Writer
	// outputOnExit lists exit statuses that still answer: their stdout is
	// returned as on success (barman check exits 1 when a check fails but
	// prints its JSON).
	outputOnExit []int
}

// run starts the program in its own process group and kills the whole group
// when ctx ends, so a hanging tool (or a shell script's sleeping child) can
// never hold a check past its deadline. It returns stdout.
func (c command) run(ctx context.Context) ([]byte, error) {
	cmd := exec.CommandContext(ctx, c.path, c.args...)
	ownProcessGroup(cmd)
	cmd.WaitDelay = waitDelay
	if len(c.env) > 0 {
		cmd.Env = append(cmd.Environ(), c.env...)
	}
	cmd.Stdin = c.stdin
	out := &limitedBuffer{max: c.maxOutput}
	if c.stdout != nil {
		cmd.Stdout = c.stdout
	} else {
		cmd.Stdout = out
	}
	stderr := &tailBuffer{max: 4096}
	cmd.Stderr = stderr
	err := cmd.Run()
	name := c.describe()
	if ctx.Err() != nil {
		return nil, collector.WithReason(collector.ReasonTimeout, fmt.Errorf("%s did not finish in time and was killed: %w", name, ctx.Err()))
	}
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return nil, collector.Failf(collector.ReasonNotFound, "%s: %v; install it or set the path to the binary", name, err)
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && slices.Contains(c.outputOnExit, ee.ExitCode()) && !out.overflow && out.buf.Len() > 0 {
			return out.buf.Bytes(), nil
		}
		if errors.As(err, &ee) {
			return nil, collector.Failf(collector.OutputReason(stderr.summary(), collector.ReasonCommandFailed), "%s exited with status %d: %s", name, ee.ExitCode(), stderr.summary())
		}
		return nil, collector.WithReason(collector.ReasonCommandFailed, fmt.Errorf("running %s: %w", name, err))
	}
	if out.overflow {
		return nil, collector.Failf(collector.ReasonInvalidResponse, "%s printed more than %d bytes; raise max_output if that is expected", name, c.maxOutput)
	}
	return out.buf.Bytes(), nil
}

func (c command) describe() string {
	parts := []string{c.path}
	for _, a := range c.args {
		if len(parts) >= 4 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, a)
	}
	return "`" + strings.Join(parts, " ") + "`"
}

// limitedBuffer keeps at most max bytes and notes that more came.
type limitedBuffer struct {
	buf      bytes.Buffer
	max      int64
	overflow bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.max > 0 && int64(b.buf.Len()+len(p)) > b.max {
		b.overflow = true
		return len(p), nil
	}
	return b.buf.Write(p)
}

// tailBuffer keeps the last max bytes of stderr for error messages.
type tailBuffer struct {
	buf []byte
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = b.buf[len(b.buf)-b.max:]
	}
	return len(p), nil
}

// summary is stderr's last lines, trimmed, for an error message.
func (b *tailBuffer) summary() string {
	s := strings.TrimSpace(string(b.buf))
	if s == "" {
		return "(no error output)"
	}
	lines := strings.Split(s, "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, " / ")
}
