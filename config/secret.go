package config

import (
	"fmt"
	"os"
	"strings"

	commoncfg "github.com/prometheus/common/config"
)

// Secret is a string that is shown as <secret> whenever the configuration is
// marshalled (config endpoint, logs).
type Secret = commoncfg.Secret

// ReadSecret resolves a secret given inline, in a file (first line, trailing
// newline removed) or in an environment variable. The file and environment
// forms keep secrets out of the configuration; at most one may be set.
func ReadSecret(inline Secret, file, env string) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("reading secret file %s: %w", file, err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimSuffix(line, "\r"), nil
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", env)
		}
		return v, nil
	default:
		return string(inline), nil
	}
}

// ValidateSecret reports a secret given in more than one way.
func ValidateSecret(path, name string, inline Secret, file, env string, p *Problems) {
	n := 0
	for _, set := range []bool{inline != "", file != "", env != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		p.Addf(path, "%s is given more than once; use one of %s, %s_file or %s_env", name, name, name, name)
	}
}
