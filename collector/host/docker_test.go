package host

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/collector/collectortest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeContainer is one container of the fake Engine: what docker ps and
// docker inspect would say about it.
type fakeContainer struct {
	name, state, status string
	health              string // "" for no healthcheck
	failingStreak       int
	restarts            int
	oomKilled           bool
	exitCode            int
	labels              map[string]string
}

// The seed system's compose project on go-live morning: the API and the
// database healthy, two workers without a healthcheck (one restarted three
// times), Redis OOM-killed, the frontend unhealthy, a migration job still
// starting, nginx in a restart loop.
var seedContainers = []fakeContainer{
	{name: "sms-api-1", state: "running", status: "Up 2 hours (healthy)", health: "healthy", labels: compose("api")},
	{name: "sms-postgres-1", state: "running", status: "Up 2 hours (healthy)", health: "healthy", labels: compose("postgres")},
	{name: "sms-worker-1", state: "running", status: "Up 2 hours", labels: compose("worker")},
	{name: "sms-worker-2", state: "running", status: "Up 5 minutes", restarts: 3, labels: compose("worker")},
	{name: "sms-redis-1", state: "exited", status: "Exited (137) 3 minutes ago", exitCode: 137, oomKilled: true, labels: compose("redis")},
	{name: "sms-frontend-1", state: "running", status: "Up 10 minutes (unhealthy)", health: "unhealthy", failingStreak: 4, labels: compose("frontend")},
	{name: "sms-migrate-1", state: "running", status: "Up 3 seconds (health: starting)", health: "starting", labels: compose("migrate")},
	{name: "sms-nginx-1", state: "restarting", status: "Restarting (1) 5 seconds ago", restarts: 12, exitCode: 1, labels: compose("nginx")},
	{name: "other-app-1", state: "running", status: "Up 3 days", labels: map[string]string{"com.docker.compose.project": "other", "com.docker.compose.service": "app"}},
}

func compose(service string) map[string]string {
	return map[string]string{
		"com.docker.compose.project":             "sms",
		"com.docker.compose.service":             service,
		"com.docker.compose.oneoff":              "False",
		"com.docker.compose.version":             "2.29.7",
		"com.docker.compose.config-hash":         "3b7a0a9b2b1e4ae64c4d7b0b7e8b0f1cd1e5a0a4e3c2b1a0f9e8d7c6b5a49382",
		"com.docker.compose.project.working_dir": "/srv/sms",
	}
}

var startedAt = time.Date(2026, 12, 1, 5, 58, 7, 123456789, time.UTC)

func (c fakeContainer) id() string {
	return fmt.Sprintf("%064x", []byte(c.name))[:64]
}

// summary is the container as GET /containers/json lists it (Engine API
// 1.47, the ContainerSummary shape of the API reference).
func (c fakeContainer) summary() map[string]any {
	return map[string]any{
		"Id":      c.id(),
		"Names":   []string{"/" + c.name},
		"Image":   "ghcr.io/example/" + c.labels["com.docker.compose.service"] + ":1.4.2",
		"ImageID": "sha256:72297848456d5d37d1262630108ab308d3e9ec7ed1c3286a32fe09856619a782",
		"Command": "/docker-entrypoint.sh",
		"Created": 1764568687,
		"Ports":   []map[string]any{{"PrivatePort": 8080, "Type": "tcp"}},
		"Labels":  c.labels,
		"State":   c.state,
		"Status":  c.status,
		"HostConfig": map[string]any{
			"NetworkMode": "sms_default",
		},
		"NetworkSettings": map[string]any{"Networks": map[string]any{"sms_default": map[string]any{
			"NetworkID": "7ea29fc1412292a2d7bba362f9253545fecdfa8ce9a6e37dd10ba8bee7129812", "Gateway": "172.18.0.1", "IPAddress": "172.18.0.4", "IPPrefixLen": 16,
		}}},
		"Mounts": []any{},
	}
}

// inspect is the container as GET /containers/{id}/json shows it (the
// ContainerInspectResponse shape: State with Health and its Log,
// RestartCount, Config, HostConfig.RestartPolicy).
func (c fakeContainer) inspect() map[string]any {
	running := c.state == "running" || c.state == "restarting"
	state := map[string]any{
		"Status":     c.state,
		"Running":    running,
		"Paused":     false,
		"Restarting": c.state == "restarting",
		"OOMKilled":  c.oomKilled,
		"Dead":       false,
		"Pid":        4242,
		"ExitCode":   c.exitCode,
		"Error":      "",
		"StartedAt":  startedAt.Format(time.RFC3339Nano),
		"FinishedAt": "0001-01-01T00:00:00Z",
	}
	if !running {
		state["Pid"] = 0
		state["FinishedAt"] = startedAt.Add(time.Hour).Format(time.RFC3339Nano)
	}
	if c.health != "" {
		exit := 0
		if c.health == "unhealthy" {
			exit = 1
		}
		state["Health"] = map[string]any{
			"Status":        c.health,
			"FailingStreak": c.failingStreak,
			"Log": []map[string]any{{
				"Start": "2026-12-01T07:59:30.000000001Z", "End": "2026-12-01T07:59:30.2Z", "ExitCode": exit,
				"Output": "  % Total    % Received\n{\"status\":\"" + c.health + "\"}",
			}},
		}
	}
	return map[string]any{
		"Id":           c.id(),
		"Created":      "2026-12-01T05:58:07.000000001Z",
		"Path":         "/docker-entrypoint.sh",
		"Args":         []string{},
		"State":        state,
		"Image":        "sha256:72297848456d5d37d1262630108ab308d3e9ec7ed1c3286a32fe09856619a782",
		"Name":         "/" + c.name,
		"RestartCount": c.restarts,
		"Driver":       "overlay2",
		"Platform":     "linux",
		"HostConfig":   map[string]any{"RestartPolicy": map[string]any{"Name": "unless-stopped", "MaximumRetryCount": 0}, "NetworkMode": "sms_default"},
		"Config":       map[string]any{"Hostname": c.id()[:12], "Image": "ghcr.io/example/app:1.4.2", "Labels": c.labels},
	}
}

