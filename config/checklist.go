package config

// Checklist binds the go-live checklist to checks and attestations.
type Checklist struct {
	// File is a checklist of the user's own; empty uses the shipped one.
	File string `yaml:"file,omitempty"`
}
