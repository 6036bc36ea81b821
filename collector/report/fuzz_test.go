package report

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive/golive_exporter/config"
)

func addSeeds(f *testing.F, dir string, exts ...string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		for _, ext := range exts {
			if strings.HasSuffix(e.Name(), ext) {
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					f.Fatal(err)
				}
				f.Add(b)
			}
		}
	}
}

func fuzzGrouper(f *testing.F) *grouper {
	g, err := newGrouper([]config.TestGroup{
		{Name: "chrome", Match: config.TestMatch{Project: "chromium"}},
		{Name: "any", Match: config.TestMatch{Name: "."}},
	})
	if err != nil {
		f.Fatal(err)
	}
	return g
}

// checkSummary holds for every summary a parser returns.
func checkSummary(t *testing.T, s *FileSummary) {
	if s == nil {
		t.Fatal("nil summary without an error")
	}
	for i, n := range s.Counts {
		if n < 0 {
			t.Fatalf("negative count %d for %s", n, outcomeNames[i])
		}
	}
	for _, g := range s.Groups {
		if g.Total() > s.Counts.Total() {
			t.Fatalf("group has %d cases, report %d", g.Total(), s.Counts.Total())
		}
	}
	if s.HasDuration && (s.Duration < 0 || s.Duration != s.Duration) {
		t.Fatalf("bad duration %v", s.Duration)
	}
}

func FuzzJUnit(f *testing.F) {
	addSeeds(f, corpusDir(f, "junit"), ".xml")
	addSeeds(f, "testdata", ".xml")
	f.Add([]byte(`<testsuites><testcase name="a"><skipped type="pytest.xfail"/></testcase></testsuites>`))
	g := fuzzGrouper(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseJUnit(bytes.NewReader(data), junitOptions{maxDepth: 32, loc: time.UTC, groups: g})
		if err != nil {
			if s != nil {
				t.Fatal("summary with an error")
			}
			return
		}
		checkSummary(t, s)
	})
}

func FuzzTestJSON(f *testing.F) {
	addSeeds(f, "testdata", ".json", ".jsonl")
	f.Add([]byte(`{"Time":"2025-01-01T00:00:00Z","Action":"run","Package":"p","Test":"T"}` + "\n"))
	g := fuzzGrouper(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseTestJSON(bytes.NewReader(data), TestReportAuto, g)
		if err != nil {
			return
		}
		checkSummary(t, s)
	})
}

func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{"2020-10-27T21:39:41", "2020-09-04T16:18:04.966371", "2025-11-15T11:51:49.548396-05:00",
		"1641057782965", "2021-03-07T10:36:56 UTC", "0001-01-01T00:00:00Z", "27.879566999999994", "1,234.5", "250ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ts, ok := parseTimestamp(s, time.UTC); ok && !ts.IsZero() && ts.Before(earliestTimestamp) {
			t.Fatalf("implausible timestamp %v accepted from %q", ts, s)
		}
		if v, ok := parseSeconds(s); ok && (v < 0 || v != v) {
			t.Fatalf("bad seconds %v from %q", v, s)
		}
	})
}

// FuzzTagLimit checks the tag scanner's fast paths (text, comments and
// CDATA skipped to the next interesting byte, across reads of any size)
// against the plain byte-by-byte state machine, with a small limit so that
// the fuzzer reaches it.
func FuzzTagLimit(f *testing.F) {
	addSeeds(f, corpusDir(f, "junit"), ".xml")
	f.Add([]byte(`<a b="x>y"><!-- <c d="` + strings.Repeat("e", 50) + `"> --><![CDATA[ <f> ]] > ]]><g/></a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 40
		ref := &tagLimitReader{max: limit}
		refAt := -1
		for i, c := range data {
			if !ref.scan(c) {
				refAt = i
				break
			}
		}
		// Reads of 1 to 7 bytes, varying with the input, then one large.
		chunk := 1 + len(data)%7
		tl := &tagLimitReader{r: &chunkReader{data: data, size: chunk}, max: limit}
		got, err := io.ReadAll(tl)
		if refAt < 0 {
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("refused or changed a document the byte-by-byte scan accepts: %v", err)
			}
			if tl.line != ref.line {
				t.Fatalf("line %d, byte-by-byte %d", tl.line, ref.line)
			}
			return
		}
		if err == nil || !tl.tooLong {
			t.Fatalf("accepted a document the byte-by-byte scan refuses at byte %d", refAt)
		}
		if len(got) != refAt || tl.tagLine != ref.tagLine {
			t.Fatalf("refused at byte %d line %d, byte-by-byte at %d line %d", len(got), tl.tagLine, refAt, ref.tagLine)
		}
	})
}

// chunkReader returns data size bytes at a time.
type chunkReader struct {
	data []byte
	size int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.size)], c.data)
	c.data = c.data[n:]
	return n, nil
}
