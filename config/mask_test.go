package config

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaskURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://app.example.com/health", "https://app.example.com/health"},
		{"https://app.example.com/health?token=abc123", "https://app.example.com/health?token=<secret>"},
		{"https://app.example.com/h?token=abc&format=json#top", "https://app.example.com/h?token=<secret>&format=<secret>#top"},
		{"https://app.example.com/h?abc123", "https://app.example.com/h?<secret>"},
		{"https://app.example.com/h?a=1&&b", "https://app.example.com/h?a=<secret>&&<secret>"},
		{"https://user:pa55@app.example.com/h", "https://user:<secret>@app.example.com/h"},
		{"https://user@app.example.com/h", "https://user@app.example.com/h"},
		{"https://u:p@ss@host:8443?x=1", "https://u:<secret>@host:8443?x=<secret>"},
		{"/api/v1/items?api_key=k", "/api/v1/items?api_key=<secret>"},
		{"http://h/p?t=%zz", "http://h/p?t=<secret>"}, // does not parse: masked all the same
		{"https://app.example.com/h?token=<secret>", "https://app.example.com/h?token=<secret>"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, MaskURL(c.in), c.in)
	}
}

func TestMaskURLsIn(t *testing.T) {
	cases := []struct{ in, want string }{
		{"no url here", "no url here"},
		{`oauth2: cannot fetch token: Post "http://127.0.0.1:9/oauth/token?api_key=s3cret": dial tcp: connection refused`,
			`oauth2: cannot fetch token: Post "http://127.0.0.1:9/oauth/token?api_key=<secret>": dial tcp: connection refused`},
		{"redirected to https://sso.example.com/login?session=abc and http://x/?a=b", "redirected to https://sso.example.com/login?session=<secret> and http://x/?a=<secret>"},
		{"see https://u:pw@h/", "see https://u:<secret>@h/"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, MaskURLsIn(c.in), c.in)
	}
}

// A query value or URL password never survives MaskURLsIn, and masking
// twice changes nothing.
func FuzzMaskURLsIn(f *testing.F) {
	f.Add(`Get "https://h/p?token=abc&x=1": EOF`)
	f.Add("https://u:p@h/?a")
	f.Add("x://?=&=#?")
	f.Fuzz(func(t *testing.T, s string) {
		once := MaskURLsIn(s)
		require.Equal(t, once, MaskURLsIn(once))
		if utf8.ValidString(s) {
			require.True(t, utf8.ValidString(once))
		}
		for _, u := range urlInTextRE.FindAllString(once, -1) {
			_, q, ok := strings.Cut(strings.SplitN(u, "#", 2)[0], "?")
			if !ok {
				continue
			}
			for _, p := range strings.Split(q, "&") {
				_, v, _ := strings.Cut(p, "=")
				if p != "" && v != "" {
					require.Equal(t, "<secret>", v, "in %q", once)
				}
			}
		}
	})
}

// /config shows the secrets that are plain strings as <secret>: tokens in
// URL query strings (a probe's url, an OAuth2 token_url), OAuth2
// endpoint_params values and credential headers. (User passwords in URLs
// are refused at load.)
func TestMarshalMasksSecretsInURLs(t *testing.T) {
	const sentinel = "S3ntinel-url-secret"
	cfg, err := Load([]byte(`checks:
  - name: api
    http:
      url: "https://app.example.com/health?token=`+sentinel+`&format=json"
      headers: {X-Api-Key: `+sentinel+`, Accept: application/json}
      oauth2:
        client_id: golive
        client_secret: x
        token_url: "https://sso.example.com/token?client_key=`+sentinel+`"
        endpoint_params: {audience: `+sentinel+`}
`), "test.yml")
	require.NoError(t, err)
	out, err := cfg.Marshal()
	require.NoError(t, err)
	text := string(out)
	assert.NotContains(t, text, sentinel)
	for _, want := range []string{
		"url: https://app.example.com/health?token=<secret>&format=<secret>",
		"token_url: https://sso.example.com/token?client_key=<secret>",
		"audience: <secret>",
		"X-Api-Key: <secret>",
		"Accept: application/json",
	} {
		assert.Contains(t, text, want)
	}
	// Marshal does not change the configuration it shows.
	assert.Contains(t, cfg.Checks[0].Spec().(*httpStandIn).URL, sentinel)
}
