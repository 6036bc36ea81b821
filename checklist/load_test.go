package checklist

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShippedChecklistHasEveryItemOnce(t *testing.T) {
	cl := Default()
	// Every id line of the TSV, read independently of Parse, with its
	// columns: the item carries each of them.
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(defaultTSV))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if f[0] == "id" || f[0] == "" {
			continue
		}
		ids = append(ids, f[0])
		require.Len(t, f, 7, sc.Text())
		it, ok := cl.Item(f[0])
		if assert.True(t, ok, "item %s", f[0]) {
			assert.Equal(t, Item{ID: f[0], Phase: f[1], Section: f[2], Group: f[3], Text: f[4], Kind: Kind(f[5]), Verification: f[6], Line: it.Line},
				it, "item %s", f[0])
		}
	}
	require.Len(t, ids, 279)
	require.Len(t, cl.Items, len(ids))
	seen := map[string]int{}
	for _, it := range cl.Items {
		seen[it.ID]++
	}
	for _, id := range ids {
		assert.Equal(t, 1, seen[id], "item %s", id)
	}
	kinds := map[Kind]int{}
	for _, it := range cl.Items {
		kinds[it.Kind]++
	}
	assert.Equal(t, map[Kind]int{KindProbe: 51, KindData: 28, KindReport: 23, KindRule: 18, KindManual: 159}, kinds)
	assert.Equal(t, []string{"P1", "P2", "P3", "P4", "P5", "P6", "SO", "AX"}, cl.Phases())
	for _, ph := range cl.Phases() {
		assert.NotEqual(t, ph, PhaseTitle(ph), "phase %s has a title", ph)
	}
}

func TestParseRefusesBadChecklists(t *testing.T) {
	head := strings.Join(Columns, "\t") + "\n"
	row := func(f ...string) string { return strings.Join(f, "\t") + "\n" }
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "my.tsv: the file is empty"},
		{"wrong header", "id\tphase\n", "my.tsv:1: the header must be"},
		{"few fields", head + "P1.1.01\tP1\tS\n", "my.tsv:2: 3 tab-separated fields, want 7"},
		{"bad id", head + row("P1-1", "P1", "S", "G", "T", "probe", ""), `my.tsv:2: "P1-1" is not an item id`},
		{"id outside its phase", head + row("P2.1.01", "P1", "S", "G", "T", "probe", ""), "my.tsv:2: item P2.1.01 is in phase \"P1\""},
		{"unknown kind", head + row("P1.1.01", "P1", "S", "G", "T", "robot", ""), `my.tsv:2: item P1.1.01 has automation "robot"`},
		{"no text", head + row("P1.1.01", "P1", "S", "G", "", "manual", ""), "my.tsv:2: item P1.1.01 has no text"},
		{"duplicate", head + row("P1.1.01", "P1", "S", "G", "T", "manual", "") + "\n" + row("P1.1.01", "P1", "S", "G", "T", "manual", ""), "my.tsv:4: item P1.1.01 is listed twice (first at line 2)"},
		{"no items", head, "my.tsv:1: the checklist has no items"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.data), "my.tsv")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	cl, err := Parse(strings.NewReader("\ufeff"+head+"# a comment\r\n"+row("X1.1.01", "X1", "Sec", "G", "Own item", "manual", "")), "own.tsv")
	require.NoError(t, err)
	it, ok := cl.Item("X1.1.01")
	require.True(t, ok)
	assert.Equal(t, 3, it.Line)
	assert.Equal(t, "X1", PhaseTitle("X1"))
}

func TestParseAttestations(t *testing.T) {
	cl := Default()
	good := `attestations:
  - item: P2.1.01
    by: Jane Doe
    at: 2026-11-20T10:00:00Z
    note: "Training held, <b>12</b> attendees"
    evidence: https://wiki.example.org/training
  - item: P5.1.05
    by: Ops
    at: 2026-12-02T09:00:00Z
    valid_for: 1d
`
	as, err := ParseAttestations([]byte(good), "a.yml", cl)
	require.NoError(t, err)
	require.Len(t, as, 2)
	assert.Equal(t, 2, as[0].Line)
	assert.Equal(t, 7, as[1].Line)
	assert.True(t, as[0].ExpiresAt().IsZero())
	assert.Equal(t, "2026-12-03T09:00:00Z", as[1].ExpiresAt().Format("2006-01-02T15:04:05Z07:00"))

	empty, err := ParseAttestations(nil, "a.yml", cl)
	require.NoError(t, err)
	assert.Empty(t, empty)

	bad := []struct {
		name, data, want string
	}{
		{"unknown id", "attestations:\n  - {item: P1.1.01, by: a, at: 2026-11-20T10:00:00Z}\n  - {item: P9.9.99, by: a, at: 2026-11-20T10:00:00Z}\n",
			`a.yml:3: item "P9.9.99" is not in the checklist`},
		{"no by", "attestations:\n  - {item: P1.1.01, at: 2026-11-20T10:00:00Z}\n", "a.yml:2: attestation of P1.1.01 has no by:"},
		{"no at", "attestations:\n  - {item: P1.1.01, by: x}\n", "a.yml:2: attestation of P1.1.01 has no at:"},
		{"unknown key", "attestations:\n  - {item: P1.1.01, by: x, at: 2026-11-20T10:00:00Z, who: y}\n", "a.yml:2: field who not found"},
		{"script link", "attestations:\n  - {item: P1.1.01, by: x, at: 2026-11-20T10:00:00Z, evidence: \"javascript:alert(1)\"}\n", "is not an http(s) link"},
		{"both expiries", "attestations:\n  - {item: P1.1.01, by: x, at: 2026-11-20T10:00:00Z, valid_for: 1d, expires: 2026-11-22T00:00:00Z}\n", "both expires: and valid_for:"},
		{"expires before at", "attestations:\n  - {item: P1.1.01, by: x, at: 2026-11-20T10:00:00Z, expires: 2026-11-19T00:00:00Z}\n", "expires (2026-11-19T00:00:00Z) before it was made"},
		{"not yaml", "attestations: [\n", "a.yml:"},
		{"wrong type", "attestations:\n  - {item: P1.1.01, by: x, at: yesterday}\n", "a.yml:2:"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAttestations([]byte(tc.data), "a.yml", cl)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestExampleAttestationsParse(t *testing.T) {
	const example = "../deploy/examples/attestations.yml"
	as, err := LoadAttestations(example, Default())
	require.NoError(t, err)
	assert.NotEmpty(t, as)
}

func FuzzParse(f *testing.F) {
	f.Add(defaultTSV)
	f.Add([]byte(smallTSV))
	f.Add([]byte("id\tphase\n\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cl, err := Parse(bytes.NewReader(data), "fuzz.tsv")
		if err != nil {
			return
		}
		for _, it := range cl.Items {
			if !cl.Has(it.ID) || !strings.HasPrefix(it.ID, it.Phase+".") {
				t.Fatalf("accepted inconsistent item %+v", it)
			}
		}
	})
}

func FuzzParseAttestations(f *testing.F) {
	if data, err := os.ReadFile("../deploy/examples/attestations.yml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("attestations:\n  - {item: P1.1.01, by: a, at: 2026-11-20T10:00:00Z, valid_for: 1d}\n"))
	f.Add([]byte("attestations: {}\n"))
	cl := Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		as, err := ParseAttestations(data, "fuzz.yml", cl)
		if err != nil {
			return
		}
		for _, a := range as {
			if !cl.Has(a.Item) || a.By == "" || a.At.IsZero() {
				t.Fatalf("accepted invalid attestation %+v", a)
			}
		}
	})
}
