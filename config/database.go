package config

// PostgresTarget is a PostgreSQL server that checks name by key.
type PostgresTarget struct {
	DSN string `yaml:"dsn"`
}

// RedisTarget is a Redis server that checks name by key.
type RedisTarget struct {
	Address string `yaml:"address"`
}

// PostgresCheck reports a PostgreSQL server's health figures.
type PostgresCheck struct {
	Target string `yaml:"target"`
}

// PostgresMigrationsCheck checks that schema migrations are at head.
type PostgresMigrationsCheck struct {
	Target string `yaml:"target"`
}

// PostgresIndexesCheck reports index health.
type PostgresIndexesCheck struct {
	Target string `yaml:"target"`
}

// SQLCheck runs a read-only query and compares its result.
type SQLCheck struct {
	Target string `yaml:"target"`
	Query  string `yaml:"query"`
}

// RedisCheck reports a Redis server's health and cache warmth.
type RedisCheck struct {
	Target string `yaml:"target"`
}
