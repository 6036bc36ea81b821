package checklist

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/golive/golive_exporter/config"
)

// Limits of ImportMarkdown, so that a hostile file cannot make it hold
// much memory.
const (
	maxMarkdownLine  = 1 << 20
	maxMarkdownItems = 20000
)

var (
	mdHeadingRE = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	mdListRE    = regexp.MustCompile(`^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[([ xX])\][ \t]+)?(.*)$`)
	mdFenceRE   = regexp.MustCompile("^ {0,3}(```+|~~~+)")
	mdNoteRE    = regexp.MustCompile(`<!--(.*?)-->`)
	// Bold text; blanks to fill in (___) are kept.
	mdBoldRE      = regexp.MustCompile(`\*\*([^*\s](?:[^*]*[^*\s])?)\*\*`)
	mdUnderBoldRE = regexp.MustCompile(`__([^_\s](?:[^_]*[^_\s])?)__`)
	signOffRE     = regexp.MustCompile(`(?i)\bsign[\s-]?offs?\b`)
	appendixRE    = regexp.MustCompile(`(?i)^appendix\b`)
	phaseIDRE     = regexp.MustCompile(`^[A-Z][A-Z0-9]*$`)
)

// mdLine is one heading or list item of a markdown checklist.
type mdLine struct {
	line    int
	heading int // level 1-6, 0 for a list item
	indent  int // list items: columns of leading white space
	box     bool
	text    string
	notes   map[string]string // from <!-- key: value; ... -->
}

