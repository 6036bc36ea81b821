package backup

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/golive/golive_exporter/collector"
)

// readFile reads at most max bytes of path, with ctx's deadline (see
// fsCall).
func readFile(ctx context.Context, path string, max int64) ([]byte, error) {
	data, err := fsCall(ctx, func() ([]byte, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, max+1))
		if err == nil && int64(len(data)) > max {
			err = collector.Failf(collector.ReasonInvalidResponse, "%s is larger than %d bytes; raise the size limit if that is expected", path, max)
		}
		return data, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return data, nil
}

// fsCall runs a filesystem call with ctx's deadline. The call runs in its
// own goroutine so that a hung filesystem (a dead NFS mount) cannot hold the
// check past ctx; the goroutine ends when the filesystem answers.
func fsCall[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
