package board

import (
	"testing"
	"time"

	"github.com/golive/golive_exporter/checklist"
)

// FuzzParseReadyRange: whatever a server answers, reading it returns
// changes in time order that alternate, or an error; never a panic.
func FuzzParseReadyRange(f *testing.F) {
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"1"],[1700000060,"0"],[1700000120,"0"]]}]}}`))
	f.Add([]byte(`{"status":"error","error":"parse error"}`))
	f.Add([]byte(`{"status":"success","data":{"result":[]}}`))
	f.Add([]byte(`{"status":"success","data":{"result":[{"values":[[1700000060,"1"],[1700000000,"0"]]}]}}`))
	f.Add([]byte(`<html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		changes, err := parseReadyRange(body, 200, `{job="golive"}`)
		if err != nil {
			return
		}
		if len(changes) == 0 {
			t.Fatal("no error and no change")
		}
		for i := 1; i < len(changes); i++ {
			if !changes[i].At.After(changes[i-1].At) || changes[i].Verdict == changes[i-1].Verdict {
				t.Fatalf("changes %d and %d: %+v %+v", i-1, i, changes[i-1], changes[i])
			}
		}
	})
}

// FuzzDecodeHistory: whatever the history file holds, it is read as a
// usable history or refused (and OpenHistory starts a fresh one), never
// a panic; a history read prunes and records without trouble.
func FuzzDecodeHistory(f *testing.F) {
	f.Add([]byte(`{"version":1,"start":"2026-11-30T08:00:00Z","verdict":[{"verdict":"GO","at":"2026-11-30T08:00:00Z"}],"items":{"P1.1.01":{"state":"pass","since":"2026-11-30T08:00:00Z"}}}`))
	f.Add([]byte(`{"version":1,"start":"2026-11-30T08:00:00Z","verdict":null,"items":null}`))
	f.Add([]byte(`{"version":1`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, content []byte) {
		d, err := decodeHistory(content)
		if err != nil {
			return
		}
		if d.Items == nil || d.Start.IsZero() || d.Version != historyVersion {
			t.Fatalf("accepted an unusable history: %+v", d)
		}
		h := &History{data: d}
		h.prune(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		h.Annotate(&checklist.Status{Verdict: checklist.VerdictGo, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	})
}