// fakeEngine serves the Engine API's two read endpoints on a unix socket
// in a temp folder, and records the requests it got.
type fakeEngine struct {
	socket string
	mu     sync.Mutex
	paths  []string
}

func startEngine(t *testing.T, containers []fakeContainer) *fakeEngine {
	t.Helper()
	dir, err := os.MkdirTemp("", "dock") // short: a socket path has at most 107 bytes
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	e := &fakeEngine{socket: filepath.Join(dir, "docker.sock")}
	l, err := net.Listen("unix", e.socket)
	require.NoError(t, err)
	byID := map[string]fakeContainer{}
	for _, c := range containers {
		byID[c.id()] = c
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.paths = append(e.paths, r.Method+" "+r.URL.RequestURI())
		e.mu.Unlock()
		w.Header().Set("Api-Version", "1.47")
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method != http.MethodGet:
			w.WriteHeader(http.StatusMethodNotAllowed)
		case r.URL.Path == "/containers/json":
			var out []map[string]any
			for _, c := range containers {
				if c.state == "running" || r.URL.Query().Get("all") == "1" {
					out = append(out, c.summary())
				}
			}
			json.NewEncoder(w).Encode(out)
		case strings.HasPrefix(r.URL.Path, "/containers/") && strings.HasSuffix(r.URL.Path, "/json"):
			c, ok := byID[strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/containers/"), "/json")]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprintf(w, `{"message":"No such container: %s"}`, r.URL.Path)
				return
			}
			json.NewEncoder(w).Encode(c.inspect())
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"page not found"}`)
		}
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return e
}

func TestDockerCheck(t *testing.T) {
	engine := startEngine(t, seedContainers)
	host := "host: unix://" + engine.socket + "\n"
	type entry struct{ containers, running, healthy, restarts float64 }
	cases := []struct {
		name     string
		settings string
		status   collector.Status
		entries  map[string]entry
		failed   map[string]string // condition -> observed
		warned   []string
	}{
		{
			name: "the API, the database and both workers",
			settings: host + "max_restarts: 3\ncontainers:\n  - {name: api, container_name: sms-api-1}\n  - {name: sms-postgres-1}\n" +
				"  - {name: worker, labels: {com.docker.compose.project: sms, com.docker.compose.service: worker}, min_count: 2}\n",
			status:  collector.StatusPass,
			entries: map[string]entry{"api": {1, 1, 1, 0}, "sms-postgres-1": {1, 1, 1, 0}, "worker": {2, 2, 2, 3}},
		},
		{
			name:     "a restart above the limit",
			settings: host + "max_restarts: 0\ncontainers:\n  - {name: worker, labels: {com.docker.compose.service: worker}}\n",
			status:   collector.StatusFail,
			entries:  map[string]entry{"worker": {2, 2, 2, 3}},
			failed:   map[string]string{"container worker restarts": "sms-worker-2 restarted 3 times"},
		},
		{
			name: "OOM-killed, unhealthy, restarting and missing containers",
			settings: host + "containers:\n  - {name: redis, container_name: sms-redis-1}\n  - {name: frontend, container_name: sms-frontend-1}\n" +
				"  - {name: nginx, container_name: sms-nginx-1}\n  - {name: grafana, container_name: sms-grafana-1}\n",
			status:  collector.StatusFail,
			entries: map[string]entry{"redis": {1, 0, 0, 0}, "frontend": {1, 1, 0, 0}, "nginx": {1, 0, 0, 12}, "grafana": {0, 0, 0, -1}},
			failed: map[string]string{
				"container redis running":    "0 of 1 running; sms-redis-1: Exited (137) 3 minutes ago, OOM-killed",
				"container frontend healthy": "sms-frontend-1: unhealthy (4 failing checks in a row)",
				"container nginx running":    "0 of 1 running; sms-nginx-1: Restarting (1) 5 seconds ago",
				"container grafana running":  "no container sms-grafana-1",
			},
		},
		{
			name:     "too few replicas",
			settings: host + "containers:\n  - {name: worker, labels: {com.docker.compose.service: worker}, min_count: 3}\n",
			status:   collector.StatusFail,
			entries:  map[string]entry{"worker": {2, 2, 2, 3}},
			failed:   map[string]string{"container worker running": "2 of 2 running"},
		},
		{
			name:     "a healthcheck still starting warns",
			settings: host + "containers:\n  - {name: migrate, container_name: sms-migrate-1}\n",
			status:   collector.StatusWarn,
			entries:  map[string]entry{"migrate": {1, 1, 0, 0}},
			warned:   []string{"container migrate health starting"},
		},
		{
			name:     "require_healthcheck",
			settings: host + "require_healthcheck: true\ncontainers:\n  - {name: worker, labels: {com.docker.compose.service: worker}}\n  - {name: api, container_name: sms-api-1}\n",
			status:   collector.StatusFail,
			entries:  map[string]entry{"worker": {2, 2, 0, 3}, "api": {1, 1, 1, 0}},
			failed:   map[string]string{"container worker healthy": "sms-worker-1, sms-worker-2: no healthcheck"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runOne(t, "docker", c.settings)
			assert.Equal(t, c.status, res.Status, res.Message)
			for name, want := range c.entries {
				assert.Equal(t, want.containers, mustSample(t, res, dockerContainersDesc, name), name)
				assert.Equal(t, want.running, mustSample(t, res, dockerRunningDesc, name), name)
				assert.Equal(t, want.healthy, mustSample(t, res, dockerHealthyDesc, name), name)
				restarts, ok := sample(res, dockerRestartsDesc, name)
				assert.Equal(t, want.restarts >= 0, ok, name)
				if ok {
					assert.Equal(t, want.restarts, restarts, name)
				}
				started, ok := sample(res, dockerStartedDesc, name)
				assert.Equal(t, want.running > 0, ok, name)
				if ok {
					assert.Equal(t, float64(startedAt.UnixMilli())/1000, started, name)
				}
			}
			assert.Equal(t, c.failed, nilIfEmpty(failedConditions(res)))
			var warned []string
			for _, cond := range res.Conditions {
				if cond.Warning && !cond.OK {
					warned = append(warned, cond.Name)
				}
			}
			assert.Equal(t, c.warned, warned)
		})
	}

	// Only GETs: the list once per run, and an inspect of each selected
	// container; never a container the check does not name.
	engine.mu.Lock()
	defer engine.mu.Unlock()
	for _, p := range engine.paths {
		assert.True(t, strings.HasPrefix(p, "GET /containers/"), p)
		assert.NotContains(t, p, fakeContainer{name: "other-app-1"}.id())
	}
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// The label of a series is the entry's name, never a container's name or
// id from the Engine; the families pass a pedantic registry.
func TestDockerSeriesLabels(t *testing.T) {
	engine := startEngine(t, seedContainers)
	run := collectortest.RunConfig(t, "checks:\n  - name: containers\n    docker:\n      host: unix://"+engine.socket+
		"\n      containers:\n        - {name: workers, labels: {com.docker.compose.service: worker}}\n", 10*time.Second)
	assert.Equal(t, 2.0, run.Value(t, `golive_docker_containers_running{check="containers",container="workers"}`))
	assert.NotContains(t, run.Metrics, "sms-worker-1")
	assert.NotContains(t, run.Metrics, seedContainers[2].id()[:12])
}

func TestDockerEngineErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name    string
		host    string
		handler http.HandlerFunc
		reason  collector.Reason
		message string
	}{
		{name: "no socket", host: "unix://" + filepath.Join(dir, "missing.sock"), reason: collector.ReasonNotFound,
			message: "asking the Docker Engine at unix://" + filepath.Join(dir, "missing.sock") + " (GET /containers/json): "},
		{name: "engine error", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"message":"Cannot connect to the containerd socket"}`)
		}, reason: collector.ReasonUnexpectedStatus, message: "answered 500 to GET /containers/json: Cannot connect to the containerd socket"},
		{name: "a proxy that forbids it", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, "<html><body><h1>403 Forbidden</h1></body></html>")
		}, reason: collector.ReasonAuth, message: "answered 403 to GET /containers/json: <html><body><h1>403 Forbidden</h1></body></html> (a socket proxy must allow GET /containers)"},
		{name: "not the API", handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"containers": []}`)
		}, reason: collector.ReasonInvalidResponse, message: "the Docker Engine's answer to GET /containers/json is not the JSON expected"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			host := c.host
			if c.handler != nil {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				require.NoError(t, err)
				srv := &http.Server{Handler: c.handler}
				go srv.Serve(l)
				defer srv.Close()
				host = "tcp://" + l.Addr().String()
			}
			res := runOne(t, "docker", "host: "+host+"\ncontainers: [{name: api}]")
			assert.Equal(t, collector.StatusFail, res.Status)
			assert.Equal(t, c.reason, res.Reason, res.Message)
			assert.Contains(t, res.Message, c.message)
		})
	}
}
