package process

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/procfs"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, 100 on
// every Linux architecture Go supports (procfs assumes the same).
const userHZ = 100

type collector struct {
	pid int
	// statPath and fdPath are /proc/<pid>/stat and /proc/<pid>/fd, written
	// once rather than on every scrape.
	statPath, fdPath string
	startTime        float64
	pageSize         float64
	startErr         error
}

// NewCollector returns the process collector. It reads /proc/self/stat once
// a scrape and counts /proc/self/fd; the start time (which needs the boot
// time from /proc/stat) is read once, and the limits come from getrlimit.
// client_golang's collector also reads /proc/self/net/netstat for
// process_network_{receive,transmit}_bytes_total, which are the network
// namespace's counters, not the process's traffic, and re-reads /proc/stat
// and /proc/self/limits: a quarter of the fixed cost of a scrape.
func NewCollector() prometheus.Collector {
	c := &collector{pid: os.Getpid(), pageSize: float64(os.Getpagesize())}
	c.statPath = fmt.Sprintf("/proc/%d/stat", c.pid)
	c.fdPath = fmt.Sprintf("/proc/%d/fd", c.pid)
	p, err := procfs.NewProc(c.pid)
	if err == nil {
		var st procfs.ProcStat
		if st, err = p.Stat(); err == nil {
			c.startTime, err = st.StartTime()
		}
	}
	c.startErr = err
	return c
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{cpuDesc, openFDsDesc, maxFDsDesc, vsizeDesc, maxVsizeDesc, rssDesc, startDesc} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	if c.startErr != nil {
		ch <- prometheus.NewInvalidMetric(startDesc, c.startErr)
	} else {
		ch <- prometheus.MustNewConstMetric(startDesc, prometheus.GaugeValue, c.startTime)
	}
	if cpu, vsize, rss, err := readStat(c.statPath); err != nil {
		ch <- prometheus.NewInvalidMetric(cpuDesc, err)
	} else {
		ch <- prometheus.MustNewConstMetric(cpuDesc, prometheus.CounterValue, cpu)
		ch <- prometheus.MustNewConstMetric(vsizeDesc, prometheus.GaugeValue, vsize)
		ch <- prometheus.MustNewConstMetric(rssDesc, prometheus.GaugeValue, rss*c.pageSize)
	}
	if n, err := countFDs(c.fdPath); err != nil {
		ch <- prometheus.NewInvalidMetric(openFDsDesc, err)
	} else {
		ch <- prometheus.MustNewConstMetric(openFDsDesc, prometheus.GaugeValue, float64(n))
	}
	for _, l := range []struct {
		desc     *prometheus.Desc
		resource int
	}{{maxFDsDesc, syscall.RLIMIT_NOFILE}, {maxVsizeDesc, syscall.RLIMIT_AS}} {
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(l.resource, &lim); err != nil {
			ch <- prometheus.NewInvalidMetric(l.desc, err)
			continue
		}
		ch <- prometheus.MustNewConstMetric(l.desc, prometheus.GaugeValue, float64(lim.Cur))
	}
}

// readStat returns the CPU seconds (utime + stime), the virtual memory size
// in bytes and the resident set in pages from a /proc/<pid>/stat file.
func readStat(path string) (cpu, vsize, rssPages float64, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, err
	}
	// The command (field 2) is in parentheses and may hold spaces and
	// parentheses itself: the fields that follow start after the last ')'.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 || i+2 > len(raw) {
		return 0, 0, 0, fmt.Errorf("%s: no command field", path)
	}
	// Fields from 3 (state) on: utime is field 14, stime 15, vsize 23,
	// rss 24.
	f := bytes.Fields(raw[i+2:])
	if len(f) < 22 {
		return 0, 0, 0, fmt.Errorf("%s: %d fields, want at least 24", path, len(f)+2)
	}
	num := func(field int) float64 {
		if err != nil {
			return 0
		}
		var v uint64
		v, err = strconv.ParseUint(string(f[field-3]), 10, 64)
		if err != nil {
			err = fmt.Errorf("%s: field %d: %w", path, field, err)
		}
		return float64(v)
	}
	cpu = (num(14) + num(15)) / userHZ
	vsize, rssPages = num(23), num(24)
	return cpu, vsize, rssPages, err
}

// countFDs counts the entries of a /proc/<pid>/fd folder, a batch of names
// at a time.
func countFDs(dir string) (int, error) {
	d, err := os.Open(dir)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	n := 0
	for {
		names, err := d.Readdirnames(256)
		n += len(names)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
