package config

// PrometheusCheck checks a Prometheus server.
type PrometheusCheck struct {
	URL string `yaml:"url"`
}

// AlertmanagerCheck checks an Alertmanager.
type AlertmanagerCheck struct {
	URL string `yaml:"url"`
}

// GrafanaCheck checks Grafana.
type GrafanaCheck struct {
	URL string `yaml:"url"`
}

// LokiCheck checks Loki.
type LokiCheck struct {
	URL string `yaml:"url"`
}

// PromQLCheck runs an instant query with a threshold.
type PromQLCheck struct {
	URL   string `yaml:"url"`
	Query string `yaml:"query"`
}
