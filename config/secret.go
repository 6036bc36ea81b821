package config

import (
	"context"
	"fmt"
	"os"
	"strings"

	commoncfg "github.com/prometheus/common/config"
)

// Secret is a string that is shown as <secret> whenever the configuration is
// marshalled (config endpoint, logs).
type Secret = commoncfg.Secret

// ReadSecret resolves a secret given inline, in a file (first line, trailing
// newline removed) or by reference: ref is a name the secret manager m
// resolves, as for the HTTP kinds' password_ref (the exporter's manager
// reads the environment variable of that name). env is the deprecated
// *_env spelling of a reference, read the same way for one more release.
// The file and reference forms keep secrets out of the configuration; at
// most one may be set (ValidateSecret).
func ReadSecret(ctx context.Context, m commoncfg.SecretManager, inline Secret, file, ref, env string) (string, error) {
	if ref == "" {
		ref = env
	}
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("reading secret file %s: %w", file, err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimSuffix(line, "\r"), nil
	case ref != "":
		if m == nil {
			return "", fmt.Errorf("secret reference %s: no secret manager to resolve it", ref)
		}
		return m.Fetch(ctx, ref)
	default:
		return string(inline), nil
	}
}

// ValidateSecret reports a secret given in more than one way (the
// deprecated name_env counts as name_ref).
func ValidateSecret(path, name string, inline Secret, file, ref, env string, p *Problems) {
	n := 0
	for _, set := range []bool{inline != "", file != "", ref != "", env != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		p.Addf(path, "%s is given more than once; use one of %s, %s_file or %s_ref", name, name, name, name)
	}
}
