package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// pyValue is a Python literal: string, int64, float64, bool, nil (None),
// []pyValue (tuple or list), map[string]pyValue (dict with text keys), or
// pyUnknown for what cannot be known without running Python (sys.stdout,
// os.path.join(...)).
type pyValue any

// pyUnknown stands for an expression that is not a literal.
type pyUnknown struct{}

// maxPyTokens bounds the size of an args or kwargs value.
const maxPyTokens = 10000

// parsePyLiteral reads the literal Python that fileConfig's args and
// kwargs hold, e.g. ('logs/app.log', 'a', 10*1024*1024, 5). Products and
// sums of whole numbers are computed (sizes are often written so); any
// other expression is pyUnknown.
func parsePyLiteral(s string) (pyValue, error) {
	toks, err := pyTokens(s)
	if err != nil {
		return nil, err
	}
	p := &pyParser{toks: toks}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q after the value", p.toks[p.pos].text)
	}
	return v, nil
}

type pyTok struct {
	kind byte // 's' string, 'n' number, 'i' name, 'p' punctuation
	text string
	str  string // the string's value
}

func pyTokens(s string) ([]pyTok, error) {
	var out []pyTok
	for i := 0; i < len(s); {
		if len(out) > maxPyTokens {
			return nil, fmt.Errorf("more than %d tokens", maxPyTokens)
		}
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\':
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '\'' || c == '"' || ((c == 'r' || c == 'R' || c == 'b' || c == 'u' || c == 'f') && i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '"')):
			raw := false
			if c != '\'' && c != '"' {
				raw = c == 'r' || c == 'R'
				i++
			}
			v, n, err := pyString(s[i:], raw)
			if err != nil {
				return nil, err
			}
			out = append(out, pyTok{kind: 's', text: s[i : i+n], str: v})
			i += n
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && (isAlnum(s[j]) || s[j] == '.' || s[j] == '_' || (s[j] == '+' || s[j] == '-') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			out = append(out, pyTok{kind: 'n', text: s[i:j]})
			i = j
		case isAlnum(c) || c == '_':
			j := i
			for j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
				j++
			}
			out = append(out, pyTok{kind: 'i', text: s[i:j]})
			i = j
		case strings.IndexByte("()[]{},:.*+-/%=", c) >= 0:
			out = append(out, pyTok{kind: 'p', text: s[i : i+1]})
			i++
		default:
			return nil, fmt.Errorf("unexpected character %q", c)
		}
	}
	return out, nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// pyString reads a quoted string (single, double or triple quotes) at the
// start of s; it returns the value and how many bytes it took.
func pyString(s string, raw bool) (string, int, error) {
	q := s[:1]
	if strings.HasPrefix(s, q+q+q) {
		q = q + q + q
	}
	var b strings.Builder
	for i := len(q); i < len(s); {
		if strings.HasPrefix(s[i:], q) {
			return b.String(), i + len(q), nil
		}
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			if raw {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
				i += 2
				continue
			}
			switch e := s[i+1]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '\'', '"':
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			i += 2
			continue
		}
		if c == '\n' && len(q) == 1 {
			break
		}
		b.WriteByte(c)
		i++
	}
	return "", 0, errors.New("unclosed string")
}

type pyParser struct {
	toks []pyTok
	pos  int
}

func (p *pyParser) peek() string {
	if p.pos < len(p.toks) && p.toks[p.pos].kind == 'p' {
		return p.toks[p.pos].text
	}
	return ""
}

func (p *pyParser) expect(s string) error {
	if p.peek() != s {
		if p.pos >= len(p.toks) {
			return fmt.Errorf("missing %q at the end", s)
		}
		return fmt.Errorf("expected %q, found %q", s, p.toks[p.pos].text)
	}
	p.pos++
	return nil
}

// value reads a sum or product of terms.
func (p *pyParser) value(depth int) (pyValue, error) {
	v, err := p.term(depth)
	if err != nil {
		return nil, err
	}
	for {
		op := p.peek()
		if op != "*" && op != "+" && op != "-" && op != "/" && op != "%" {
			return v, nil
		}
		p.pos++
		if op == "*" && p.peek() == "*" {
			op = "**"
			p.pos++
		}
		w, err := p.term(depth)
		if err != nil {
			return nil, err
		}
		v = pyArith(op, v, w)
	}
}

