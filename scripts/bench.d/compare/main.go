// Command compare runs golive_exporter side by side with the exporters it
// overlaps, in one run on the same machine, and prints ours/theirs ratios:
//
//   - CPU per HTTP and HTTPS probe against blackbox_exporter at 10, 100 and
//     1000 loopback targets and both exporters' peak RSS (VmHWM), with
//     golive_exporter's CPU per scrape and its scrape wall time against the
//     slowest check of the same scrape (scrapeWalls says how);
//   - PostgreSQL statements per second, statements and connections per
//     scrape against postgres_exporter at 1, 10 and 100 scrapers;
//   - Redis commands per scrape, CPU per scrape and scrape p95 against
//     redis_exporter at 1 and 100 scrapers;
//
// then the targets as PASS/FAIL lines. With -soak it instead runs
// 100 HTTPS checks for a long time and prints the RSS every minute.
//
// CPU is process CPU time (utime+stime from /proc/<pid>/stat) over many
// scrapes, never wall time: the development machine is shared, and the two
// exporters of a comparison take turns round by round so that load from
// elsewhere falls on both alike. Database statements and Redis commands are
// counted by a loopback proxy in front of the server, one per exporter, that
// reads the client side of the wire protocol: the servers' own counters
// (pg_stat_statements needs a restart with shared_preload_libraries; INFO
// commandstats and pg_stat_database count every client of a shared server)
// cannot tell the two exporters apart from each other and from other users.
//
// Every scrape sends the Accept header of a Prometheus 3 server
// (prometheusAccept): each exporter answers in the format it would give
// Prometheus (golive_exporter: OpenMetrics 1.0.0), gzipped as Go's client
// asks.
//
// Everything listens on 127.0.0.1 and stops by itself: every request has a
// timeout and every phase a bounded number of rounds or a duration.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golive/golive_exporter/scripts/bench.d/internal/slowtarget"
	"github.com/jackc/pgx/v5"
)

type options struct {
	bin, work                 string
	sizes                     []int
	probes                    int
	minRounds                 int
	delay                     time.Duration
	scrapers                  []int
	pgDuration, redisDuration time.Duration
	pace                      time.Duration
	redisScrapes              int
	pgDSN, redisAddr          string
	phases, schemes           string
	soak                      time.Duration
	soakChecks                int
	soakEvery                 time.Duration
}

func main() {
	var o options
	var sizes, scrapers string
	flag.StringVar(&o.bin, "bin", "", "folder holding golive_exporter, blackbox_exporter, postgres_exporter and redis_exporter")
	flag.StringVar(&sizes, "sizes", "10,100,1000", "numbers of HTTP(S) targets")
	flag.IntVar(&o.probes, "probes", 3000, "probes per exporter, scheme and size (at least -min-rounds rounds)")
	flag.IntVar(&o.minRounds, "min-rounds", 5, "fewest rounds (scrapes of all targets) per size")
	flag.DurationVar(&o.delay, "delay", 50*time.Millisecond, "how long the loopback target takes to answer")
	flag.StringVar(&scrapers, "scrapers", "1,10,100", "concurrent scrapers of the database phase")
	flag.DurationVar(&o.pgDuration, "pg-duration", 10*time.Second, "how long each exporter is scraped at each number of scrapers")
	flag.DurationVar(&o.redisDuration, "redis-duration", 10*time.Second, "how long each exporter is scraped by 100 scrapers")
	flag.DurationVar(&o.pace, "pace", time.Second, "each scraper scrapes at most once per pace (a Prometheus with this scrape interval)")
	flag.IntVar(&o.redisScrapes, "redis-scrapes", 300, "one-at-a-time scrapes of each Redis exporter for CPU per scrape")
	flag.StringVar(&o.pgDSN, "pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "superuser DSN of the local PostgreSQL")
	flag.StringVar(&o.redisAddr, "redis", "127.0.0.1:6379", "local Redis")
	flag.StringVar(&o.phases, "phases", "http,postgres,redis", "phases to run")
	flag.StringVar(&o.schemes, "schemes", "http,https", "schemes of the probe phase")
	flag.DurationVar(&o.soak, "soak", 0, "run the RSS soak for this long instead of the comparison")
	flag.IntVar(&o.soakChecks, "soak-checks", 100, "HTTPS checks of the soak")
	flag.DurationVar(&o.soakEvery, "soak-every", 2*time.Second, "scrape interval of the soak")
	flag.Parse()
	var err error
	if o.sizes, err = ints(sizes); err == nil {
		o.scrapers, err = ints(scrapers)
	}
	if err == nil {
		o.work, err = os.MkdirTemp("", "golive-compare-")
	}
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(o.work)
	if o.soak > 0 {
		err = soak(o)
	} else {
		err = compare(o)
	}
	stopAll()
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	stopAll()
	fmt.Fprintln(os.Stderr, "compare:", err)
	os.Exit(1)
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: want a comma-separated list of positive numbers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// ---- processes ----

type proc struct {
	name string
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
}

var (
	procsMu sync.Mutex
	procs   []*proc
)

func stopAll() {
	procsMu.Lock()
	defer procsMu.Unlock()
	for _, p := range procs {
		p.stop()
	}
	procs = nil
}

func (p *proc) stop() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs a binary from o.bin with a free loopback port (the args' %ADDR%
// is replaced by host:port) and waits until ready answers 200.
func start(o options, name string, env []string, ready string, args ...string) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "%ADDR%", addr)
	}
	cmd := exec.Command(filepath.Join(o.bin, name), args...)
	cmd.Env = append(os.Environ(), env...)
	logf, err := os.Create(filepath.Join(o.work, fmt.Sprintf("%s-%d.log", name, port)))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, base: "http://" + addr}
	procsMu.Lock()
	procs = append(procs, p)
	procsMu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := shortClient.Get(p.base + ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.stop()
	log, _ := os.ReadFile(logf.Name())
	return nil, fmt.Errorf("%s did not get ready in 30s: %s", name, tail(string(log), 600))
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

var clkTck = func() float64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil && n > 0 {
			return float64(n)
		}
	}
	return 100
}()

