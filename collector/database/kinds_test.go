package database

// The examples these tests load (deploy/examples) use kinds of every
// package; collector/all would import this one, so the others are linked
// here by name.
import (
	_ "github.com/golive/golive_exporter/collector/backup"
	_ "github.com/golive/golive_exporter/collector/host"
	_ "github.com/golive/golive_exporter/collector/loadtest"
	_ "github.com/golive/golive_exporter/collector/monitoring"
	_ "github.com/golive/golive_exporter/collector/network"
	_ "github.com/golive/golive_exporter/collector/report"
)
