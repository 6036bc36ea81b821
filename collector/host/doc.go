// Package host holds the checks that look at the machine the exporter runs
// on: log_rotation (log files within their size and age bounds, and a
// logrotate configuration or the application's rotating logging handler
// covering each live log file) and docker (the containers of the local
// Docker Engine running, healthy and not restarting).
package host