// cpu is the process' CPU time so far (user + system, all threads).
func (p *proc) cpu() time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return time.Duration((ut + st) / clkTck * float64(time.Second))
}

// status reads a kB figure (VmRSS, VmHWM) from /proc/<pid>/status, in MiB.
func (p *proc) status(key string) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, key+":") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// ---- clients ----

var shortClient = &http.Client{Timeout: 2 * time.Second}

// scrapeClient keeps connections to the exporters alive, as Prometheus
// does, so that a scrape costs the scrape and not a new connection.
var scrapeClient = &http.Client{
	Timeout: 60 * time.Second,
	Transport: &http.Transport{
		MaxIdleConns:        2000,
		MaxIdleConnsPerHost: 2000,
		IdleConnTimeout:     90 * time.Second,
	},
}

// prometheusAccept is the Accept header a Prometheus 3 server sends with
// its default scrape_protocols (OpenMetricsText1.0.0,
// OpenMetricsText0.0.1, PrometheusText1.0.0, PrometheusText0.0.4) and
// UTF-8 names allowed.
const prometheusAccept = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6," +
	"application/openmetrics-text;version=0.0.1;q=0.5," +
	"text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4," +
	"text/plain;version=0.0.4;q=0.3,*/*;q=0.2"

// get fetches url as a Prometheus server scrapes (its Accept header and
// scrape timeout header) and returns the body and the wall time.
func get(url string) ([]byte, time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", prometheusAccept)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "30")
	t := time.Now()
	resp, err := scrapeClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	d := time.Since(t)
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("GET %s: %s: %s", url, resp.Status, tail(string(body), 300))
	}
	return body, d, err
}

// ---- loopback HTTP(S) target ----

type target struct {
	http, https string // host:port
	caFile      string
}

func startTarget(o options) (*target, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "golive bench target"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	t := &target{caFile: filepath.Join(o.work, "target-ca.pem")}
	if err := os.WriteFile(t.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	handler := slowtarget.Handler(o.delay)
	for _, tlsOn := range []bool{false, true} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
		if tlsOn {
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
			l = tls.NewListener(l, srv.TLSConfig)
			t.https = l.Addr().String()
		} else {
			t.http = l.Addr().String()
		}
		go func() { _ = srv.Serve(l) }()
	}
	return t, nil
}

func (t *target) url(scheme string, i int) string {
	if scheme == "https" {
		return fmt.Sprintf("https://%s/health?c=%d", t.https, i)
	}
	return fmt.Sprintf("http://%s/health?c=%d", t.http, i)
}

