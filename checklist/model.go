package checklist

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/golive/golive_exporter/config"
)

// Model is the checklist of one configuration: its items, how each is bound
// to checks, the attestations, the due windows and the blocker policy.
type Model struct {
	Checklist *Checklist
	// GoLive is the planned go-live time; zero when not configured.
	GoLive time.Time

	cfg      *config.Config
	bindings map[string][]string // item id -> check names
	// groups holds, for an item bound through groups of a test-report
	// check (and not by the check's own items), those groups: their
	// conditions are the item's verdict.
	groups map[groupKey][]config.TestGroup
	// attest is the attestations file, re-read when it changes; nil when
	// none is configured.
	attest *attestSource
}

// New builds the model of cfg: it reads the checklist file (or takes the
// shipped one) and the attestations file, and binds items to checks. Every
// problem is reported with its file:line.
func New(cfg *config.Config) (*Model, error) {
	var errs config.Errors
	m, problems := build(cfg)
	for _, pr := range problems {
		errs = append(errs, pr.err(cfg))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return m, nil
}

// problem is a validation problem at a path of the configuration.
type problem struct {
	path string
	msg  string
}

func (p problem) err(cfg *config.Config) *config.Error {
	return &config.Error{File: cfg.File(), Line: cfg.Line(p.path), Path: p.path, Msg: p.msg}
}

// LoadConfigFile reads the configuration at path and builds its model, once:
// item ids in checks' items: and in the checklist: section are checked
// against the checklist as part of the load, so --config.check and reloads
// refuse unknown ids with their line, among the configuration's other
// problems.
func LoadConfigFile(path string) (*config.Config, *Model, error) {
	var s modelStep
	cfg, err := config.LoadFile(path, s.step)
	return s.result(cfg, err)
}

// LoadDefaultConfig is LoadConfigFile for the embedded default
// configuration.
func LoadDefaultConfig() (*config.Config, *Model, error) {
	var s modelStep
	cfg, err := config.Default(s.step)
	return s.result(cfg, err)
}

// LoadConfig is LoadConfigFile for configuration data; name is the file
// name used in errors and for resolving relative paths.
func LoadConfig(data []byte, name string) (*config.Config, *Model, error) {
	var s modelStep
	cfg, err := config.Load(data, name, s.step)
	return s.result(cfg, err)
}

// modelStep builds the model as a step of the configuration's load and
// keeps it, so that a load builds the checklist once.
type modelStep struct{ m *Model }

func (s *modelStep) step(cfg *config.Config, p *config.Problems) {
	m, problems := build(cfg)
	for _, pr := range problems {
		p.Addf(pr.path, "%s", pr.msg)
	}
	if len(problems) == 0 {
		s.m = m
	}
}

func (s *modelStep) result(cfg *config.Config, err error) (*config.Config, *Model, error) {
	if err != nil {
		return nil, nil, err
	}
	return cfg, s.m, nil
}

// build does the work of New, returning problems by configuration path.
func build(cfg *config.Config) (*Model, []problem) {
	var probs []problem
	addf := func(path, format string, args ...any) {
		probs = append(probs, problem{path, fmt.Sprintf(format, args...)})
	}
	c := &cfg.Checklist
	cl := Default()
	if c.File != "" {
		var err error
		cl, err = LoadFile(cfg.ResolvePath(c.File))
		if err != nil {
			addf("checklist.file", "%s", flatten(err))
			return nil, probs
		}
	}
	m := &Model{Checklist: cl, GoLive: c.GoLive.Time, cfg: cfg, bindings: map[string][]string{}, groups: map[groupKey][]config.TestGroup{}}
	if c.Attestations != "" {
		src, err := newAttestSource(cfg.ResolvePath(c.Attestations), cl)
		if err != nil {
			addf("checklist.attestations", "%s", flatten(err))
		}
		m.attest = src
	}
	for i, ch := range cfg.Checks {
		if ch == nil {
			continue
		}
		for j, id := range ch.Items {
			if !config.ItemIDRE.MatchString(id) {
				continue // reported by the config's own validation
			}
			if !cl.Has(id) {
				addf(fmt.Sprintf("checks[%d].items[%d]", i, j), "item %q of check %q is not in the checklist %s; check the id", id, ch.Name, cl.Name)
				continue
			}
			m.bind(id, ch.Name)
		}
		// A test-report group's items are bound to its check with the
		// group's own verdict: Firefox failing does not fail the Chrome
		// item of the same report.
		for g, grp := range ch.TestGroups() {
			for j, id := range grp.Items {
				if !config.ItemIDRE.MatchString(id) {
					continue // reported by the config's own validation
				}
				if !cl.Has(id) {
					kind := "junit"
					if ch.Kind() == "test_report" {
						kind = "test_report"
					}
					addf(fmt.Sprintf("checks[%d].%s.groups[%d].items[%d]", i, kind, g, j), "item %q of group %s of check %q is not in the checklist %s; check the id", id, grp.Name, ch.Name, cl.Name)
					continue
				}
				if slices.Contains(ch.Items, id) {
					continue // the check's own items take its whole verdict
				}
				m.bind(id, ch.Name)
				k := groupKey{id, ch.Name}
				m.groups[k] = append(m.groups[k], grp)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(c.Items)) {
		if config.ItemIDRE.MatchString(id) && !cl.Has(id) {
			addf("checklist.items."+id, "item %q is not in the checklist %s", id, cl.Name)
			continue
		}
		if it := c.Items[id]; it != nil {
			for _, name := range it.Checks {
				m.bind(id, name)
			}
		}
	}
	for _, list := range []struct {
		name string
		ids  []string
	}{{"items", c.Blockers.Items}, {"except", c.Blockers.Except}} {
		for i, id := range list.ids {
			if config.ItemIDRE.MatchString(id) && !cl.Has(id) {
				addf(fmt.Sprintf("checklist.blockers.%s[%d]", list.name, i), "item %q is not in the checklist %s", id, cl.Name)
			}
		}
	}
	phases := map[string]bool{}
	for _, ph := range cl.Phases() {
		phases[ph] = true
	}
	for i, ph := range c.Blockers.Phases {
		if !phases[ph] && !c.BlockerPhasesDefaulted() {
			addf(fmt.Sprintf("checklist.blockers.phases[%d]", i), "phase %q is not in the checklist %s (phases: %s)", ph, cl.Name, strings.Join(cl.Phases(), ", "))
		}
	}
	for _, k := range c.WindowKeys() {
		if _, builtin := config.DefaultWindows()[k]; builtin {
			continue // the built-in keys need not exist in a user's checklist
		}
		if !cl.HasPrefix(k) {
			addf("checklist.windows."+k, "%q is no phase, section or item of the checklist %s", k, cl.Name)
		}
	}
	for _, it := range cl.Items {
		if _, _, ok := c.WindowFor(it.ID); !ok && !c.GoLive.IsZero() {
			addf("checklist.windows", "item %s (phase %s) has no due window; add windows: {%s: {start: -7d, end: 0s}}", it.ID, it.Phase, it.Phase)
			break
		}
	}
	return m, probs
}

// groupKey is an item bound to a check through one of its groups.
type groupKey struct{ item, check string }

func (m *Model) bind(id, check string) {
	if !slices.Contains(m.bindings[id], check) {
		m.bindings[id] = append(m.bindings[id], check)
	}
}

// Attestations returns the attestations by item, newest first. The file
// is read again when it changed on disk; err says why a changed file was
// not taken (the attestations read before it keep counting).
func (m *Model) Attestations() (map[string][]Attestation, error) {
	return m.attest.current()
}

// Checks returns the names of the checks bound to an item.
func (m *Model) Checks(id string) []string { return m.bindings[id] }

// Config is the configuration the model was built from.
func (m *Model) Config() *config.Config { return m.cfg }

// IsBlocker reports whether an item blocks GO when it is due and not OK.
func (m *Model) IsBlocker(it Item) bool {
	c := &m.cfg.Checklist
	if o := c.Items[it.ID]; o != nil && o.Blocker != nil {
		return *o.Blocker
	}
	if slices.Contains(c.Blockers.Except, it.ID) {
		return false
	}
	return slices.Contains(c.Blockers.Kinds, string(it.Kind)) || slices.Contains(c.Blockers.Phases, it.Phase) || slices.Contains(c.Blockers.Items, it.ID)
}

// Window returns an item's due window as absolute times; ok is false when
// no go-live time is set (every item is then due).
func (m *Model) Window(it Item) (start, end time.Time, ok bool) {
	if m.GoLive.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	w, _, found := m.cfg.Checklist.WindowFor(it.ID)
	if !found {
		return time.Time{}, time.Time{}, false
	}
	return m.GoLive.Add(time.Duration(w.Start)), m.GoLive.Add(time.Duration(w.End)), true
}

// flatten joins the lines of a multi-error for one configuration message.
func flatten(err error) string {
	var es config.Errors
	if errors.As(err, &es) {
		parts := make([]string, len(es))
		for i, e := range es {
			parts[i] = e.Error()
		}
		return strings.Join(parts, "; ")
	}
	return err.Error()
}
