// Package checklist makes the go-live checklist a live object: every item
// with its phase, section and kind, the checks bound to it, the team's
// manual attestations, when each item falls due, and the GO / NO-GO verdict
// that follows from them.
package checklist

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/golive/golive_exporter/config"
)

//go:embed default-checklist.tsv
var defaultTSV []byte

// DefaultName is the name errors give for the shipped checklist.
const DefaultName = "<shipped checklist>"

// Kind says how an item is verified.
type Kind string

// The kinds of the TSV's automation column.
const (
	KindProbe  Kind = "probe"
	KindData   Kind = "data"
	KindReport Kind = "report"
	KindRule   Kind = "rule"
	KindManual Kind = "manual"
)

// Automated reports whether a check can prove items of this kind.
func (k Kind) Automated() bool { return k != KindManual }

// Item is one line of the checklist.
type Item struct {
	ID      string `json:"id"`
	Phase   string `json:"phase"`
	Section string `json:"section"`
	Group   string `json:"group"`
	Text    string `json:"text"`
	Kind    Kind   `json:"kind"`
	// Verification says how the item is verified (empty for manual items).
	Verification string `json:"verification,omitempty"`
	// Line is the item's line in its file.
	Line int `json:"-"`
}

// Checklist is an ordered list of items with unique ids.
type Checklist struct {
	// Name is the file the checklist was read from.
	Name  string
	Items []Item
	byID  map[string]int
	// titles are the phase titles the file gives ("# phase P1: ..."
	// comment lines).
	titles map[string]string
}

// Columns are the TSV's header, in order.
var Columns = []string{"id", "phase", "section", "group", "item", "automation", "how_it_is_verified"}

// Default returns the shipped checklist (every item of the go-live
// checklist).
func Default() *Checklist { return mustParse(defaultTSV, DefaultName) }

// mustParse parses a checklist embedded in the binary, which its tests
// hold to parse.
func mustParse(data []byte, name string) *Checklist {
	cl, err := Parse(bytes.NewReader(data), name)
	if err != nil {
		panic(fmt.Sprintf("%s does not parse: %v", name, err))
	}
	return cl
}

// LoadFile reads a checklist file in the shipped schema.
func LoadFile(path string) (*Checklist, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading checklist: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// phaseTitleRE is a comment line that titles a phase: "# phase P1: Before
// launch".
var phaseTitleRE = regexp.MustCompile(`^#[ \t]*phase[ \t]+([A-Z][A-Z0-9]*)[ \t]*:[ \t]*(.*?)[ \t]*$`)

// Parse reads a checklist in the TSV schema: a header line with Columns,
// then one item a line; comment lines "# phase P1: title" title the
// phases. Every problem is reported as name:line.
func Parse(r io.Reader, name string) (*Checklist, error) {
	cl := &Checklist{Name: name, byID: map[string]int{}, titles: map[string]string{}}
	var errs config.Errors
	add := func(line int, format string, args ...any) {
		errs = append(errs, &config.Error{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	header := false
	kinds := map[string]bool{}
	for _, k := range config.ItemKinds {
		kinds[k] = true
	}
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if m := phaseTitleRE.FindStringSubmatch(text); m != nil && m[2] != "" {
			cl.titles[m[1]] = m[2]
		}
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if !header {
			header = true
			if strings.Join(fields, "\t") != strings.Join(Columns, "\t") {
				add(line, "the header must be the tab-separated columns %s", strings.Join(Columns, ", "))
				return nil, errs
			}
			continue
		}
		if len(fields) != len(Columns) {
			add(line, "%d tab-separated fields, want %d (%s)", len(fields), len(Columns), strings.Join(Columns, ", "))
			continue
		}
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		it := Item{ID: fields[0], Phase: fields[1], Section: fields[2], Group: fields[3], Text: fields[4], Kind: Kind(fields[5]), Verification: fields[6], Line: line}
		switch {
		case !config.ItemIDRE.MatchString(it.ID):
			add(line, "%q is not an item id; ids look like P1.1.02 (phase, section number, item number)", it.ID)
			continue
		case !strings.HasPrefix(it.ID, it.Phase+"."):
			add(line, "item %s is in phase %q; an id starts with its phase (e.g. %s.1.01)", it.ID, it.Phase, it.Phase)
		case it.Section == "":
			add(line, "item %s has no section", it.ID)
		case it.Text == "":
			add(line, "item %s has no text", it.ID)
		case !kinds[string(it.Kind)]:
			add(line, "item %s has automation %q; use one of %s", it.ID, it.Kind, strings.Join(config.ItemKinds, ", "))
		}
		if first, dup := cl.byID[it.ID]; dup {
			add(line, "item %s is listed twice (first at line %d); every id must be unique", it.ID, cl.Items[first].Line)
			continue
		}
		cl.byID[it.ID] = len(cl.Items)
		cl.Items = append(cl.Items, it)
	}
	if err := sc.Err(); err != nil {
		add(line, "reading: %v", err)
	}
	if !header {
		add(0, "the file is empty; it needs the header %s and one item a line", strings.Join(Columns, ", "))
	} else if len(cl.Items) == 0 && len(errs) == 0 {
		add(line, "the checklist has no items")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return cl, nil
}

// Item returns the item with id.
func (c *Checklist) Item(id string) (Item, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Item{}, false
	}
	return c.Items[i], true
}

// Has reports whether id is an item of the checklist.
func (c *Checklist) Has(id string) bool {
	_, ok := c.byID[id]
	return ok
}

// Phases lists the phases in the order they first appear.
func (c *Checklist) Phases() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range c.Items {
		if !seen[it.Phase] {
			seen[it.Phase] = true
			out = append(out, it.Phase)
		}
	}
	return out
}

// HasPrefix reports whether some item's id is key or starts with key+".":
// whether key names a phase, section or item of the checklist.
func (c *Checklist) HasPrefix(key string) bool {
	if c.Has(key) {
		return true
	}
	for _, it := range c.Items {
		if strings.HasPrefix(it.ID, key+".") {
			return true
		}
	}
	return false
}

// phaseTitles are the headings of the shipped checklist's phases.
var phaseTitles = map[string]string{
	"P1": "Phase 1: Pre-Launch Preparation",
	"P2": "Phase 2: Final Week",
	"P3": "Phase 3: Go-Live Day",
	"P4": "Phase 4: First 24 Hours",
	"P5": "Phase 5: First Week",
	"P6": "Phase 6: Post Go-Live (Weeks 2-4)",
	"SO": "Sign-Off",
	"AX": "Appendix",
}

// PhaseTitle is the title the checklist file gives the phase, else the
// shipped checklist's title for its id, else the id.
func (c *Checklist) PhaseTitle(phase string) string {
	if t, ok := c.titles[phase]; ok {
		return t
	}
	return PhaseTitle(phase)
}

// PhaseTitle is a phase's heading in the shipped checklist, or its id for
// other phases.
func PhaseTitle(phase string) string {
	if t, ok := phaseTitles[phase]; ok {
		return t
	}
	return phase
}