// oursHTTP starts golive_exporter with n http checks of the scheme.
func oursHTTP(o options, t *target, scheme string, n int) (*proc, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  max_concurrency: %d\nchecks:\n", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - name: c%d\n    timeout: 5s\n    http:\n      url: %q\n", i, t.url(scheme, i))
		if scheme == "https" {
			fmt.Fprintf(&b, "      tls_config: {ca_file: %q}\n", t.caFile)
		}
	}
	cfg := filepath.Join(o.work, fmt.Sprintf("golive-%s-%d.yml", scheme, n))
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		return nil, err
	}
	return start(o, "golive_exporter", nil, "/-/ready", "--config.file", cfg, "--web.listen-address", "%ADDR%", "--log.level", "warn")
}

func blackbox(o options, t *target) (*proc, error) {
	cfg := filepath.Join(o.work, "blackbox.yml")
	text := fmt.Sprintf(`modules:
  http_2xx:
    prober: http
    timeout: 5s
    http: {preferred_ip_protocol: ip4}
  https_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      tls_config: {ca_file: %q}
`, t.caFile)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		return nil, err
	}
	return start(o, "blackbox_exporter", nil, "/-/healthy", "--config.file", cfg, "--web.listen-address", "%ADDR%", "--log.level", "warn")
}

// ---- results ----

type targetResult struct {
	name   string
	ok     bool
	figure string
}

var targets []targetResult

// meetsTarget records one of the targets, printed as a PASS/FAIL line
// at the end of the run: name, whether it was met, and the figures.
func meetsTarget(name string, ok bool, format string, a ...any) {
	targets = append(targets, targetResult{name, ok, fmt.Sprintf(format, a...)})
}

func compare(o options) error {
	fmt.Printf("side-by-side: %s, %d CPUs (load average %s), CLK_TCK %.0f\n",
		time.Now().UTC().Format(time.RFC3339), numCPU(), loadavg(), clkTck)
	for _, b := range []string{"golive_exporter", "blackbox_exporter", "postgres_exporter", "redis_exporter"} {
		fmt.Printf("  %-18s %s\n", b, version(filepath.Join(o.bin, b)))
	}
	for _, ph := range strings.Split(o.phases, ",") {
		var err error
		switch strings.TrimSpace(ph) {
		case "http":
			err = phaseHTTP(o)
		case "postgres":
			err = phasePostgres(o)
		case "redis":
			err = phaseRedis(o)
		default:
			err = fmt.Errorf("unknown phase %q (http, postgres, redis)", ph)
		}
		if err != nil {
			return err
		}
	}
	fmt.Println("\n== targets")
	failed := 0
	for _, c := range targets {
		verdict := "PASS"
		if !c.ok {
			verdict = "FAIL"
			failed++
		}
		fmt.Printf("%s  %-52s %s\n", verdict, c.name, c.figure)
	}
	if failed > 0 {
		fmt.Printf("%d of %d targets missed\n", failed, len(targets))
	}
	return nil
}

func numCPU() int {
	raw, _ := os.ReadFile("/proc/cpuinfo")
	return bytes.Count(raw, []byte("\nprocessor")) + 1
}

func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// version is the main module's version from the binary's build information.
func version(bin string) string {
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		return "missing: " + bin
	}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && f[0] == "mod" {
			return f[1] + " " + f[2]
		}
	}
	return "(no module version)"
}