func pyArith(op string, a, b pyValue) pyValue {
	x, ok1 := a.(int64)
	y, ok2 := b.(int64)
	if ok1 && ok2 {
		switch op {
		case "*":
			if x != 0 && (x*y/x != y || x*y > 1<<53 || x*y < -(1<<53)) {
				return pyUnknown{}
			}
			return x * y
		case "+":
			return x + y
		case "-":
			return x - y
		case "**":
			if y < 0 {
				return pyUnknown{}
			}
			switch x { // the loop below would not end early for these
			case 0, 1:
				if y == 0 {
					return int64(1)
				}
				return x
			case -1:
				return 1 - 2*(y%2)
			}
			r := int64(1)
			for i := int64(0); i < y; i++ {
				if r *= x; r > 1<<53 || r < -(1<<53) {
					return pyUnknown{}
				}
			}
			return r
		}
		return pyUnknown{}
	}
	if s, ok := a.(string); ok && op == "+" {
		if t, ok := b.(string); ok {
			return s + t
		}
	}
	return pyUnknown{}
}

func (p *pyParser) term(depth int) (pyValue, error) {
	if depth > maxPyDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxPyDepth)
	}
	if p.pos >= len(p.toks) {
		return nil, errors.New("a value is missing at the end")
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case 's':
		s := t.str
		for p.pos < len(p.toks) && p.toks[p.pos].kind == 's' { // 'a' 'b' is 'ab'
			s += p.toks[p.pos].str
			p.pos++
		}
		return s, nil
	case 'n':
		clean := strings.ReplaceAll(t.text, "_", "")
		if n, err := strconv.ParseInt(clean, 0, 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(clean, 64); err == nil {
			return f, nil
		}
		return nil, fmt.Errorf("%q is not a number", t.text)
	case 'i':
		switch t.text {
		case "None":
			return nil, nil
		case "True":
			return true, nil
		case "False":
			return false, nil
		}
		// A name, attribute or call: not a literal.
		for {
			switch p.peek() {
			case ".":
				p.pos++
				if p.pos >= len(p.toks) || p.toks[p.pos].kind != 'i' {
					return nil, errors.New("a dot not followed by a name")
				}
				p.pos++
				continue
			case "(":
				p.pos++
				if _, err := p.items(")", depth+1, false); err != nil {
					return nil, err
				}
				continue
			}
			return pyUnknown{}, nil
		}
	}
	switch t.text {
	case "-", "+":
		v, err := p.term(depth + 1)
		if err != nil {
			return nil, err
		}
		switch n := v.(type) {
		case int64:
			if t.text == "-" {
				return -n, nil
			}
			return n, nil
		case float64:
			if t.text == "-" {
				return -n, nil
			}
			return n, nil
		}
		return pyUnknown{}, nil
	case "(":
		// A parenthesised value, or a tuple (a trailing comma makes one).
		if p.peek() == ")" {
			p.pos++
			return []pyValue{}, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.peek() == ")" {
			p.pos++
			return v, nil
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
		rest, err := p.items(")", depth+1, false)
		if err != nil {
			return nil, err
		}
		return append([]pyValue{v}, rest.([]pyValue)...), nil
	case "[":
		return p.items("]", depth+1, false)
	case "{":
		return p.items("}", depth+1, true)
	}
	return nil, fmt.Errorf("unexpected %q", t.text)
}

// items reads comma-separated values (key: value pairs for a dict) up to
// the closing token; a trailing comma is allowed. Keyword arguments of a
// call (name=value) are read and dropped.
func (p *pyParser) items(closing string, depth int, dict bool) (pyValue, error) {
	var list []pyValue
	m := map[string]pyValue{}
	for {
		if p.peek() == closing {
			p.pos++
			if dict {
				return m, nil
			}
			return list, nil
		}
		if !dict && p.pos+1 < len(p.toks) && p.toks[p.pos].kind == 'i' && p.toks[p.pos+1].text == "=" {
			p.pos += 2 // a keyword argument of a call
		}
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		if dict {
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			val, err := p.value(depth)
			if err != nil {
				return nil, err
			}
			if k, ok := v.(string); ok {
				m[k] = val
			}
		} else {
			list = append(list, v)
		}
		if p.peek() == closing {
			continue
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
	}
}
