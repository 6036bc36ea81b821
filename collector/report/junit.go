package report

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// junitOptions are the JUnit parser's settings.
type junitOptions struct {
	maxDepth int
	loc      *time.Location
	groups   *grouper
}

type frameKind uint8

const (
	frameOther frameKind = iota
	frameSuites
	frameSuite
	frameCase
)

// frame is one open element of the JUnit document.
type frame struct {
	kind frameKind
	// elem is the element's name, to check that end tags match.
	elem xml.Name
	// Suites and cases.
	name, hostname string
	declared       int
	hasDeclared    bool
	counted        int
	// path is the suite path (nested suite names joined by " / ").
	path string
	// Cases.
	classname string
	// Root only: the sum of its child suites' tests attributes.
	childDeclared                    int
	childCount                       int
	childMissing                     bool
	hasError, hasFailure, hasSkipped bool
	hasFlaky, isXFail                bool
}

// projectPrefixRE finds the Playwright project that old Playwright wrote at
// the start of classnames and names: "[firefox] › example.spec.ts:12:3 › ...".
var projectPrefixRE = regexp.MustCompile(`^\[([^\]\s]{1,64})\]\s`)

// parseJUnit streams a JUnit XML document with a token loop (never holding
// the document), counting outcomes from the <testcase> elements. Custom
// entities are never expanded (encoding/xml knows only the predefined ones),
// nesting deeper than maxDepth is refused, and a truncated or malformed
// document is an error.
func parseJUnit(r io.Reader, opt junitOptions) (*FileSummary, error) {
	if opt.maxDepth <= 0 {
		opt.maxDepth = 64
	}
	if opt.loc == nil {
		opt.loc = time.UTC
	}
	b := newBuilder("junit", opt.groups)
	s := b.s
	tl := &tagLimitReader{r: r, max: maxTagBytes}
	dec := xml.NewDecoder(bufio.NewReaderSize(tl, 64<<10))
	dec.Strict = true
	dec.CharsetReader = charsetReader

	stack := make([]frame, 0, 16)
	var (
		rootSeen        bool
		rootTime        float64
		hasRootTime     bool
		topSuiteTimes   float64
		hasTopSuiteTime bool
		caseTimes       float64
		hasCaseTime     bool
	)
	readTime := func(v string) (float64, bool) {
		if v == "" {
			return 0, false
		}
		f, ok := parseSeconds(v)
		if !ok {
			s.BadValues++
		}
		return f, ok
	}
	readStamp := func(v string) {
		if v == "" {
			return
		}
		ts, ok := parseTimestamp(v, opt.loc)
		if !ok {
			s.BadValues++
			return
		}
		b.seen(ts)
	}

	for {
		// RawToken skips namespace translation, which reports do not need;
		// matching end tags are checked against the stack below.
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			if tl.tooLong {
				return nil, fmt.Errorf("a tag at line %d is longer than %d MiB (a huge attribute): not a test report a tool wrote, refused to keep memory bounded", tl.tagLine, maxTagBytes>>20)
			}
			return nil, describeXMLError(err, rootSeen)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= opt.maxDepth {
				return nil, fmt.Errorf("elements nested deeper than %d levels (line %d); this is not a test report, or raise max_depth", opt.maxDepth, lineOf(dec))
			}
			local := t.Name.Local
			var parent *frame
			if len(stack) > 0 {
				parent = &stack[len(stack)-1]
			}
			f := frame{kind: frameOther, elem: t.Name}
			switch {
			case parent == nil:
				if rootSeen {
					return nil, errors.New("more than one root element")
				}
				rootSeen = true
				switch local {
				case "testsuites":
					f.kind = frameSuites
				case "testsuite":
					f.kind = frameSuite
				case "failsafe-summary":
					// Maven Failsafe writes this beside its TEST-*.xml
					// files: totals only, no cases. Reading a
					// failsafe-reports folder must not fail on it.
					return &FileSummary{Format: "failsafe-summary", Ignored: true}, nil
				default:
					return nil, fmt.Errorf("root element is <%s>, not <testsuites> or <testsuite>: not a JUnit XML report", local)
				}
			case local == "testsuite" && (parent.kind == frameSuites || parent.kind == frameSuite):
				f.kind = frameSuite
			case local == "testcase" && (parent.kind == frameSuite || parent.kind == frameSuites):
				f.kind = frameCase
			case parent.kind == frameCase:
				switch local {
				case "error":
					parent.hasError = true
				case "failure":
					parent.hasFailure = true
				case "skipped":
					parent.hasSkipped = true
					if strings.Contains(strings.ToLower(attr(t, "type")), "xfail") {
						parent.isXFail = true
					}
				case "flakyFailure", "flakyError", "rerunFailure", "rerunError":
					parent.hasFlaky = true
				}
			case parent.kind == frameSuite && (local == "error" || local == "failure"):
				// A suite-level error (Ant, when class setup fails): the
				// suite's cases never ran. It counts as one case, but not
				// against the suite's tests attribute.
				o := Errored
				if local == "failure" {
					o = Failed
				}
				b.add(&Case{Suite: parent.path, Hostname: parent.hostname, Project: parent.hostname, Name: "(suite " + local + ")", Outcome: o})
			}
			if f.kind != frameOther {
				f.name = attr(t, "name")
				f.hostname = attr(t, "hostname")
				if f.hostname == "" && parent != nil {
					f.hostname = parent.hostname
				}
				readStamp(attr(t, "timestamp"))
				tm, hasTime := readTime(attr(t, "time"))
				switch {
				case parent == nil:
					rootTime, hasRootTime = tm, hasTime
				case f.kind == frameSuite && parent.kind == frameSuites && len(stack) == 1 && hasTime:
					topSuiteTimes += tm
					hasTopSuiteTime = true
				case f.kind == frameCase && hasTime:
					caseTimes += tm
					hasCaseTime = true
				}
				if parent != nil {
					f.path = parent.path
				}
				if f.kind == frameSuite {
					if f.path != "" && f.name != "" {
						f.path += " / " + f.name
					} else if f.name != "" {
						f.path = f.name
					}
				}
				if f.kind == frameCase {
					f.classname = attr(t, "classname")
				} else if v := attr(t, "tests"); v != "" {
					if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
						f.declared, f.hasDeclared = n, true
					} else {
						s.BadValues++
					}
				}
			}
			stack = append(stack, f)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, errors.New("unbalanced end element")
			}
			f := stack[len(stack)-1]
			if f.elem != t.Name {
				return nil, fmt.Errorf("malformed XML at line %d: element <%s> closed by </%s>", lineOf(dec), qname(f.elem), qname(t.Name))
			}
			stack = stack[:len(stack)-1]
			var parent *frame
			if len(stack) > 0 {
				parent = &stack[len(stack)-1]
			}
			switch f.kind {
			case frameCase:
				c := Case{Suite: f.path, Classname: f.classname, Name: f.name, Hostname: f.hostname, Outcome: caseOutcome(&f)}
				c.Project = f.hostname
				if m := projectPrefixRE.FindStringSubmatch(f.classname); m != nil {
					c.Project = m[1]
				} else if m := projectPrefixRE.FindStringSubmatch(f.name); m != nil {
					c.Project = m[1]
				}
				b.add(&c)
				if parent != nil {
					parent.counted++
				}
			case frameSuite, frameSuites:
				if f.hasDeclared && f.declared != f.counted {
					s.Mismatches++
				}
				switch {
				case parent != nil:
					parent.counted += f.counted
					if len(stack) == 1 {
						parent.childCount++
						parent.childDeclared += f.declared
						parent.childMissing = parent.childMissing || !f.hasDeclared
					}
				case f.hasDeclared:
					s.Declared, s.HasDeclared = f.declared, true
				case f.childCount > 0 && !f.childMissing:
					// A root without counters: the top-level suites' claim.
					s.Declared, s.HasDeclared = f.childDeclared, true
				}
			}
		}
	}
	if !rootSeen {
		return nil, errors.New("no XML elements: the file is empty or not XML")
	}
	if len(stack) != 0 {
		return nil, errors.New("the document ends before its root element is closed (truncated file)")
	}
	switch {
	case hasRootTime:
		s.Duration, s.HasDuration = rootTime, true
	case hasTopSuiteTime:
		s.Duration, s.HasDuration = topSuiteTimes, true
	case hasCaseTime:
		s.Duration, s.HasDuration = caseTimes, true
	}
	return s, nil
}

