package config

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

var dsnKVParamRE = regexp.MustCompile(`(?:^|\s)([a-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))`)

// DSNParam returns a parameter of a URL (postgres://...?key=value) or
// keyword (key=value ...) DSN, "" when it is absent.
func DSNParam(dsn, key string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return ""
		}
		return u.Query().Get(key)
	}
	for _, m := range dsnKVParamRE.FindAllStringSubmatch(dsn, -1) {
		if m[1] == key {
			return m[2] + m[3]
		}
	}
	return ""
}

var dsnKVUserRE = regexp.MustCompile(`(?i)(?:^|\s)user\s*=\s*('(?:[^'\\]|\\.)*'|[^\s]*)`)

// DSNUser returns the role a DSN names (URL user or user parameter, or
// the keyword form's user=), or "" when it names none.
func DSNUser(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return ""
		}
		if q := u.Query().Get("user"); q != "" {
			return q
		}
		if u.User != nil {
			return u.User.Username()
		}
		return ""
	}
	if m := dsnKVUserRE.FindStringSubmatch(dsn); m != nil {
		return strings.Trim(m[1], "'")
	}
	return ""
}

var (
	// dsnURLPassRE finds the user (1) and password (2) of a postgres://
	// URL, also when the URL does not parse.
	dsnURLPassRE = regexp.MustCompile(`^(postgres(?:ql)?://[^:@/]*):([^@/]*)@`)
	dsnKVPassRE  = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]*)`)
	dsnQueryPass = regexp.MustCompile(`(?i)([?&]password=)[^&]*`)
)

// MaskDSN replaces the password in a DSN (URL or keyword form) with <secret>.
func MaskDSN(dsn string) string {
	s := dsnURLPassRE.ReplaceAllString(dsn, "$1:<secret>@")
	s = dsnQueryPass.ReplaceAllString(s, "$1<secret>")
	if !strings.Contains(s, "://") {
		s = dsnKVPassRE.ReplaceAllString(s, "$1<secret>")
	}
	return s
}

// DSNPassword returns the password a DSN carries, or "".
func DSNPassword(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			if m := dsnURLPassRE.FindStringSubmatch(dsn); m != nil {
				return m[2]
			}
			return ""
		}
		if pw, ok := u.User.Password(); ok {
			return pw
		}
		return u.Query().Get("password")
	}
	if m := dsnKVPassRE.FindStringSubmatch(dsn); m != nil {
		return strings.Trim(m[2], "'")
	}
	return ""
}

// WithDSNParams returns dsn (URL or keyword form) with the non-empty params
// set: a URL's query values replaced, keywords appended in name order (a
// later keyword wins in libpq and pgx). A postgres:// DSN that is not a
// valid URL is an error.
func WithDSNParams(dsn string, params map[string]string) (string, error) {
	set := map[string]string{}
	for k, v := range params {
		if v != "" {
			set[k] = v
		}
	}
	if len(set) == 0 {
		return dsn, nil
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("dsn %s is not a valid URL", MaskDSN(dsn))
		}
		q := u.Query()
		for k, v := range set {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	var b strings.Builder
	b.WriteString(dsn)
	for _, k := range slices.Sorted(maps.Keys(set)) {
		fmt.Fprintf(&b, " %s='%s'", k, strings.ReplaceAll(strings.ReplaceAll(set[k], `\`, `\\`), `'`, `\'`))
	}
	return b.String(), nil
}
