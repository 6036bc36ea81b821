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
// reads the environment variable of that name). The file and reference
// forms keep secrets out of the configuration; at most one may be set
// (ValidateSecret). A deprecated *_env reference was folded into ref when
// the configuration was loaded (FoldDeprecatedRef).
func ReadSecret(ctx context.Context, m commoncfg.SecretManager, inline Secret, file, ref string) (string, error) {
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

// FoldDeprecatedRef reads a secret's deprecated *_env key (env, still
// read for one release) as its *_ref key (ref): SetDefaults calls it, so
// that whatever reads the settings afterwards reads ref alone. When both
// are given nothing is folded, and ValidateSecret refuses the pair.
func FoldDeprecatedRef(ref, env *string) {
	if *ref == "" {
		*ref, *env = *env, ""
	}
}

// ValidateSecret reports a secret given in more than one way (a
// deprecated name_env left beside name_ref by FoldDeprecatedRef counts as
// a second way).
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