// caseOutcome applies the precedence error > failure > skipped > flaky.
func caseOutcome(f *frame) Outcome {
	switch {
	case f.hasError:
		return Errored
	case f.hasFailure:
		return Failed
	case f.isXFail:
		return XFail
	case f.hasSkipped:
		return Skipped
	case f.hasFlaky:
		return Flaky
	}
	return Passed
}

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func lineOf(dec *xml.Decoder) int {
	line, _ := dec.InputPos()
	return line
}

// describeXMLError turns decoder errors into messages that say what is
// wrong with the file.
func describeXMLError(err error, rootSeen bool) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := se.Msg
		switch {
		case strings.Contains(msg, "unexpected EOF"):
			return fmt.Errorf("truncated XML at line %d (%s): the file ends in the middle of the document; was it written completely?", se.Line, msg)
		case strings.Contains(msg, "invalid character entity"):
			return fmt.Errorf("XML at line %d uses an entity that is not expanded (%s): custom entities are refused", se.Line, msg)
		case !rootSeen:
			return fmt.Errorf("not XML (line %d: %s)", se.Line, msg)
		}
		return fmt.Errorf("malformed XML at line %d: %s", se.Line, msg)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated XML: the file ends in the middle of the document")
	}
	return err
}

// charsetReader decodes the declared single-byte encodings Java and .NET
// tools write (ISO-8859-1, ISO-8859-15, windows-1252) to UTF-8 through
// their real tables: windows-1252 is not Latin-1 (0x80 is "€" there).
// US-ASCII is UTF-8 already.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	var cm *charmap.Charmap
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "us-ascii", "ascii", "utf8":
		return input, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		cm = charmap.ISO8859_1
	case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9":
		cm = charmap.ISO8859_15
	case "windows-1252", "cp1252", "x-cp1252":
		cm = charmap.Windows1252
	default:
		return nil, fmt.Errorf("unsupported encoding %q; write the report as UTF-8", label)
	}
	return cm.NewDecoder().Reader(input), nil
}

