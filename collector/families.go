package collector

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Family is one metric family the exporter can export: its name, type,
// help and labels.
type Family struct {
	Name, Type, Help string
	Labels           []string
}

var (
	familiesMu sync.Mutex
	families   = map[string]Family{}
	familyPtrs = map[string]*Family{}
	// descFamilies maps each desc made here to its family: a run's series
	// are built into exposition data once, when the run ends (see
	// buildSeries), which needs a desc's name, help and type.
	descFamilies sync.Map // *prometheus.Desc -> *Family
)

func newFamily(name, help, typ string, labels []string) *prometheus.Desc {
	labels = append([]string{"check"}, labels...)
	f := Family{Name: name, Type: typ, Help: help, Labels: labels}
	AddFamily(f)
	d := prometheus.NewDesc(name, help, labels, nil)
	descFamilies.Store(d, familyPtr(name))
	return d
}

// AddFamily adds a family to Families. Two kinds describing one name
// differently is a programming error, found when the binary starts.
func AddFamily(f Family) {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	if old, ok := families[f.Name]; ok && (old.Type != f.Type || old.Help != f.Help || strings.Join(old.Labels, ",") != strings.Join(f.Labels, ",")) {
		panic(fmt.Sprintf("collector: metric family %s described twice, differently", f.Name))
	}
	families[f.Name] = f
	if familyPtrs[f.Name] == nil {
		familyPtrs[f.Name] = &f
	}
}

// familyPtr is the one *Family of a name added: two descs of one family
// (two kinds describing it alike) share it.
func familyPtr(name string) *Family {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	return familyPtrs[name]
}

// GaugeFamily is prometheus.NewDesc for a gauge family whose labels are
// all its own (the check and checklist series): it joins Families.
func GaugeFamily(name, help string, labels []string, constLabels prometheus.Labels) *prometheus.Desc {
	AddFamily(Family{Name: name, Type: "gauge", Help: help, Labels: labels})
	d := prometheus.NewDesc(name, help, labels, constLabels)
	descFamilies.Store(d, familyPtr(name))
	return d
}

// Families lists every metric family the kinds compiled in, the
// scheduler and the checklist can export, by name.
func Families() []Family {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	out := make([]Family, 0, len(families))
	for _, f := range families {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