func phaseHTTP(o options) error {
	t, err := startTarget(o)
	if err != nil {
		return err
	}
	fmt.Printf("\n== HTTP(S) probes: ours (one scrape runs N http checks) vs blackbox_exporter (N concurrent /probe requests), target answers in %s; CPU is utime+stime per probe\n", o.delay)
	fmt.Printf("  ours_cpu/scr is ours_cpu/prb times N; scrape_ms and slowest are the means over the rounds of the scrape's wall time and of\n" +
		"  the slowest check of the same scrape, and wall/slw their ratio (the sums' ratio: each scrape against its own slowest check)\n")
	fmt.Printf("%-6s %-6s %7s %13s %13s %7s %13s %10s %10s %9s %9s %9s\n",
		"scheme", "N", "rounds", "ours_cpu/prb", "bb_cpu/prb", "ratio", "ours_cpu/scr", "ours_HWM", "bb_HWM", "scrape_ms", "slowest", "wall/slw")
	for _, scheme := range strings.Split(o.schemes, ",") {
		for _, n := range o.sizes {
			rounds := max(o.minRounds, (o.probes+n-1)/n)
			ours, err := oursHTTP(o, t, scheme, n)
			if err != nil {
				return err
			}
			bb, err := blackbox(o, t)
			if err != nil {
				return err
			}
			module := scheme + "_2xx"
			var bbFailed atomic.Int64
			bbRound := func() error {
				var wg sync.WaitGroup
				errs := make(chan error, n)
				for i := 1; i <= n; i++ {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						body, _, err := get(bb.base + "/probe?module=" + module + "&target=" + t.url(scheme, i))
						var ok bool
						if err == nil {
							ok, err = probeSucceeded(body)
						}
						if err != nil {
							errs <- err
						} else if !ok {
							bbFailed.Add(1)
						}
					}(i)
				}
				wg.Wait()
				close(errs)
				return <-errs
			}
			var walls scrapeWalls
			oursFailed, oursReasons := 0, map[string]int{}
			oursRound := func(measure bool) error {
				body, d, err := get(ours.base + "/metrics")
				if err != nil {
					return err
				}
				s, err := readChecks(body)
				if err != nil {
					return err
				}
				if s.passed != n {
					oursFailed += n - s.passed
					for _, r := range s.reasons {
						oursReasons[r]++
					}
				}
				if measure {
					walls.add(d, s)
				}
				return nil
			}
			// Warm-up: code paged in, pools filled, TLS sessions set up.
			if err := oursRound(false); err != nil {
				return err
			}
			if err := bbRound(); err != nil {
				return err
			}
			var oc, bc time.Duration
			for r := 0; r < rounds; r++ {
				// Take turns, measuring each only during its own turn,
				// so that both see the same load from elsewhere.
				c := ours.cpu()
				if err := oursRound(true); err != nil {
					return err
				}
				oc += ours.cpu() - c
				c = bb.cpu()
				if err := bbRound(); err != nil {
					return err
				}
				bc += bb.cpu() - c
			}
			probes := float64(rounds * n)
			oPer := float64(oc) / probes
			bPer := float64(bc) / probes
			ratio := oPer / bPer
			oh, bh := ours.status("VmHWM"), bb.status("VmHWM")
			ws := walls.ratio()
			fmt.Printf("%-6s %-6d %7d %10.1fµs %10.1fµs %7.2f %11.1fms %7.1fMiB %7.1fMiB %9.1f %9.1f %9.2f\n",
				scheme, n, rounds, oPer/1e3, bPer/1e3, ratio, float64(oc)/float64(rounds)/1e6, oh, bh,
				walls.ms(walls.wall), walls.ms(walls.slowest), ws)
			if oursFailed > 0 || bbFailed.Load() > 0 {
				// A failed probe costs less than a passing one: the
				// figures above are then not comparable.
				fmt.Printf("  failed probes: ours %d of %d %v, blackbox %d of %d\n", oursFailed, (rounds+1)*n, oursReasons, bbFailed.Load(), (rounds+1)*n)
			}
			meetsTarget(fmt.Sprintf("CPU per %s probe at %d targets <= 0.7x blackbox", scheme, n), ratio <= 0.7, "%.2fx (%.0f vs %.0f µs)", ratio, oPer/1e3, bPer/1e3)
			if n == o.sizes[len(o.sizes)-1] {
				meetsTarget(fmt.Sprintf("%s scrape wall <= 1.1x slowest check at %d checks", scheme, n), ws <= 1.1, "%.2fx (%.0f ms vs %.0f ms)", ws, walls.ms(walls.wall), walls.ms(walls.slowest))
				fmt.Printf("  peak RSS at %d %s targets: ours %.1f MiB, blackbox %.1f MiB, ratio %.2f\n", n, scheme, oh, bh, oh/bh)
				fmt.Printf("  %s at %d checks: scrape %.0f ms, slowest check %.0f ms, longest queue wait + run %.0f ms (wall / that %.2f)\n", scheme, n,
					walls.ms(walls.wall), walls.ms(walls.slowest), walls.ms(walls.waitRun), float64(walls.wall)/float64(walls.waitRun))
			}
			ours.stop()
			bb.stop()
		}
	}
	return nil
}

