package checklist

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/golive/golive_exporter/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Attestation is a person's word that a manual item is done: who, when, a
// note and an optional link to the evidence. It may expire (a daily health
// check is good for a day).
type Attestation struct {
	Item     string         `yaml:"item" json:"item"`
	By       string         `yaml:"by" json:"by"`
	At       time.Time      `yaml:"at" json:"at"`
	Note     string         `yaml:"note,omitempty" json:"note,omitempty"`
	Evidence string         `yaml:"evidence,omitempty" json:"evidence,omitempty"`
	Expires  time.Time      `yaml:"expires,omitempty" json:"-"`
	ValidFor model.Duration `yaml:"valid_for,omitempty" json:"-"`

	// Line is the attestation's line in its file.
	Line int `yaml:"-" json:"-"`
}

// ExpiresAt is when the attestation stops counting; zero when never.
func (a Attestation) ExpiresAt() time.Time {
	if !a.Expires.IsZero() {
		return a.Expires
	}
	if a.ValidFor > 0 {
		return a.At.Add(time.Duration(a.ValidFor))
	}
	return time.Time{}
}

// ValidAt reports whether the attestation counts at now: it was made by then
// and has not expired.
func (a Attestation) ValidAt(now time.Time) bool {
	if a.At.After(now) {
		return false
	}
	exp := a.ExpiresAt()
	return exp.IsZero() || now.Before(exp)
}

// attestationFile is the YAML schema of the attestations file.
type attestationFile struct {
	Attestations []Attestation `yaml:"attestations"`
}

