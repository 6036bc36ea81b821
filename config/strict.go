package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the values walkStrict visits, so that a file of nested
// aliases (a "billion laughs") cannot make loading hang.
const maxNodes = 100_000

// walkStrict compares the YAML tree with the Go type it decodes into: every
// mapping key must be a known field. Unlike the decoder's own strict mode it
// names the keys that would be valid and the nearest one, and it records the
// line of every path so that later validation errors can point at it.
func walkStrict(n *yaml.Node, t reflect.Type, path string, lines map[string]int, p *Problems) {
	if n == nil || p.walked > maxNodes {
		return
	}
	if p.walked++; p.walked > maxNodes {
		p.Addf(path, "the file expands to more than %d YAML values (through anchors and aliases?); write it out plainly", maxNodes)
		return
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if path != "" {
		lines[path] = n.Line
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if !checkType(n, t, path, p) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode || opaqueStruct(t) {
			return
		}
		fields := yamlFields(t)
		if t == checkStructType {
			fields = checkFields()
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			ft, ok := fields[key.Value]
			sub := joinPath(path, key.Value)
			if !ok {
				lines[sub] = key.Line
				p.Addf(sub, "unknown key %q%s; valid keys here: %s", key.Value, suggest(key.Value, fields), strings.Join(sortedFieldNames(fields), ", "))
				continue
			}
			lines[sub] = key.Line
			walkStrict(val, ft, sub, lines, p)
			lines[sub] = key.Line
			checkDeprecated(t, key.Value, val, ft, sub, p)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, el := range n.Content {
			walkStrict(el, t.Elem(), fmt.Sprintf("%s[%d]", path, i), lines, p)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			sub := joinPath(path, key.Value)
			walkStrict(val, t.Elem(), sub, lines, p)
			lines[sub] = key.Line
		}
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// opaqueStruct reports structs whose YAML form is not their fields (they
// unmarshal themselves from a scalar).
func opaqueStruct(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("yaml") != "" {
			return false
		}
	}
	return true
}

func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		parts := strings.Split(tag, ",")
		inline := false
		for _, o := range parts[1:] {
			if o == "inline" {
				inline = true
			}
		}
		if inline {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range yamlFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		name := parts[0]
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func sortedFieldNames(m map[string]reflect.Type) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// suggest names the valid key closest to a misspelt one.
func suggest(key string, fields map[string]reflect.Type) string {
	return DidYouMean(key, sortedFieldNames(fields))
}

// DidYouMean returns ` (did you mean "x"?)` for the candidate closest to a
// misspelt name (at most two edits away; the first in order on a tie), or
// "" when none is close.
func DidYouMean(name string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var (
	unmarshalerType         = reflect.TypeFor[yaml.Unmarshaler]()
	obsoleteUnmarshalerType = reflect.TypeFor[interface {
		UnmarshalYAML(func(any) error) error
	}]()
	durationType    = reflect.TypeFor[model.Duration]()
	checkStructType = reflect.TypeFor[Check]()
)

// customYAML reports types that unmarshal themselves.
func customYAML(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return pt.Implements(unmarshalerType) || pt.Implements(obsoleteUnmarshalerType) ||
		t.Implements(unmarshalerType) || t.Implements(obsoleteUnmarshalerType)
}

// checkType reports a node whose shape or value does not fit the Go type
// it decodes into, at its own line and path, in words a user can act on.
// The decoder would find most of these too, but without the path, and
// without a line at all for values that decode themselves (durations).
func checkType(n *yaml.Node, t reflect.Type, path string, p *Problems) bool {
	if path == "" || t.Kind() == reflect.Interface {
		return true
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return true // an empty value leaves the default
	}
	custom := customYAML(t)
	if n.Kind == yaml.ScalarNode {
		switch t.Kind() {
		case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array:
			if !custom {
				p.addBad(n, path, "%q is a single value; write %s here", n.Value, wantOf(t))
				return false
			}
		}
		if custom && t != durationType {
			// Its own unmarshalling decides and words its errors (a bad
			// regular expression, size or TLS version); decoding it here
			// gives the error its path and line, and the decoder, which
			// would stop at it, never sees it.
			if err := n.Decode(reflect.New(t).Interface()); err != nil {
				msg := strings.TrimPrefix(err.Error(), "yaml: ")
				if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
					msg = m[2] // the line is the error's own
				}
				p.addBad(n, path, "%s", msg)
				return false
			}
			return true
		}
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			p.addBad(n, path, "%q is not %s", n.Value, wantOf(t))
			return false
		}
		return true
	}
	if custom {
		return true // its own unmarshalling decides; the decoder reports
	}
	shape := "a list"
	if n.Kind == yaml.MappingNode {
		shape = "a mapping"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		if n.Kind != yaml.MappingNode {
			p.addBad(n, path, "this is %s; write %s here", shape, wantOf(t))
			return false
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			p.addBad(n, path, "this is %s; write %s here", shape, wantOf(t))
			return false
		}
	default:
		p.addBad(n, path, "this is %s; write %s here", shape, wantOf(t))
		return false
	}
	return true
}

// wantOf describes in words what a value of type t looks like.
func wantOf(t reflect.Type) string {
	if t == durationType {
		return "a duration such as 500ms, 30s, 5m, 1h or 7d"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a text value"
	case reflect.Slice, reflect.Array:
		return "a list (one \"- item\" per line, or [a, b])"
	case reflect.Map, reflect.Struct:
		return "a mapping (key: value lines)"
	}
	return "a value of type " + t.String()
}