// ---- counting proxies ----

// proxy forwards loopback connections to upstream and counts, from the
// client's side of each connection, what count reads from it.
type proxy struct {
	addr      string
	conns     atomic.Int64
	open      atomic.Int64
	peakOpen  atomic.Int64
	commands  atomic.Int64
	listener  net.Listener
	countFunc func(r *bufio.Reader, p *proxy) error
}

func newProxy(upstream string, count func(r *bufio.Reader, p *proxy) error) (*proxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{addr: l.Addr().String(), listener: l, countFunc: count}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(c, upstream)
		}
	}()
	return p, nil
}

func (p *proxy) serve(c net.Conn, upstream string) {
	defer c.Close()
	u, err := net.DialTimeout("tcp", upstream, 5*time.Second)
	if err != nil {
		return
	}
	defer u.Close()
	p.conns.Add(1)
	o := p.open.Add(1)
	defer p.open.Add(-1)
	for {
		peak := p.peakOpen.Load()
		if o <= peak || p.peakOpen.CompareAndSwap(peak, o) {
			break
		}
	}
	go func() {
		_, _ = io.Copy(c, u)
		c.Close()
	}()
	// What the client sends reaches the server as soon as it is read: the
	// tee writes every chunk the reader takes from the client.
	r := bufio.NewReaderSize(io.TeeReader(c, u), 64<<10)
	_ = p.countFunc(r, p)
	_, _ = io.Copy(io.Discard, r)
}

func (p *proxy) reset() {
	p.conns.Store(0)
	p.commands.Store(0)
	p.peakOpen.Store(p.open.Load())
}

// countPostgres reads the frontend protocol: the startup packet (after
// any SSL or GSS encryption request, answered "no" with sslmode=disable),
// then typed messages. Each Execute message is one statement; a simple
// Query message counts its statements.
func countPostgres(r *bufio.Reader, p *proxy) error {
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := binary.BigEndian.Uint32(hdr[:4])
		code := binary.BigEndian.Uint32(hdr[4:])
		if _, err := r.Discard(int(n) - 8); err != nil {
			return err
		}
		if code != 80877103 && code != 80877104 {
			break // the startup message
		}
	}
	for {
		typ, err := r.ReadByte()
		if err != nil {
			return err
		}
		if _, err := io.ReadFull(r, hdr[:4]); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint32(hdr[:4])) - 4
		switch typ {
		case 'Q':
			q := make([]byte, n)
			if _, err := io.ReadFull(r, q); err != nil {
				return err
			}
			p.commands.Add(int64(sqlStatements(string(bytes.TrimRight(q, "\x00")))))
			continue
		case 'E':
			p.commands.Add(1)
		}
		if _, err := r.Discard(n); err != nil {
			return err
		}
	}
}

// sqlStatements counts the non-empty statements of a simple query:
// semicolons outside quotes, dollar quotes and comments.
func sqlStatements(q string) int {
	n := 0
	nonEmpty := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				i = len(q)
			} else {
				i += j + 1
			}
			nonEmpty = true
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			i += j
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			j := strings.Index(q[i+2:], "*/")
			if j < 0 {
				i = len(q)
			} else {
				i += j + 3
			}
		case c == '$':
			if k := strings.IndexByte(q[i+1:], '$'); k >= 0 && !strings.ContainsAny(q[i+1:i+1+k], " \t\n;") {
				tag := q[i : i+k+2]
				if j := strings.Index(q[i+len(tag):], tag); j >= 0 {
					i += len(tag) + j + len(tag) - 1
				}
			}
			nonEmpty = true
		case c == ';':
			if nonEmpty {
				n++
			}
			nonEmpty = false
		case c != ' ' && c != '\t' && c != '\n' && c != '\r':
			nonEmpty = true
		}
	}
	if nonEmpty {
		n++
	}
	return n
}

