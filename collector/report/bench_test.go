package report

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
)

// writeLargeJUnit writes a JUnit report of about 50 MB: 200 000 cases in
// 2 000 suites, one case in 50 failing with a message and stack, one in 20
// with captured output.
func writeLargeJUnit(b *testing.B) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "TEST-large.xml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, `<?xml version="1.0" encoding="UTF-8"?>`)
	fmt.Fprintln(w, `<testsuites name="large" tests="200000" time="8123.456">`)
	n := 0
	for s := 0; s < 2000; s++ {
		fmt.Fprintf(w, `  <testsuite name="com.school.module%04d.ServiceTest" tests="100" failures="2" timestamp="2025-11-29T08:%02d:00" hostname="ci-runner-3" time="4.%03d">`+"\n", s, s%60, s%1000)
		fmt.Fprintln(w, `    <properties><property name="java.version" value="21.0.5"/></properties>`)
		for c := 0; c < 100; c++ {
			n++
			fmt.Fprintf(w, `    <testcase name="shouldHandleStudentRecordNumber%06dCorrectly" classname="com.school.module%04d.ServiceTest" file="src/test/java/com/school/module%04d/ServiceTest.java" line="%d" assertions="3" time="0.%06d">`, n, s, s, 10+c*7, n%1000000)
			switch {
			case n%50 == 0:
				fmt.Fprintf(w, "\n      <failure message=\"expected:&lt;%d&gt; but was:&lt;%d&gt;\" type=\"org.opentest4j.AssertionFailedError\"><![CDATA[org.opentest4j.AssertionFailedError: expected: <%d> but was: <%d>\n\tat com.school.module%04d.ServiceTest.should(ServiceTest.java:%d)\n\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)\n]]></failure>\n    ", n, n+1, n, n+1, s, c+10)
			case n%5 == 0:
				fmt.Fprintf(w, "\n      <system-out><![CDATA[INFO  loading fixture students-%d.json\nINFO  1024 rows inserted in 12 ms\n]]></system-out>\n    ", n)
			}
			fmt.Fprintln(w, `</testcase>`)
		}
		fmt.Fprintln(w, `  </testsuite>`)
	}
	fmt.Fprintln(w, `</testsuites>`)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, st.Size()
}

// BenchmarkJUnitParse is the parse throughput on a 50 MB report (compare
// MB/s with BenchmarkJUnitReadBytes) and the peak live heap while parsing.
func BenchmarkJUnitParse(b *testing.B) {
	path, size := writeLargeJUnit(b)
	g, err := newGrouper([]config.TestGroup{{Name: "m1", Match: config.TestMatch{Suite: `module00\d\d\.`}}})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		p := testutil.PeakHeap(func() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			s, err := parseJUnit(f, junitOptions{maxDepth: 64, loc: time.UTC, groups: g})
			if err != nil {
				b.Fatal(err)
			}
			if s.Counts.Total() != 200000 || s.Counts[Failed] != 4000 {
				b.Fatalf("counts %v", s.Counts)
			}
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(size)/(1<<20), "file-MiB")
}

// BenchmarkJUnitReadBytes only reads the same 50 MB: the floor for parsing.
func BenchmarkJUnitReadBytes(b *testing.B) {
	path, size := writeLargeJUnit(b)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, f); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkUnchangedScrape is one run of a junit check over a folder of 100
// report files that have not changed since the last run: a stat per file.
func BenchmarkUnchangedScrape(b *testing.B) {
	dir := b.TempDir()
	src, err := os.ReadFile(filepath.Join(corpusDir(b, "junit"), "phpunit-nested-testsuites.xml"))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("TEST-%03d.xml", i)), src, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	jc := &JUnitCheck{TestResults: config.TestResults{Paths: []string{dir}, ExpectedCases: 1200}}
	jc.SetDefaults()
	c, err := newJUnit(config.NewCheck("bench", "junit", jc), collector.Env{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Run(ctx, &collector.Report{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := &collector.Report{}
		if err := c.Run(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(100, "files")
}

// BenchmarkJestJSONParse is the throughput of the JSON reader on a Jest
// --json report of 100 000 tests in 2 000 files.
func BenchmarkJestJSONParse(b *testing.B) {
	path := filepath.Join(b.TempDir(), "jest.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprint(w, `{"numFailedTests":2000,"numPassedTests":98000,"numPendingTests":0,"numTotalTests":100000,"startTime":1764403200000,"success":false,"testResults":[`)
	n := 0
	for file := 0; file < 2000; file++ {
		if file > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, `{"name":"/home/ci/app/src/module%04d/__tests__/service.test.js","status":"failed","startTime":1764403200100,"endTime":1764403201100,"message":"","assertionResults":[`, file)
		for c := 0; c < 50; c++ {
			n++
			if c > 0 {
				fmt.Fprint(w, ",")
			}
			status, msgs := "passed", `[]`
			if n%50 == 0 {
				status, msgs = "failed", `["Error: expect(received).toBe(expected)\n\nExpected: 3\nReceived: 4\n    at Object.toBe (/home/ci/app/src/service.test.js:14:28)"]`
			}
			fmt.Fprintf(w, `{"ancestorTitles":["Module %d","service"],"duration":3,"failureMessages":%s,"fullName":"Module %d service handles record %d","status":"%s","title":"handles record %d"}`, file, msgs, file, n, status, n)
		}
		fmt.Fprint(w, `]}`)
	}
	fmt.Fprint(w, `]}`)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		p := testutil.PeakHeap(func() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			s, err := parseTestJSON(f, TestReportAuto, nil)
			if err != nil {
				b.Fatal(err)
			}
			if s.Counts.Total() != 100000 || s.Counts[Failed] != 2000 {
				b.Fatalf("counts %v", s.Counts)
			}
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
}
