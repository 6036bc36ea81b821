package config

import (
	"fmt"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// Regexp is a regular expression (RE2, unanchored) written in the
// configuration. It compiles when the file is read, as blackbox_exporter's
// config.Regexp does: a bad expression is refused at its line by the
// loader, and validation neither compiles nor stores anything. It is
// written back as it was written.
type Regexp struct {
	*regexp.Regexp
	original string
}

// NewRegexp compiles s.
func NewRegexp(s string) (Regexp, error) {
	re, err := regexp.Compile(s)
	if err != nil {
		return Regexp{}, fmt.Errorf("invalid regular expression %q: %v (RE2 syntax, see https://github.com/google/re2/wiki/Syntax)", s, err)
	}
	return Regexp{Regexp: re, original: s}, nil
}

// MustNewRegexp is NewRegexp for expressions known to compile (tests,
// defaults); it panics on a bad one.
func MustNewRegexp(s string) Regexp {
	re, err := NewRegexp(s)
	if err != nil {
		panic(err)
	}
	return re
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (re *Regexp) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	r, err := NewRegexp(s)
	if err != nil {
		return err
	}
	*re = r
	return nil
}

// MarshalYAML implements yaml.Marshaler: the expression as written.
func (re Regexp) MarshalYAML() (any, error) { return re.original, nil }

// String returns the expression as written.
func (re Regexp) String() string { return re.original }