// maxTagBytes bounds one tag (an element's name and attributes, a
// declaration, a processing instruction). encoding/xml holds a whole tag in
// memory, several times over, before it returns the token; without a bound
// one huge attribute would cost memory in proportion to the file. Real
// reports keep long text (stack traces, output) in element text or CDATA,
// which this bound does not limit; their attributes are kilobytes.
const maxTagBytes = 4 << 20

var errTagTooLong = errors.New("tag too long")

type tagScanState uint8

const (
	scanText    tagScanState = iota
	scanOpen                 // just after '<'
	scanBang                 // after "<!": comment, CDATA or declaration?
	scanTag                  // inside a tag, counting its bytes
	scanComment              // inside <!-- ... -->
	scanCDATA                // inside <![CDATA[ ... ]]>
)

// tagLimitReader passes the document through while following, byte by
// byte, where tags start and end (quoted attribute values may hold '>';
// comments and CDATA sections may hold '<'), and fails the read once a tag
// grows past max bytes, before the decoder has buffered it whole.
type tagLimitReader struct {
	r       io.Reader
	max     int
	state   tagScanState
	n       int    // bytes of the current tag
	quote   byte   // the open attribute quote, 0 outside one
	bang    []byte // bytes after "<!" while deciding what follows
	last    [2]byte
	line    int // line of the byte being scanned, from 1
	tagLine int // line where the current tag started
	tooLong bool
}

func (t *tagLimitReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for i := 0; i < n; i++ {
		// Fast paths: text, comments and CDATA (most of a report's bytes)
		// skip at memchr speed to the next byte that can change the state.
		switch t.state {
		case scanText:
			j := bytes.IndexByte(p[i:n], '<')
			if j < 0 {
				t.line += bytes.Count(p[i:n], newline)
				i = n
				continue
			}
			t.line += bytes.Count(p[i:i+j], newline)
			i += j
		case scanComment, scanCDATA:
			j := bytes.IndexByte(p[i:n], '>')
			if j < 0 {
				j = n - i
			}
			seg := p[i : i+j]
			t.line += bytes.Count(seg, newline)
			switch len(seg) {
			case 0:
			case 1:
				t.last[0], t.last[1] = t.last[1], seg[0]
			default:
				t.last[0], t.last[1] = seg[len(seg)-2], seg[len(seg)-1]
			}
			i += j
			if i == n {
				continue
			}
		}
		if !t.scan(p[i]) {
			t.tooLong = true
			return i, errTagTooLong
		}
	}
	return n, err
}

var newline = []byte{'\n'}

// scan moves the state machine over one byte; false means the current tag
// is too long.
func (t *tagLimitReader) scan(c byte) bool {
	if c == '\n' {
		t.line++
	}
	switch t.state {
	case scanText:
		if c == '<' {
			t.state, t.n, t.quote, t.tagLine = scanOpen, 1, 0, t.line+1
		}
	case scanOpen:
		if c == '!' {
			t.state, t.bang = scanBang, t.bang[:0]
			t.n++
			break
		}
		t.state = scanTag
		return t.inTag(c)
	case scanBang:
		t.bang = append(t.bang, c)
		t.n++
		switch b := string(t.bang); {
		case b == "--":
			t.state, t.last = scanComment, [2]byte{}
		case b == "[CDATA[":
			t.state, t.last = scanCDATA, [2]byte{}
		case strings.HasPrefix("--", b) || strings.HasPrefix("[CDATA[", b):
			// not decided yet
		default:
			// A declaration (<!DOCTYPE ...>): a tag like the others.
			t.state = scanTag
			t.n--
			return t.inTag(c)
		}
	case scanTag:
		return t.inTag(c)
	case scanComment, scanCDATA:
		end := byte('-')
		if t.state == scanCDATA {
			end = ']'
		}
		if c == '>' && t.last[0] == end && t.last[1] == end {
			t.state = scanText
		}
		t.last[0], t.last[1] = t.last[1], c
	}
	return true
}

func (t *tagLimitReader) inTag(c byte) bool {
	t.n++
	switch {
	case t.quote != 0:
		if c == t.quote {
			t.quote = 0
		}
	case c == '"' || c == '\'':
		t.quote = c
	case c == '>':
		t.state = scanText
	}
	return t.n <= t.max
}

// ParseJUnit reads one JUnit XML report with the test report kind's parser
// (streamed, legacy charsets decoded, bounded tags, malformed or truncated
// documents refused) and returns its outcome counts. Other kinds that read
// a JUnit file (restore_result) use it, so a report means the same
// everywhere.
func ParseJUnit(r io.Reader) (Counts, error) {
	s, err := parseJUnit(r, junitOptions{})
	if err != nil {
		return Counts{}, err
	}
	return s.Counts, nil
}
