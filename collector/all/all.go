// Package all links every kind of check into a binary, as Prometheus'
// discovery/install does for service discovery: each kind package
// registers its settings and its factory from init (collector.RegisterKind),
// and importing this package for its side effect registers them all. The
// exporter imports it; so do the tests that load configurations of any
// kind (deploy examples, the JSON schema).
package all

import (
	_ "github.com/golive/golive_exporter/collector/backup"     // pgbackrest, walg, barman, dump_folder, restore, restore_result
	_ "github.com/golive/golive_exporter/collector/cache"      // redis
	_ "github.com/golive/golive_exporter/collector/database"   // postgres, postgres_migrations, postgres_indexes, sql
	_ "github.com/golive/golive_exporter/collector/host"       // log_rotation, docker
	_ "github.com/golive/golive_exporter/collector/loadtest"   // loadtest
	_ "github.com/golive/golive_exporter/collector/monitoring" // prometheus, alertmanager, grafana, loki, promql, service_ready
	_ "github.com/golive/golive_exporter/collector/network"    // http, tls, tcp, cors, https_redirect, rate_limit, firewall, http_endpoints
	_ "github.com/golive/golive_exporter/collector/report"     // junit, test_report
)