// LoadAttestations reads an attestations file and checks every item id
// against cl.
func LoadAttestations(path string, cl *Checklist) ([]Attestation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading attestations: %w", err)
	}
	return ParseAttestations(data, path, cl)
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// ParseAttestations reads attestations from YAML data; name is the file name
// for errors, which come as name:line.
func ParseAttestations(data []byte, name string, cl *Checklist) ([]Attestation, error) {
	var errs config.Errors
	add := func(line int, format string, args ...any) {
		errs = append(errs, &config.Error{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, attestYAMLError(name, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, nil // an empty file: nobody has attested anything yet
	}
	// The list's elements, for the lines of the errors below.
	var elems []*yaml.Node
	if doc := root.Content[0]; doc.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value == "attestations" && doc.Content[i+1].Kind == yaml.SequenceNode {
				elems = doc.Content[i+1].Content
			}
		}
	}
	lines := make([]int, len(elems))
	for i, el := range elems {
		lines[i] = el.Line
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f attestationFile
	if err := dec.Decode(&f); err != nil && err != io.EOF {
		errs := attestYAMLError(name, err)
		// Some decoding errors (a time that does not parse) carry no line:
		// find the entry that fails on its own.
		for _, e := range errs {
			if e.Line != 0 {
				continue
			}
			for _, el := range elems {
				var a Attestation
				if el.Decode(&a) != nil {
					e.Line = el.Line
					break
				}
			}
		}
		return nil, errs
	}
	for i := range f.Attestations {
		a := &f.Attestations[i]
		if i < len(lines) {
			a.Line = lines[i]
		}
		a.By, a.Note, a.Evidence = strings.TrimSpace(a.By), strings.TrimSpace(a.Note), strings.TrimSpace(a.Evidence)
		switch {
		case a.Item == "":
			add(a.Line, "attestation has no item; write item: followed by a checklist id such as P2.1.01")
		case !cl.Has(a.Item):
			add(a.Line, "item %q is not in the checklist %s; check the id", a.Item, cl.Name)
		}
		if a.By == "" {
			add(a.Line, "attestation of %s has no by:; write who attests it", a.Item)
		}
		if a.At.IsZero() {
			add(a.Line, "attestation of %s has no at:; write when, e.g. 2026-11-20T10:00:00Z", a.Item)
		}
		if !a.Expires.IsZero() && a.ValidFor > 0 {
			add(a.Line, "attestation of %s has both expires: and valid_for:; keep one", a.Item)
		}
		if !a.Expires.IsZero() && !a.At.IsZero() && !a.Expires.After(a.At) {
			add(a.Line, "attestation of %s expires (%s) before it was made (%s)", a.Item, a.Expires.Format(time.RFC3339), a.At.Format(time.RFC3339))
		}
		if a.Evidence != "" {
			if u, err := url.Parse(a.Evidence); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				add(a.Line, "evidence %q of %s is not an http(s) link; write a full URL such as https://wiki.example.org/page", a.Evidence, a.Item)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return f.Attestations, nil
}

func attestYAMLError(name string, err error) config.Errors {
	var msgs []string
	if te, ok := err.(*yaml.TypeError); ok {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var es config.Errors
	for _, m := range msgs {
		e := &config.Error{File: name, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sm := yamlLineRE.FindStringSubmatch(m); sm != nil {
			fmt.Sscanf(sm[1], "%d", &e.Line)
			e.Msg = sm[2]
		}
		if strings.Contains(e.Msg, "not found in type") {
			e.Msg += " (valid keys: item, by, at, note, evidence, expires, valid_for)"
		}
		es = append(es, e)
	}
	return es
}

// byItem groups attestations by item, newest first.
func byItem(as []Attestation) map[string][]Attestation {
	m := map[string][]Attestation{}
	for _, a := range as {
		m[a.Item] = append(m[a.Item], a)
	}
	for _, l := range m {
		sort.SliceStable(l, func(i, j int) bool { return l[i].At.After(l[j].At) })
	}
	return m
}

// attestSource holds the attestations of one configuration and reads the
// file again when it changes on disk. The team keeps the file in git: a
// `git pull` on the exporter's host should show on the next scrape or board
// view without a SIGHUP. A stat per evaluation is cheap next to the checks;
// the file is parsed only when it is another file (replaced by a rename, as
// git and many editors do) or its modification time or size changed.
type attestSource struct {
	path string
	cl   *Checklist

	mu   sync.Mutex
	last os.FileInfo // the file read last (good or bad); nil before

	byItem  map[string][]Attestation
	lastErr error
	// gen counts the changes of what current returns (the attestations
	// or the error): equal generations, equal attestations.
	gen uint64
}

// newAttestSource reads path once; an error here refuses the configuration.
func newAttestSource(path string, cl *Checklist) (*attestSource, error) {
	s := &attestSource{path: path, cl: cl, byItem: map[string][]Attestation{}}
	if err := s.refreshLocked(); err != nil {
		return nil, err
	}
	return s, nil
}

// current returns the attestations by item, re-reading the file when it
// changed since the last read. When the changed file does not load (a bad
// entry, or the file is gone) the attestations read before keep counting
// and err says why, with file:line, until the file is fixed.
func (s *attestSource) current() (map[string][]Attestation, error) {
	byItem, _, err := s.currentGen()
	return byItem, err
}

// currentGen is current with the generation of what it returns: it
// changes whenever the attestations or the error do.
func (s *attestSource) currentGen() (map[string][]Attestation, uint64, error) {
	if s == nil {
		return nil, 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	before := errText(s.lastErr)
	if err := s.refreshLocked(); err != nil {
		s.lastErr = err
	}
	if errText(s.lastErr) != before {
		s.gen++
	}
	return s.byItem, s.gen, s.lastErr
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// refreshLocked stats the file and parses it when it differs from the one
// read last. Stat comes before the read: a write between the two leaves an
// older modification time recorded, so the next call reads again.
func (s *attestSource) refreshLocked() error {
	fi, err := os.Stat(s.path)
	if err != nil {
		s.last = nil
		return fmt.Errorf("reading attestations: %w", err)
	}
	if s.last != nil && os.SameFile(fi, s.last) && fi.ModTime().Equal(s.last.ModTime()) && fi.Size() == s.last.Size() {
		return nil
	}
	s.last = fi
	as, err := LoadAttestations(s.path, s.cl)
	if err != nil {
		return err
	}
	s.byItem = byItem(as)
	s.lastErr = nil
	s.gen++
	return nil
}