// countRedis reads RESP from the client: each array (or inline line) is a
// command.
func countRedis(r *bufio.Reader, p *proxy) error {
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) == 0 || line[0] != '*' {
			if len(bytes.TrimSpace(line)) > 0 {
				p.commands.Add(1) // an inline command
			}
			continue
		}
		args, err := strconv.Atoi(string(bytes.TrimSpace(line[1:])))
		if err != nil {
			return err
		}
		p.commands.Add(1)
		for a := 0; a < args; a++ {
			line, err := r.ReadSlice('\n')
			if err != nil {
				return err
			}
			if len(line) == 0 || line[0] != '$' {
				return errors.New("redis: bulk string expected")
			}
			size, err := strconv.Atoi(string(bytes.TrimSpace(line[1:])))
			if err != nil {
				return err
			}
			if _, err := r.Discard(size + 2); err != nil {
				return err
			}
		}
	}
}

// ---- scrapers ----

type load struct {
	scrapes   int
	errors    int
	latencies []time.Duration
	firstErr  error
}

// scrapeLoad runs scrapers goroutines for d; each scrapes url at most once
// per pace (staggered), as that many Prometheus servers would.
func scrapeLoad(url string, scrapers int, d, pace time.Duration) load {
	var mu sync.Mutex
	var l load
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for s := 0; s < scrapers; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			time.Sleep(time.Duration(s) * pace / time.Duration(scrapers))
			for next := time.Now(); time.Now().Before(deadline); {
				_, took, err := get(url)
				mu.Lock()
				if err != nil {
					l.errors++
					if l.firstErr == nil {
						l.firstErr = err
					}
				} else {
					l.scrapes++
					l.latencies = append(l.latencies, took)
				}
				mu.Unlock()
				next = next.Add(pace)
				if w := time.Until(next); w > 0 {
					time.Sleep(w)
				} else {
					next = time.Now()
				}
			}
		}(s)
	}
	wg.Wait()
	return l
}

func (l load) p95() time.Duration {
	if len(l.latencies) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), l.latencies...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(math.Ceil(0.95*float64(len(s))))-1]
}

// ---- PostgreSQL ----

func phasePostgres(o options) error {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, o.pgDSN)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	db := "golive_compare_" + hex.EncodeToString(b)
	role := db + "_monitor"
	for _, q := range []string{"CREATE DATABASE " + db, "CREATE ROLE " + role + " LOGIN IN ROLE pg_monitor"} {
		if _, err := admin.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	defer func() {
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
		_, _ = admin.Exec(ctx, "DROP ROLE IF EXISTS "+role)
	}()
	cc, err := pgx.ParseConfig(o.pgDSN)
	if err != nil {
		return err
	}
	upstream := fmt.Sprintf("%s:%d", cc.Host, cc.Port)
	type exporter struct {
		label string
		start func(addr string) (*proc, error)
	}
	dsn := func(addr string) string {
		return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", role, addr, db)
	}
	ours := func(interval string) func(addr string) (*proc, error) {
		return func(addr string) (*proc, error) {
			cfg := filepath.Join(o.work, "golive-pg-"+strings.NewReplacer(" ", "", ":", "").Replace(interval)+".yml")
			text := fmt.Sprintf("postgres_targets:\n  bench:\n    dsn: %q\nchecks:\n  - name: postgres\n%s    postgres: {target: bench}\n", dsn(addr), interval)
			if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
				return nil, err
			}
			return start(o, "golive_exporter", nil, "/-/ready", "--config.file", cfg, "--web.listen-address", "%ADDR%", "--log.level", "warn")
		}
	}
	exporters := []exporter{
		{"ours (default interval)", ours("")},
		{"ours (interval: 0)", ours("    interval: 0s\n")},
		{"postgres_exporter", func(addr string) (*proc, error) {
			return start(o, "postgres_exporter", []string{"DATA_SOURCE_NAME=" + dsn(addr)}, "/metrics", "--web.listen-address", "%ADDR%")
		}},
	}
	fmt.Printf("\n== PostgreSQL: one postgres check (ours) vs postgres_exporter's default collectors, same database and pg_monitor role; each scraper scrapes every %s for %s; statements and connections counted by a wire-protocol proxy per exporter\n", o.pace, o.pgDuration)
	fmt.Printf("%-24s %-8s %8s %10s %12s %11s %10s %9s %9s\n", "exporter", "scrapers", "scrapes", "stmts/s", "stmts/scrape", "conns/scrp", "peak_conns", "p95_ms", "cpu/scrp")
	results := map[string]map[int][2]float64{}
	for _, e := range exporters {
		px, err := newProxy(upstream, countPostgres)
		if err != nil {
			return err
		}
		p, err := e.start(px.addr)
		if err != nil {
			return err
		}
		if _, _, err := get(p.base + "/metrics"); err != nil { // warm-up
			return err
		}
		results[e.label] = map[int][2]float64{}
		for _, s := range o.scrapers {
			px.reset()
			c := p.cpu()
			t := time.Now()
			l := scrapeLoad(p.base+"/metrics", s, o.pgDuration, o.pace)
			el := time.Since(t).Seconds()
			cpu := p.cpu() - c
			if l.errors > 0 {
				// golive_exporter answers 503 past --web.max-requests (40
				// parallel scrapes by default): shown, not hidden.
				fmt.Printf("  %s, %d scrapers: %d scrapes failed, the first: %s\n", e.label, s, l.errors, tail(l.firstErr.Error(), 160))
			}
			st := float64(px.commands.Load())
			sc := float64(l.scrapes)
			fmt.Printf("%-24s %-8d %8d %10.1f %12.2f %11.3f %10d %9.1f %7.2fms\n", e.label, s, l.scrapes, st/el, st/sc,
				float64(px.conns.Load())/sc, px.peakOpen.Load(), float64(l.p95())/1e6, float64(cpu)/sc/1e6)
			results[e.label][s] = [2]float64{st / sc, st / el}
		}
		p.stop()
		px.listener.Close()
	}
	for _, s := range o.scrapers {
		for _, label := range []string{"ours (default interval)", "ours (interval: 0)"} {
			a, b := results[label][s], results["postgres_exporter"][s]
			fmt.Printf("  %d scrapers, %s / postgres_exporter: statements per scrape %.2f, statements/s %.2f\n", s, label, a[0]/b[0], a[1]/b[1])
		}
	}
	return nil
}

