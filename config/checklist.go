package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Checklist binds the go-live checklist to checks and attestations: when the
// launch is, which checklist is used, who attested the manual items, when
// each phase's items fall due, and which items block a GO.
type Checklist struct {
	// File is a checklist of the user's own (same TSV schema as the shipped
	// one); empty uses the shipped checklist.
	File string `yaml:"file,omitempty"`
	// GoLive is the planned go-live time (RFC 3339, e.g.
	// 2026-12-01T08:00:00+01:00). Due windows are relative to it; without it
	// every item counts as due.
	GoLive Timestamp `yaml:"go_live,omitempty"`
	// Attestations is the YAML file of manual attestations, kept in git by
	// the team; read again on every reload.
	Attestations string `yaml:"attestations,omitempty"`
	// Windows sets when items fall due, relative to GoLive, keyed by a phase
	// (P1), a section (AX.3) or an item id (P3.3.02); the longest key that
	// matches an item wins. Entries here replace the built-in ones with the
	// same key; others stay.
	Windows map[string]Window `yaml:"windows,omitempty"`
	// Mode says how an item bound to several checks passes: all (every
	// check passes, the default) or any (one passing check is enough).
	Mode string `yaml:"mode,omitempty"`
	// Blockers says which due items must pass or be attested for GO.
	Blockers Blockers `yaml:"blockers,omitempty"`
	// Items binds items to checks and overrides per item.
	Items map[string]*ChecklistItem `yaml:"items,omitempty"`

	// defaultPhases is set when blockers.phases was not configured.
	defaultPhases bool
	// present is set when the configuration has a checklist: section.
	present bool
}

// UnmarshalYAML notes that the section is present (even empty).
func (c *Checklist) UnmarshalYAML(n *yaml.Node) error {
	type plain Checklist
	if err := n.Decode((*plain)(c)); err != nil {
		return err
	}
	c.present = true
	return nil
}

// Configured reports whether the configuration has a checklist: section,
// even an empty one: only then are series exported per item (a handful of
// checks on the shipped checklist would otherwise add ~1,100 series).
func (c *Checklist) Configured() bool { return c.present }

// BlockerPhasesDefaulted reports whether blockers.phases is the built-in
// [SO] rather than configured (a user's own checklist need not have SO).
func (c *Checklist) BlockerPhasesDefaulted() bool { return c.defaultPhases }

// Window is when items fall due, relative to the go-live time. An item is
// upcoming before Start and due from Start on; End closes the window (shown
// on the board; the item still counts after it).
type Window struct {
	Start Offset `yaml:"start"`
	End   Offset `yaml:"end"`
}

// Blockers selects the items whose failure means NO-GO. An item is a blocker
// when its kind is in Kinds, its phase in Phases or its id in Items, and its
// id not in Except; a per-item blocker: setting wins over all of these.
type Blockers struct {
	// Kinds default to every automated kind: probe, data, report, rule.
	// An explicit empty list selects none.
	Kinds []string `yaml:"kinds,omitempty"`
	// Phases default to [SO], the sign-off section.
	Phases []string `yaml:"phases,omitempty"`
	// Items are extra blocker item ids.
	Items []string `yaml:"items,omitempty"`
	// Except are item ids that never block.
	Except []string `yaml:"except,omitempty"`
}

// ChecklistItem binds one item to checks and overrides its defaults.
type ChecklistItem struct {
	// Checks are check names that prove the item, besides the checks that
	// list the item under their own items:.
	Checks []string `yaml:"checks,omitempty"`
	// Mode overrides checklist.mode for this item: all or any.
	Mode string `yaml:"mode,omitempty"`
	// Blocker, when set, makes the item a blocker (true) or not (false)
	// whatever the blockers: policy says.
	Blocker *bool `yaml:"blocker,omitempty"`
}

// Binding modes.
const (
	ModeAll = "all"
	ModeAny = "any"
)

// AutomatedKinds are the checklist kinds a check can prove.
var AutomatedKinds = []string{"probe", "data", "report", "rule"}

// ItemKinds are every kind an item of the checklist may have.
var ItemKinds = []string{"probe", "data", "report", "rule", "manual"}

// DefaultWindows are the built-in due windows. Phases follow the
// checklist's own headings; sign-off (SO) is collected in the final week and
// blocks from then on; the appendix's known limitations and rollback plan
// (AX.1, AX.2) are due in the final week, its success criteria (AX.3) are
// judged after the first week.
func DefaultWindows() map[string]Window {
	d := func(h float64) Offset { return Offset(time.Duration(h * float64(time.Hour))) }
	day := 24.0
	return map[string]Window{
		"P1":   {Start: d(-14 * day), End: d(0)},
		"P2":   {Start: d(-7 * day), End: d(0)},
		"P3":   {Start: d(-12), End: d(12)},
		"P4":   {Start: d(0), End: d(day)},
		"P5":   {Start: d(0), End: d(7 * day)},
		"P6":   {Start: d(7 * day), End: d(28 * day)},
		"SO":   {Start: d(-7 * day), End: d(0)},
		"AX":   {Start: d(-7 * day), End: d(0)},
		"AX.3": {Start: d(7 * day), End: d(28 * day)},
	}
}

// SetDefaults fills in the binding mode and the built-in windows.
func (c *Checklist) SetDefaults() {
	if c.Mode == "" {
		c.Mode = ModeAll
	}
	w := DefaultWindows()
	for k, v := range c.Windows {
		w[k] = v
	}
	c.Windows = w
	if c.Blockers.Kinds == nil {
		c.Blockers.Kinds = append([]string(nil), AutomatedKinds...)
	}
	if c.Blockers.Phases == nil {
		c.Blockers.Phases = []string{"SO"}
		c.defaultPhases = true
	}
}