// ImportMarkdown reads a markdown checklist: headings are phases and
// sections, "- [ ]" list items are the items, a list item with items
// nested under it (such as "- [ ] **Database Backup**") names their group.
// The phase level is the shallowest heading level that holds items (a lone
// level-1 title above the phases does not count), the section level the
// next one below it that holds items; deeper headings name groups.
//
// Ids are generated as in the shipped checklist: phases P1, P2, ... in
// order (a "Sign-Off" heading is SO, an "Appendix" AX), sections numbered
// within their phase, items within their section (P1.2.07). Importing the
// same file again gives the same ids; an item keeps its id when others are
// added or moved only if it carries it, which a note at the end of the
// item (or heading) does:
//
//   - [ ] Backups restore <!-- id: P1.1.02; automation: probe; how: restore test -->
//
// Notes also give an item's automation (manual by default) and how it is
// verified. Fenced code blocks are skipped. Every problem is reported as
// name:line.
func ImportMarkdown(r io.Reader, name string) (*Checklist, error) {
	var errs config.Errors
	add := func(line int, format string, args ...any) {
		errs = append(errs, &config.Error{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	lines, err := scanMarkdown(r, add)
	if err != nil {
		add(0, "reading: %v", err)
		return nil, errs
	}

	phaseLevel, sectionLevel := markdownLevels(lines)
	im := importer{name: name, add: add, titles: map[string]string{}, used: map[string]int{}}
	im.build(lines, phaseLevel, sectionLevel)
	if len(errs) == 0 && len(im.items) == 0 {
		add(0, "no checklist items found; items are list items with a box, \"- [ ] text\"")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	im.assignIDs()
	if len(errs) > 0 {
		return nil, errs
	}
	cl := &Checklist{Name: name, byID: map[string]int{}, titles: im.titles}
	for _, it := range im.items {
		cl.byID[it.ID] = len(cl.Items)
		cl.Items = append(cl.Items, it.Item)
	}
	return cl, nil
}

// scanMarkdown keeps the headings and list items outside code fences.
func scanMarkdown(r io.Reader, add func(int, string, ...any)) ([]mdLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxMarkdownLine)
	var out []mdLine
	fence := ""
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if m := mdFenceRE.FindStringSubmatch(text); m != nil {
			switch {
			case fence == "":
				fence = m[1][:3]
			case strings.HasPrefix(m[1], fence):
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		if m := mdHeadingRE.FindStringSubmatch(text); m != nil {
			t, notes := takeNotes(m[2])
			out = append(out, mdLine{line: n, heading: len(m[1]), text: t, notes: notes})
			continue
		}
		if m := mdListRE.FindStringSubmatch(text); m != nil {
			t, notes := takeNotes(m[3])
			out = append(out, mdLine{line: n, indent: columns(m[1]), box: m[2] != "", text: t, notes: notes})
			if len(out) > 4*maxMarkdownItems {
				add(n, "more than %d list items; split the checklist", maxMarkdownItems)
				return out, nil
			}
		}
	}
	return out, sc.Err()
}

// columns is the width of leading white space, a tab reaching the next
// multiple of 4.
func columns(ws string) int {
	c := 0
	for _, r := range ws {
		if r == '\t' {
			c += 4 - c%4
		} else {
			c++
		}
	}
	return c
}

// takeNotes removes <!-- key: value; ... --> notes from text and returns
// the cleaned text (bold markers dropped, white space folded).
func takeNotes(s string) (string, map[string]string) {
	var notes map[string]string
	for _, m := range mdNoteRE.FindAllStringSubmatch(s, -1) {
		last := ""
		for _, part := range strings.Split(m[1], ";") {
			k, v, ok := strings.Cut(part, ":")
			key := strings.ToLower(strings.TrimSpace(k))
			if !ok || strings.ContainsAny(key, " \t") {
				// No "key:" in front: the previous value goes on ("how:
				// Redis answers; maxmemory set").
				if last != "" && strings.TrimSpace(part) != "" {
					notes[last] += "; " + strings.TrimSpace(part)
				}
				continue
			}
			if notes == nil {
				notes = map[string]string{}
			}
			notes[key] = strings.TrimSpace(v)
			last = key
		}
	}
	s = mdNoteRE.ReplaceAllString(s, " ")
	s = mdBoldRE.ReplaceAllString(s, "$1")
	s = mdUnderBoldRE.ReplaceAllString(s, "$1")
	return strings.Join(strings.Fields(s), " "), notes
}

// markdownLevels picks the heading levels of phases and sections (0 when
// the file has none).
func markdownLevels(lines []mdLine) (phase, section int) {
	// withItems[l] counts the headings of level l that have a boxed item
	// below them before the next heading of their level or above.
	var withItems [7]int
	for i, l := range lines {
		if l.heading == 0 {
			continue
		}
		for _, next := range lines[i+1:] {
			if next.heading != 0 && next.heading <= l.heading {
				break
			}
			if next.heading == 0 && next.box {
				withItems[l.heading]++
				break
			}
		}
	}
	for l := 1; l <= 6; l++ {
		if withItems[l] == 0 {
			continue
		}
		if phase == 0 {
			phase = l
			continue
		}
		if section == 0 {
			section = l
		}
	}
	// A lone title ("# Go-live checklist") above the phases is not a phase.
	if phase == 1 && withItems[1] == 1 && section != 0 {
		phase = section
		section = 0
		for l := phase + 1; l <= 6; l++ {
			if withItems[l] > 0 {
				section = l
				break
			}
		}
	}
	return phase, section
}

// importedItem is an item with what its id is made of.
type importedItem struct {
	Item
	phaseSeq int // index of the phase among the file's phases
	section  int // section number within the phase
	explicit bool
}

type importer struct {
	name   string
	add    func(int, string, ...any)
	items  []importedItem
	titles map[string]string
	// used maps an id to the line that took it.
	used map[string]int
	// phases in order: their ids; sections counted per phase id.
	phaseIDs []string
	sections map[string]int
}

// cleanTitle drops leading symbols (emoji) from a heading.
func cleanTitle(s string) string {
	return strings.TrimLeftFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func (im *importer) build(lines []mdLine, phaseLevel, sectionLevel int) {
	im.sections = map[string]int{}
	phase, section := "", ""
	phaseSeq, sectionNo := -1, 0
	var deeper []mdLine // headings below the section level, innermost last
	numbered := 0       // phases numbered P1, P2, ...
	startPhase := func(title string, notes map[string]string, line int) {
		id := notes["id"]
		switch {
		case id != "":
			if !phaseIDRE.MatchString(id) {
				im.add(line, "phase id %q: write capital letters and digits, e.g. P1 or SO", id)
				id = "X"
			}
		case signOffRE.MatchString(title):
			id = "SO"
		case appendixRE.MatchString(title):
			id = "AX"
		default:
			numbered++
			id = fmt.Sprintf("P%d", numbered)
		}
		phase, phaseSeq, section, sectionNo = id, phaseSeq+1, "", 0
		im.phaseIDs = append(im.phaseIDs, id)
		if title == "" {
			title = id // a heading of symbols only
		}
		if _, ok := im.titles[id]; !ok {
			im.titles[id] = title
		}
		deeper = nil
	}
	startSection := func(title string) {
		if title == "" {
			title = im.titles[phase]
		}
		im.sections[phase]++
		section, sectionNo = title, im.sections[phase]
		deeper = nil
	}
	// The list items of the current block, for finding parents.
	var block []mdLine
	for i, l := range lines {
		if l.heading > 0 {
			block = nil
			title := cleanTitle(l.text)
			switch {
			case phaseLevel == 0 || l.heading < phaseLevel:
				continue
			case l.heading == phaseLevel:
				if hasItems(lines[i+1:], l.heading) {
					startPhase(title, l.notes, l.line)
				} else {
					phase = ""
				}
			case sectionLevel != 0 && l.heading == sectionLevel:
				if phase != "" && hasItems(lines[i+1:], l.heading) {
					startSection(title)
				}
			default:
				for len(deeper) > 0 && deeper[len(deeper)-1].heading >= l.heading {
					deeper = deeper[:len(deeper)-1]
				}
				deeper = append(deeper, mdLine{heading: l.heading, text: title})
			}
			continue
		}
		// A list item.
		for len(block) > 0 && block[len(block)-1].indent >= l.indent {
			block = block[:len(block)-1]
		}
		parent := ""
		if len(block) > 0 {
			parent = block[len(block)-1].text
		}
		block = append(block, l)
		if !l.box || hasChildItem(lines[i+1:], l.indent) {
			continue // a group, a plain bullet or a note
		}
		if phase == "" {
			if phaseLevel != 0 {
				im.add(l.line, "item %q is under no phase heading; put it below a heading of level %d (%s)", l.text, phaseLevel, strings.Repeat("#", phaseLevel))
				continue
			}
			startPhase("Checklist", nil, l.line)
		}
		if section == "" {
			startSection(im.titles[phase])
		}
		group := parent
		if group == "" && len(deeper) > 0 {
			group = deeper[len(deeper)-1].text
		}
		if group == "" {
			group = section
		}
		if l.text == "" {
			im.add(l.line, "item has no text")
			continue
		}
		if len(im.items) >= maxMarkdownItems {
			im.add(l.line, "more than %d items; split the checklist", maxMarkdownItems)
			return
		}
		it := importedItem{Item: Item{Phase: phase, Section: section, Group: group, Text: l.text, Kind: KindManual, Line: l.line},
			phaseSeq: phaseSeq, section: sectionNo}
		if k := l.notes["automation"]; k != "" {
			if !slices.Contains(config.ItemKinds, k) {
				im.add(l.line, "automation %q; use one of %s", k, strings.Join(config.ItemKinds, ", "))
			}
			it.Kind = Kind(k)
		}
		it.Verification = l.notes["how"]
		if id := l.notes["id"]; id != "" {
			switch {
			case !config.ItemIDRE.MatchString(id):
				im.add(l.line, "%q is not an item id; ids look like %s.1.02", id, phase)
			case !strings.HasPrefix(id, phase+"."):
				im.add(l.line, "item id %s is not in its phase %s; an id starts with its phase (e.g. %s.1.01)", id, phase, phase)
			default:
				if first, dup := im.used[id]; dup {
					im.add(l.line, "item id %s is given twice (first at line %d)", id, first)
				}
				im.used[id] = l.line
				it.ID, it.explicit = id, true
			}
		}
		im.items = append(im.items, it)
	}
}

// hasItems reports whether a boxed item follows before the next heading of
// level or above.
func hasItems(rest []mdLine, level int) bool {
	for _, l := range rest {
		if l.heading != 0 && l.heading <= level {
			return false
		}
		if l.heading == 0 && l.box {
			return true
		}
	}
	return false
}

// hasChildItem reports whether the list item at indent has a boxed item
// nested under it.
func hasChildItem(rest []mdLine, indent int) bool {
	for _, l := range rest {
		if l.heading != 0 || l.indent <= indent {
			return false
		}
		if l.box {
			return true
		}
	}
	return false
}

// assignIDs numbers the items without an id of their own, skipping the
// ids that others carry.
func (im *importer) assignIDs() {
	next := map[string]int{} // phase.section -> last number used
	for i := range im.items {
		it := &im.items[i]
		if it.explicit {
			continue
		}
		key := fmt.Sprintf("%s.%d", it.Phase, it.section)
		for {
			next[key]++
			id := fmt.Sprintf("%s.%02d", key, next[key])
			if _, taken := im.used[id]; !taken {
				it.ID = id
				im.used[id] = it.Line
				break
			}
		}
	}
}

// WriteTSV writes the checklist in the shipped TSV schema: a comment line
// per phase title ("# phase P1: ..."), the header, and one item a line.
func (c *Checklist) WriteTSV(w io.Writer, comment string) error {
	bw := bufio.NewWriter(w)
	for _, l := range strings.Split(strings.TrimSpace(comment), "\n") {
		if l != "" {
			fmt.Fprintf(bw, "# %s\n", l)
		}
	}
	for _, p := range c.Phases() {
		if t, ok := c.titles[p]; ok {
			fmt.Fprintf(bw, "# phase %s: %s\n", p, tsvField(t))
		}
	}
	fmt.Fprintln(bw, strings.Join(Columns, "\t"))
	for _, it := range c.Items {
		fmt.Fprintln(bw, strings.Join([]string{it.ID, it.Phase, tsvField(it.Section), tsvField(it.Group), tsvField(it.Text), string(it.Kind), tsvField(it.Verification)}, "\t"))
	}
	return bw.Flush()
}

// tsvField keeps a value on its line and in its column.
func tsvField(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
