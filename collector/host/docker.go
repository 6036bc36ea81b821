package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/common/version"
)

var (
	dockerContainersDesc = collector.NewDesc("golive_docker_containers",
		"Containers the entry selects (by name or labels), in any state. container is the entry's configured name.", "container")
	dockerRunningDesc = collector.NewDesc("golive_docker_containers_running",
		"Of those, containers running (not restarting, paused or exited).", "container")
	dockerHealthyDesc = collector.NewDesc("golive_docker_containers_healthy",
		"Of those, running containers whose healthcheck says healthy (or that have no healthcheck, unless require_healthcheck).", "container")
	dockerRestartsDesc = collector.NewDesc("golive_docker_container_restarts",
		"The most restarts of the entry's containers (Docker's RestartCount: restarts by the restart policy since the container was created).", "container")
	dockerStartedDesc = collector.NewDesc("golive_docker_container_started_timestamp_seconds",
		"When the entry's most recently started running container started (Unix seconds).", "container")
)

// Bounds on what the Engine may send: a listing of every container of a
// busy host is well under this.
const (
	maxDockerListBytes    = 32 << 20
	maxDockerInspectBytes = 4 << 20
	dockerInspectParallel = 4
)

type dockerCheck struct {
	cfg  *DockerCheck
	base string // http://docker for a socket, else http://host:port
	dial func(ctx context.Context) (net.Conn, error)
}

func newDocker(c *config.Check, _ collector.Env) (collector.Check, error) {
	cfg := c.Spec().(*DockerCheck)
	scheme, rest, _ := strings.Cut(cfg.Host, "://")
	d := &dockerCheck{cfg: cfg}
	var dialer net.Dialer
	if scheme == "unix" {
		d.base = "http://docker"
		d.dial = func(ctx context.Context) (net.Conn, error) { return dialer.DialContext(ctx, "unix", rest) }
	} else {
		addr := strings.TrimSuffix(rest, "/")
		d.base = "http://" + addr
		d.dial = func(ctx context.Context) (net.Conn, error) { return dialer.DialContext(ctx, "tcp", addr) }
	}
	return d, nil
}

// dockerSummary is an entry of GET /containers/json.
type dockerSummary struct {
	ID     string            `json:"Id"`
	Names  []string          `json:"Names"`
	Labels map[string]string `json:"Labels"`
	State  string            `json:"State"`
	Status string            `json:"Status"`
}

// name is the container's own name (its first name, without the /).
func (s dockerSummary) name() string {
	if len(s.Names) == 0 {
		return shorten(s.ID, 12)
	}
	return strings.TrimPrefix(s.Names[0], "/")
}

// dockerInspect is what GET /containers/{id}/json says that matters here.
type dockerInspect struct {
	State struct {
		Status     string `json:"Status"`
		Running    bool   `json:"Running"`
		Paused     bool   `json:"Paused"`
		Restarting bool   `json:"Restarting"`
		OOMKilled  bool   `json:"OOMKilled"`
		ExitCode   int    `json:"ExitCode"`
		StartedAt  string `json:"StartedAt"`
		Health     *struct {
			Status        string `json:"Status"`
			FailingStreak int    `json:"FailingStreak"`
		} `json:"Health"`
	} `json:"State"`
	RestartCount int `json:"RestartCount"`
}

