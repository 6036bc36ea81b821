package config

import (
	_ "embed"
)

//go:embed default.yml
var defaultYAML []byte

// DefaultYAML returns the text of the embedded default configuration.
func DefaultYAML() []byte { return defaultYAML }

// Default loads the embedded default configuration.
func Default(steps ...Step) (*Config, error) {
	return Load(defaultYAML, EmbeddedName, steps...)
}