var windowKeyRE = regexp.MustCompile(`^[A-Z][A-Z0-9]*(\.\d+){0,2}$`)

// Validate checks the section's own settings; item ids are checked against
// the checklist by the checklist package (checklist.LoadConfigFile), which
// passes its check as a Step of the load.
func (c *Checklist) Validate(path string, p *Problems) {
	if !validMode(c.Mode) {
		p.Addf(path+".mode", "mode %q is not known; write all (every bound check passes) or any (one is enough)", c.Mode)
	}
	for _, k := range sortedKeys(c.Windows) {
		w := c.Windows[k]
		wp := path + ".windows." + k
		if !windowKeyRE.MatchString(k) {
			p.Addf(wp, "%q is not a phase, section or item id; write e.g. P1, AX.3 or P3.3.02", k)
		}
		if w.End < w.Start {
			p.Addf(wp+".end", "end %s is before start %s", w.End, w.Start)
		}
	}
	known := map[string]bool{}
	for _, k := range ItemKinds {
		known[k] = true
	}
	for i, k := range c.Blockers.Kinds {
		if !known[k] {
			p.Addf(fmt.Sprintf("%s.blockers.kinds[%d]", path, i), "kind %q is not known; use %s", k, strings.Join(ItemKinds, ", "))
		}
	}
	for i, ph := range c.Blockers.Phases {
		if !windowKeyRE.MatchString(ph) || strings.Contains(ph, ".") {
			p.Addf(fmt.Sprintf("%s.blockers.phases[%d]", path, i), "%q is not a phase; write e.g. SO or P3", ph)
		}
	}
	for _, list := range []struct {
		name string
		ids  []string
	}{{"items", c.Blockers.Items}, {"except", c.Blockers.Except}} {
		for i, id := range list.ids {
			if !ItemIDRE.MatchString(id) {
				p.Addf(fmt.Sprintf("%s.blockers.%s[%d]", path, list.name, i), "%q is not a checklist item id; ids look like P1.1.02", id)
			}
		}
	}
	cfg := p.Config()
	for _, id := range sortedKeys(c.Items) {
		ip := path + ".items." + id
		if !ItemIDRE.MatchString(id) {
			p.Addf(ip, "%q is not a checklist item id; ids look like P1.1.02", id)
		}
		it := c.Items[id]
		if it == nil {
			continue
		}
		if it.Mode != "" && !validMode(it.Mode) {
			p.Addf(ip+".mode", "mode %q is not known; write all or any", it.Mode)
		}
		for j, name := range it.Checks {
			if cfg.CheckByName(name) == nil {
				p.Addf(fmt.Sprintf("%s.checks[%d]", ip, j), "no check is named %q; name one of the checks under checks:", name)
			}
		}
	}
}

func validMode(m string) bool { return m == ModeAll || m == ModeAny }

// ModeFor returns the binding mode of item id.
func (c *Checklist) ModeFor(id string) string {
	if it := c.Items[id]; it != nil && it.Mode != "" {
		return it.Mode
	}
	if c.Mode == "" {
		return ModeAll
	}
	return c.Mode
}

// WindowFor returns the due window of an item: the longest key of Windows
// that is its id, its section (P1.2) or its phase (P1). ok is false when none
// matches.
func (c *Checklist) WindowFor(id string) (w Window, key string, ok bool) {
	for k := id; k != ""; {
		if w, ok := c.Windows[k]; ok {
			return w, k, true
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return Window{}, "", false
}

// WindowKeys lists the keys of Windows, sorted.
func (c *Checklist) WindowKeys() []string { return sortedKeys(c.Windows) }

// Offset is a signed duration relative to the go-live time: -14d is two
// weeks before, 24h a day after. It accepts the units of Prometheus
// durations (ms, s, m, h, d, w, y) with an optional sign.
type Offset time.Duration

// ParseOffset parses an offset such as -14d, +24h or 0.
func ParseOffset(s string) (Offset, error) {
	t := strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	d, err := model.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("%q is not an offset; write a signed duration such as -14d, 0s or 24h", s)
	}
	if neg {
		return Offset(-time.Duration(d)), nil
	}
	return Offset(d), nil
}

func (o Offset) String() string {
	if o < 0 {
		return "-" + model.Duration(-o).String()
	}
	return model.Duration(o).String()
}

// UnmarshalYAML reads an offset from a scalar.
func (o *Offset) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseOffset(n.Value)
	if err != nil {
		// "line N:" lets the loader place the error (see yamlError).
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*o = v
	return nil
}

// MarshalYAML writes the offset back as text.
func (o Offset) MarshalYAML() (any, error) { return o.String(), nil }

// Timestamp is a point in time written in RFC 3339, such as
// 2026-12-01T08:00:00+01:00.
type Timestamp struct{ time.Time }

// UnmarshalYAML reads an RFC 3339 time from a scalar.
func (t *Timestamp) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.Parse(time.RFC3339, strings.TrimSpace(n.Value))
	if err != nil {
		return fmt.Errorf("line %d: %q is not a time; write RFC 3339 such as 2026-12-01T08:00:00+01:00", n.Line, n.Value)
	}
	t.Time = v
	return nil
}

// MarshalYAML writes the time back in RFC 3339.
func (t Timestamp) MarshalYAML() (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	return t.Format(time.RFC3339), nil
}
