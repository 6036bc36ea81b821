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
// A huge answer is cut, never read whole. It reads into chunks that grow to
// at most maxReadChunk and joins them once at the end, so reading n bytes
// costs about 2n at its peak (io.ReadAll's unbounded growth cost 3n).
func readBounded(r io.Reader, limit int64) (body []byte, truncated bool, err error) {
	lr := io.LimitReader(r, limit+1)
	var chunks [][]byte
	cur := make([]byte, 0, 512)
	total := 0
	for {
		if len(cur) == cap(cur) {
			chunks = append(chunks, cur)
			cur = make([]byte, 0, min(2*cap(cur), maxReadChunk))
		}
		var n int
		n, err = lr.Read(cur[len(cur):cap(cur)])
		cur = cur[:len(cur)+n]
		total += n
		if err != nil {
			break
		}
	}
	if err == io.EOF {
		err = nil
	}
	body = cur
	if len(chunks) > 0 {
		body = make([]byte, 0, total)
		for _, c := range chunks {
			body = append(body, c...)
		}
		body = append(body, cur...)
	}
	if int64(len(body)) > limit {
		return body[:limit], true, nil
	}
	if err != nil && errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("the answer ended early: %w", err)
	}
	return body, false, err
}

// maxReadChunk caps the chunks readBounded reads into.
const maxReadChunk = 1 << 20

// readAnswer reads an answer's body like readBounded. When the answer says
// its length (Content-Length) and that fits the limit, the body goes into
// one buffer of that size instead of growing chunks that are copied at the
// end: a large answer then costs its size once, not twice.
func readAnswer(resp *http.Response, limit int64) (body []byte, truncated bool, err error) {
	n := resp.ContentLength
	if n < 0 || n > limit {
		return readBounded(resp.Body, limit)
	}
	body = make([]byte, n)
	got, err := io.ReadFull(resp.Body, body)
	switch {
	case err == io.EOF && got == 0:
		// No body although a length was announced: a HEAD request.
		return body[:0], false, nil
	case err != nil:
		return body[:got], false, fmt.Errorf("the answer ended early after %d of %d bytes: %w", got, n, err)
	}
	return body, false, nil
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