// ---- Redis ----

func phaseRedis(o options) error {
	pxOurs, err := newProxy(o.redisAddr, countRedis)
	if err != nil {
		return err
	}
	pxTheirs, err := newProxy(o.redisAddr, countRedis)
	if err != nil {
		return err
	}
	cfg := filepath.Join(o.work, "golive-redis.yml")
	text := fmt.Sprintf("redis_targets:\n  bench:\n    address: %q\nchecks:\n  - name: redis\n    redis: {target: bench}\n", pxOurs.addr)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		return err
	}
	ours, err := start(o, "golive_exporter", nil, "/-/ready", "--config.file", cfg, "--web.listen-address", "%ADDR%", "--log.level", "warn")
	if err != nil {
		return err
	}
	theirs, err := start(o, "redis_exporter", nil, "/metrics", "--redis.addr", "redis://"+pxTheirs.addr, "--web.listen-address", "%ADDR%")
	if err != nil {
		return err
	}
	for _, p := range []*proc{ours, theirs} {
		if _, _, err := get(p.base + "/metrics"); err != nil {
			return err
		}
	}
	fmt.Printf("\n== Redis: one redis check (ours) vs redis_exporter's defaults; commands counted by a RESP proxy per exporter\n")
	fmt.Printf("%-16s %-8s %8s %13s %10s %9s %9s\n", "exporter", "scrapers", "scrapes", "cmds/scrape", "cpu/scrape", "p50_ms", "p95_ms")
	// One scraper, scrapes taking turns: CPU per scrape.
	pxOurs.reset()
	pxTheirs.reset()
	var oc, tc time.Duration
	var ol, tl load
	for i := 0; i < o.redisScrapes; i++ {
		for _, x := range []struct {
			p   *proc
			cpu *time.Duration
			l   *load
		}{{ours, &oc, &ol}, {theirs, &tc, &tl}} {
			c := x.p.cpu()
			_, d, err := get(x.p.base + "/metrics")
			if err != nil {
				return err
			}
			*x.cpu += x.p.cpu() - c
			x.l.scrapes++
			x.l.latencies = append(x.l.latencies, d)
		}
	}
	row := func(label string, s int, l load, px *proxy, cpu time.Duration) {
		fmt.Printf("%-16s %-8d %8d %13.2f %8.2fms %9.2f %9.2f\n", label, s, l.scrapes, float64(px.commands.Load())/float64(l.scrapes),
			float64(cpu)/float64(l.scrapes)/1e6, float64(median(l.latencies))/1e6, float64(l.p95())/1e6)
	}
	row("ours", 1, ol, pxOurs, oc)
	row("redis_exporter", 1, tl, pxTheirs, tc)
	seq := float64(oc) / float64(tc)
	meetsTarget("CPU per Redis scrape <= 1x redis_exporter (1 scraper)", seq <= 1, "%.2fx (%.2f vs %.2f ms)", seq,
		float64(oc)/float64(ol.scrapes)/1e6, float64(tc)/float64(tl.scrapes)/1e6)
	// 100 scrapers at once, one exporter after the other.
	var per [2]float64
	var p95 [2]time.Duration
	var cmds [2]float64
	for i, x := range []struct {
		label string
		p     *proc
		px    *proxy
	}{{"ours", ours, pxOurs}, {"redis_exporter", theirs, pxTheirs}} {
		x.px.reset()
		c := x.p.cpu()
		l := scrapeLoad(x.p.base+"/metrics", 100, o.redisDuration, o.pace)
		cpu := x.p.cpu() - c
		if l.errors > 0 {
			fmt.Printf("  %s, 100 scrapers: %d scrapes failed, the first: %s\n", x.label, l.errors, tail(l.firstErr.Error(), 160))
		}
		row(x.label, 100, l, x.px, cpu)
		per[i] = float64(cpu) / float64(l.scrapes)
		p95[i] = l.p95()
		cmds[i] = float64(x.px.commands.Load()) / float64(l.scrapes)
	}
	fmt.Printf("  100 scrapers, ours / redis_exporter: commands per scrape %.2f, CPU per scrape %.2f, p95 %.2f\n",
		cmds[0]/cmds[1], per[0]/per[1], float64(p95[0])/float64(p95[1]))
	meetsTarget("CPU per Redis scrape <= 1x redis_exporter (100 scrapers)", per[0] <= per[1], "%.2fx", per[0]/per[1])
	ours.stop()
	theirs.stop()
	return nil
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// ---- soak ----