// Run lists the containers once, inspects those the entries select, and
// judges each entry.
func (d *dockerCheck) Run(ctx context.Context, r *collector.Report) error {
	client := &http.Client{Transport: &http.Transport{
		DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return d.dial(ctx) },
		DisableKeepAlives: true,
	}}
	defer client.CloseIdleConnections()
	var list []dockerSummary
	if err := d.get(ctx, client, "/containers/json?all=1", maxDockerListBytes, &list); err != nil {
		var nf notFoundErr
		if errors.As(err, &nf) {
			return collector.WithReason(collector.ReasonUnexpectedStatus, err)
		}
		return err
	}
	for _, e := range d.cfg.Containers {
		matched := selectContainers(list, e)
		inspected := make([]*dockerInspect, len(matched))
		var errMu sync.Mutex
		var firstErr error
		sem := make(chan struct{}, dockerInspectParallel)
		var wg sync.WaitGroup
		for i, s := range matched {
			wg.Add(1)
			sem <- struct{}{}
			go func(i int, id string) {
				defer func() { <-sem; wg.Done() }()
				var in dockerInspect
				err := d.get(ctx, client, "/containers/"+url.PathEscape(id)+"/json", maxDockerInspectBytes, &in)
				if err == nil {
					inspected[i] = &in
					return
				}
				var gone notFoundErr
				if errors.As(err, &gone) {
					return // removed since the listing: it is not running
				}
				errMu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				errMu.Unlock()
			}(i, s.ID)
		}
		wg.Wait()
		if firstErr != nil {
			return firstErr
		}
		d.judge(r, e, matched, inspected)
	}
	return nil
}

// selectContainers returns the containers of an entry, by name, at most
// MaxDockerMatches of them in name order.
func selectContainers(list []dockerSummary, e *DockerContainer) []dockerSummary {
	var out []dockerSummary
	for _, s := range list {
		if e.ContainerName != "" {
			for _, n := range s.Names {
				if strings.TrimPrefix(n, "/") == e.ContainerName {
					out = append(out, s)
					break
				}
			}
			continue
		}
		all := true
		for k, v := range e.Labels {
			if got, ok := s.Labels[k]; !ok || got != v {
				all = false
				break
			}
		}
		if all {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name() < out[j].name() })
	if len(out) > MaxDockerMatches {
		out = out[:MaxDockerMatches]
	}
	return out
}

func (d *dockerCheck) judge(r *collector.Report, e *DockerContainer, matched []dockerSummary, inspected []*dockerInspect) {
	cfg := d.cfg
	running, healthy := 0, 0
	maxRestarts, mostRestarted := 0, ""
	var started time.Time
	var notRunning, unhealthy, starting, noCheck []string
	for i, s := range matched {
		in := inspected[i]
		if in == nil {
			notRunning = append(notRunning, s.name()+": removed")
			continue
		}
		if in.RestartCount > maxRestarts || mostRestarted == "" {
			maxRestarts, mostRestarted = in.RestartCount, s.name()
		}
		st := in.State
		if !st.Running || st.Restarting || st.Paused {
			why := st.Status
			if s.Status != "" {
				why = s.Status // "Exited (1) 3 minutes ago", "Restarting (1) 5 seconds ago"
			}
			if st.OOMKilled {
				why += ", OOM-killed"
			}
			notRunning = append(notRunning, s.name()+": "+why)
			continue
		}
		running++
		if t, err := time.Parse(time.RFC3339Nano, st.StartedAt); err == nil && t.After(started) {
			started = t
		}
		health := "none"
		if st.Health != nil && st.Health.Status != "" {
			health = st.Health.Status
		}
		switch {
		case health == "healthy":
			healthy++
		case health == "starting":
			starting = append(starting, s.name())
		case health == "none":
			if cfg.RequireHealthcheck {
				noCheck = append(noCheck, s.name())
			} else {
				healthy++
			}
		default:
			desc := s.name() + ": " + health
			if st.Health.FailingStreak > 0 {
				desc += fmt.Sprintf(" (%d failing checks in a row)", st.Health.FailingStreak)
			}
			unhealthy = append(unhealthy, desc)
		}
	}
	name := e.Name
	r.Gauge(dockerContainersDesc, float64(len(matched)), name)
	r.Gauge(dockerRunningDesc, float64(running), name)
	r.Gauge(dockerHealthyDesc, float64(healthy), name)
	if len(matched) > 0 {
		r.Gauge(dockerRestartsDesc, float64(maxRestarts), name)
	}
	if !started.IsZero() {
		r.Gauge(dockerStartedDesc, float64(started.UnixMilli())/1000, name)
	}

	what := "container " + e.ContainerName
	if e.ContainerName == "" {
		what = "containers labelled " + labelSelector(e.Labels)
	}
	expected := "running"
	if e.MinCount > 1 {
		expected = fmt.Sprintf("at least %d running", e.MinCount)
	}
	var obs string
	switch {
	case len(matched) == 0:
		obs = "no " + what
	case len(notRunning) > 0:
		obs = fmt.Sprintf("%d of %d running; %s", running, len(matched), shorten(strings.Join(notRunning, "; "), 300))
	default:
		obs = fmt.Sprintf("%d of %d running", running, len(matched))
	}
	r.Assert("container "+name+" running", running >= e.MinCount && len(notRunning) == 0, obs, expected)
	if running == 0 {
		return
	}
	switch {
	case len(unhealthy) > 0:
		r.Assert("container "+name+" healthy", false, shorten(strings.Join(unhealthy, "; "), 300), "healthy")
	case len(noCheck) > 0:
		r.Assert("container "+name+" healthy", false, strings.Join(noCheck, ", ")+": no healthcheck", "a healthcheck that says healthy (require_healthcheck)")
	default:
		r.Assert("container "+name+" healthy", true, fmt.Sprintf("%d healthy", healthy), "healthy")
	}
	if len(starting) > 0 {
		r.Warn("container "+name+" health starting", false, strings.Join(starting, ", ")+": health: starting", "healthy")
	}
	if cfg.MaxRestarts != nil {
		r.Assert("container "+name+" restarts", maxRestarts <= *cfg.MaxRestarts,
			fmt.Sprintf("%s restarted %d times", mostRestarted, maxRestarts), fmt.Sprintf("at most %d", *cfg.MaxRestarts))
	}
}

