package main

// Every kind of check registers itself when its package is imported.
import (
	_ "github.com/golive/golive_exporter/collector/backup"
	_ "github.com/golive/golive_exporter/collector/cache"
	_ "github.com/golive/golive_exporter/collector/database"
	_ "github.com/golive/golive_exporter/collector/host"
	_ "github.com/golive/golive_exporter/collector/loadtest"
	_ "github.com/golive/golive_exporter/collector/monitoring"
	_ "github.com/golive/golive_exporter/collector/network"
	_ "github.com/golive/golive_exporter/collector/report"
)