// soak scrapes o.soakChecks HTTPS checks every o.soakEvery for o.soak and
// prints the exporter's RSS each minute. Flat: the RSS at the end is within
// 20% (and 16 MiB) of the RSS after the first five minutes, once the
// connection pools and the heap have reached their working size.
func soak(o options) error {
	t, err := startTarget(o)
	if err != nil {
		return err
	}
	p, err := oursHTTP(o, t, "https", o.soakChecks)
	if err != nil {
		return err
	}
	fmt.Printf("soak: %d HTTPS checks scraped every %s for %s (%s), %s\n", o.soakChecks, o.soakEvery, o.soak,
		version(filepath.Join(o.bin, "golive_exporter")), time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("%-8s %8s %10s %10s %12s\n", "minute", "scrapes", "RSS_MiB", "HWM_MiB", "failed_chks")
	start := time.Now()
	scrapes, failed := 0, 0
	var rss []float64
	nextMinute := start.Add(time.Minute)
	for next := start; time.Since(start) < o.soak; {
		body, _, err := get(p.base + "/metrics")
		if err != nil {
			return err
		}
		scrapes++
		passed, err := checksPassed(body)
		if err != nil {
			return err
		}
		failed += o.soakChecks - passed
		if time.Now().After(nextMinute) {
			r := p.status("VmRSS")
			rss = append(rss, r)
			fmt.Printf("%-8d %8d %10.1f %10.1f %12d\n", len(rss), scrapes, r, p.status("VmHWM"), failed)
			nextMinute = nextMinute.Add(time.Minute)
		}
		next = next.Add(o.soakEvery)
		time.Sleep(time.Until(next))
	}
	if len(rss) < 6 {
		fmt.Printf("soak shorter than 6 minutes: no verdict (RSS %v)\n", rss)
		return nil
	}
	base, end := rss[4], rss[len(rss)-1]
	ok := end <= base*1.2 || end <= base+16
	verdict := "PASS"
	if !ok {
		verdict = "FAIL"
	}
	fmt.Printf("%s  flat RSS over %s with %d HTTPS checks: %.1f MiB at minute 5, %.1f MiB at the end, peak %.1f MiB, %d scrapes, %d failed checks\n",
		verdict, o.soak, o.soakChecks, base, end, p.status("VmHWM"), scrapes, failed)
	return nil
}