func labelSelector(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + labels[k]
	}
	return strings.Join(parts, ",")
}

// notFoundErr is the Engine's 404: the container is gone.
type notFoundErr struct{ msg string }

func (e notFoundErr) Error() string { return e.msg }

// get requests path from the Engine and decodes its JSON answer into v,
// reading at most limit bytes.
func (d *dockerCheck) get(ctx context.Context, client *http.Client, path string, limit int64, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.base+path, nil)
	if err != nil {
		return collector.WithReason(collector.ReasonConfig, err)
	}
	req.Header.Set("User-Agent", "golive_exporter/"+version.Version)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("asking the Docker Engine at %s (GET %s): %w", d.cfg.Host, stripQuery(path), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("reading the Docker Engine's answer to GET %s: %w", stripQuery(path), err)
	}
	if int64(len(body)) > limit {
		return collector.Failf(collector.ReasonInvalidResponse, "the Docker Engine's answer to GET %s is larger than %d bytes", stripQuery(path), limit)
	}
	if resp.StatusCode != http.StatusOK {
		var apiErr struct {
			Message string `json:"message"`
		}
		msg := shorten(strings.TrimSpace(string(body)), 200)
		if json.Unmarshal(body, &apiErr) == nil && apiErr.Message != "" {
			msg = shorten(apiErr.Message, 200)
		}
		text := fmt.Sprintf("the Docker Engine at %s answered %d to GET %s: %s", d.cfg.Host, resp.StatusCode, stripQuery(path), msg)
		switch resp.StatusCode {
		case http.StatusNotFound:
			return notFoundErr{msg: text}
		case http.StatusUnauthorized, http.StatusForbidden:
			return collector.Failf(collector.ReasonAuth, "%s (a socket proxy must allow GET /containers)", text)
		}
		return collector.Failf(collector.ReasonUnexpectedStatus, "%s", text)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return collector.Failf(collector.ReasonInvalidResponse, "the Docker Engine's answer to GET %s is not the JSON expected: %v", stripQuery(path), err)
	}
	return nil
}

func stripQuery(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}
