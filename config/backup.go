package config

// PgBackRestCheck reads pgBackRest's info JSON.
type PgBackRestCheck struct {
	Stanza string `yaml:"stanza,omitempty"`
}

// WALGCheck reads WAL-G's backup list.
type WALGCheck struct {
	File string `yaml:"file,omitempty"`
}

// DumpFolderCheck inspects a folder of pg_dump files.
type DumpFolderCheck struct {
	Glob string `yaml:"glob"`
}

// RestoreCheck restores the newest dump into a scratch database.
type RestoreCheck struct {
	Glob string `yaml:"glob"`
}

// RestoreResultCheck reads the result a separate restore job left.
type RestoreResultCheck struct {
	File string `yaml:"file"`
}
