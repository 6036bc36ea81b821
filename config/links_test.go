package config

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A check's evidence links reach the board as links, so only absolute
// http(s) URLs with a title are taken: a javascript: or data: URL, a
// relative path or a URL split over lines is refused at its line.
func TestCheckLinks(t *testing.T) {
	const head = "checks:\n  - name: api\n    tcp: {address: \"api:443\"}\n    links:\n"
	cases := []struct {
		name, links string
		line        int
		msg         string
	}{
		{name: "https and http", links: "      - {title: Load test report, url: \"https://ci.example.com/k6/42/report.html\"}\n      - {title: Dashboard, url: \"http://grafana:3000/d/golive\"}\n"},
		{name: "javascript", links: "      - {title: Report, url: \"javascript:alert(1)\"}\n", line: 5,
			msg: `checks[0].links[0].url: link URL "javascript:alert(1)" is not an absolute http(s) URL`},
		{name: "data", links: "      - {title: Report, url: \"data:text/html,<script>alert(1)</script>\"}\n", line: 5,
			msg: `is not an absolute http(s) URL`},
		{name: "relative", links: "      - {title: Report, url: reports/k6.html}\n", line: 5, msg: `is not an absolute http(s) URL`},
		{name: "no host", links: "      - {title: Report, url: \"https:///x\"}\n", line: 5, msg: `is not an absolute http(s) URL`},
		{name: "newline", links: "      - {title: Report, url: \"https://a.example.com/\\nx\"}\n", line: 5, msg: `is not an absolute http(s) URL`},
		{name: "no title", links: "      - {url: \"https://a.example.com/\"}\n", line: 5, msg: `checks[0].links[0].title: link has no title`},
		{name: "second link", links: "      - {title: Ok, url: \"https://a.example.com/\"}\n      - {title: Bad, url: \"ftp://a.example.com/\"}\n", line: 6,
			msg: `checks[0].links[1].url`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load([]byte(head+tc.links), "links.yml")
			if tc.msg == "" {
				require.NoError(t, err)
				require.Len(t, cfg.Checks[0].Links, 2)
				assert.Equal(t, Link{Title: "Load test report", URL: "https://ci.example.com/k6/42/report.html"}, cfg.Checks[0].Links[0])
				return
			}
			var es Errors
			require.True(t, errors.As(err, &es), "%v", err)
			assert.Equal(t, tc.line, es[0].Line, es.Error())
			assert.Contains(t, es[0].Error(), tc.msg)
		})
	}
}
