package network

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxRedirects bounds how many redirects a check follows.
const maxRedirects = 10

// newClient wraps rt; follow says whether redirects are followed, and
// redirects counts them.
func newClient(rt http.RoundTripper, follow bool, redirects *int) *http.Client {
	return &http.Client{
		Transport: rt,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !follow {
				return http.ErrUseLastResponse
			}
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			if redirects != nil {
				*redirects = len(via)
			}
			return nil
		},
	}
}

// readBounded reads at most limit bytes of r; truncated says there was more.
// A huge answer is cut, never read whole.
func readBounded(r io.Reader, limit int64) (body []byte, truncated bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(body)) > limit {
		return body[:limit], true, nil
	}
	if err != nil && errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("the answer ended early: %w", err)
	}
	return body, false, err
}

// discardBody reads a little of an answer whose body does not matter and
// closes it, so the connection ends cleanly.
func discardBody(resp *http.Response) {
	_, _, _ = readBounded(resp.Body, 64<<10)
	resp.Body.Close()
}

// redactURL drops the query string and credentials from a URL for
// messages: they may carry tokens. Only an @ in the authority (before the
// path) ends credentials; one in the path (/users/@me) is kept.
func redactURL(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	s := strings.Index(raw, "://")
	if s < 0 {
		return raw
	}
	authority := raw[s+3:]
	if slash := strings.IndexByte(authority, '/'); slash >= 0 {
		authority = authority[:slash]
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		raw = raw[:s+3] + raw[s+3+at+1:]
	}
	return raw
}
