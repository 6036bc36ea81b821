package host

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// handlerKind says how a Python logging handler treats its file.
type handlerKind int

const (
	handlerPlain handlerKind = iota // FileHandler, WatchedFileHandler: never rotates (logrotate may)
	handlerSize                     // RotatingFileHandler: at maxBytes, keeping backupCount
	handlerTime                     // TimedRotatingFileHandler: every interval of when
)

// pyHandler is a file handler of a Python logging configuration.
type pyHandler struct {
	Name  string
	Class string
	// Filename is the file it writes; "" when the configuration does not
	// give it as a literal (an expression, an environment lookup).
	Filename    string
	Kind        handlerKind
	MaxBytes    int64
	BackupCount int
	When        string
	Interval    int64
}

// rotates says whether the handler rotates its file, and if not why.
// Python's RotatingFileHandler never rolls over when maxBytes or
// backupCount is 0.
func (h pyHandler) rotates() (bool, string) {
	switch h.Kind {
	case handlerSize:
		switch {
		case h.MaxBytes <= 0:
			return false, "maxBytes is 0: it never rotates"
		case h.BackupCount <= 0:
			return false, "backupCount is 0: it never rotates"
		}
		return true, ""
	case handlerTime:
		return true, ""
	}
	return false, "it does not rotate"
}

// String describes the handler's rotation, e.g. "RotatingFileHandler at
// 10MiB, keeps 5".
func (h pyHandler) String() string {
	switch h.Kind {
	case handlerSize:
		return fmt.Sprintf("%s at %s, keeps %d", h.Class, formatBytes(h.MaxBytes), h.BackupCount)
	case handlerTime:
		keeps := fmt.Sprintf("keeps %d", h.BackupCount)
		if h.BackupCount <= 0 {
			keeps = "keeps every old file"
		}
		return fmt.Sprintf("%s every %d %s, %s", h.Class, h.Interval, h.When, keeps)
	}
	return h.Class
}

// Positional parameters of the handlers' constructors (Python 3.12).
var (
	sizeParams  = []string{"filename", "mode", "maxBytes", "backupCount", "encoding", "delay", "errors"}
	timeParams  = []string{"filename", "when", "interval", "backupCount", "encoding", "delay", "utc", "atTime", "errors"}
	plainParams = []string{"filename", "mode", "encoding", "delay", "errors"}
)

func classKind(class string) handlerKind {
	c := class
	if i := strings.LastIndexByte(c, '.'); i >= 0 {
		c = c[i+1:]
	}
	switch {
	case strings.HasSuffix(c, "TimedRotatingFileHandler"):
		return handlerTime
	case strings.HasSuffix(c, "RotatingFileHandler"):
		// Also concurrent_log_handler's ConcurrentRotatingFileHandler,
		// which takes the same arguments.
		return handlerSize
	}
	return handlerPlain
}

// isFileHandler says whether a class writes a file at all.
func isFileHandler(class string) bool {
	return classKind(class) != handlerPlain || strings.HasSuffix(class, "FileHandler")
}

// maxPyDepth bounds nesting in a configuration (YAML or Python literals).
const maxPyDepth = 64

var iniSectionRE = regexp.MustCompile(`(?m)^[ \t]*\[(handlers|loggers|formatters|handler_[^\]]*)\][ \t]*$`)

// parsePythonLogging reads the file handlers of a Python logging
// configuration: a dictConfig written as YAML or JSON (handlers at the top,
// or one level down as under LOGGING: or logging:), or a fileConfig ini
// file ([handler_NAME] sections with class, args and kwargs).
func parsePythonLogging(data []byte, name string) ([]pyHandler, error) {
	if iniSectionRE.Match(data) {
		hs, err := parseLoggingINI(data)
		if err != nil {
			return nil, fmt.Errorf("%s (fileConfig ini): %w", name, err)
		}
		return hs, nil
	}
	hs, err := parseDictConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s (dictConfig): %w", name, err)
	}
	return hs, nil
}

func parseDictConfig(data []byte) ([]pyHandler, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("not YAML or JSON: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, errors.New("empty file")
	}
	top := deref(root.Content[0])
	if top.Kind != yaml.MappingNode {
		return nil, errors.New("not a mapping; a dictConfig is a mapping with version: 1 and a handlers mapping")
	}
	handlers := mapValue(top, "handlers")
	if handlers == nil {
		for i := 0; i+1 < len(top.Content); i += 2 {
			if v := deref(top.Content[i+1]); v.Kind == yaml.MappingNode {
				if h := mapValue(v, "handlers"); h != nil {
					handlers = h
					break
				}
			}
		}
	}
	if handlers == nil || handlers.Kind != yaml.MappingNode {
		return nil, errors.New("no handlers: mapping at the top or one level down")
	}
	var out []pyHandler
	for i := 0; i+1 < len(handlers.Content); i += 2 {
		hn := deref(handlers.Content[i+1])
		if hn.Kind != yaml.MappingNode {
			continue
		}
		class := scalar(mapValue(hn, "class"))
		if class == "" {
			class = scalar(mapValue(hn, "()"))
		}
		if !isFileHandler(class) {
			continue
		}
		h := pyHandler{Name: handlers.Content[i].Value, Class: class, Kind: classKind(class), When: "h", Interval: 1}
		h.Filename = scalar(mapValue(hn, "filename"))
		var err error
		if h.MaxBytes, err = intSetting(mapValue(hn, "maxBytes"), 0); err != nil {
			return nil, fmt.Errorf("handler %s: maxBytes: %w", h.Name, err)
		}
		bc, err := intSetting(mapValue(hn, "backupCount"), 0)
		if err != nil {
			return nil, fmt.Errorf("handler %s: backupCount: %w", h.Name, err)
		}
		h.BackupCount = int(bc)
		if w := scalar(mapValue(hn, "when")); w != "" {
			h.When = w
		}
		if h.Interval, err = intSetting(mapValue(hn, "interval"), 1); err != nil {
			return nil, fmt.Errorf("handler %s: interval: %w", h.Name, err)
		}
		out = append(out, h)
	}
	return out, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxPyDepth; i++ {
		n = n.Alias
	}
	return n
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return deref(m.Content[i+1])
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// intSetting reads a whole number. A number written as a string is
// refused: Python keeps it a string, and the handler fails comparing it
// with 0 (maxBytes when it is built, backupCount at the first rollover).
func intSetting(n *yaml.Node, def int64) (int64, error) {
	s := scalar(n)
	if s == "" {
		return def, nil
	}
	if n.ShortTag() != "!!int" {
		if _, err := strconv.ParseInt(strings.TrimSpace(s), 0, 64); err == nil {
			return 0, fmt.Errorf("%q is a string; Python keeps it one and fails comparing it with 0, so write the number without quotes", s)
		}
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
	if err != nil || v > 1<<53 || v < -(1<<53) {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return v, nil
}

// parseLoggingINI reads the [handler_NAME] sections of a fileConfig file as
// Python's configparser does (key = value or key: value, indented
// continuation lines, # and ; comments).
func parseLoggingINI(data []byte) ([]pyHandler, error) {
	sections := map[string]map[string]string{}
	var order []string
	var cur map[string]string
	lastKey := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxLogrotateLine)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' && strings.HasSuffix(line, "]") {
			name := line[1 : len(line)-1]
			if _, dup := sections[name]; !dup {
				order = append(order, name)
				sections[name] = map[string]string{}
			}
			cur, lastKey = sections[name], ""
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: a setting before any [section]", lineNo)
		}
		if (raw[0] == ' ' || raw[0] == '\t') && lastKey != "" {
			cur[lastKey] += "\n" + line
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			return nil, fmt.Errorf("line %d: %q is not key = value", lineNo, shorten(line, 60))
		}
		lastKey = strings.ToLower(strings.TrimSpace(line[:i]))
		cur[lastKey] = strings.TrimSpace(line[i+1:])
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var out []pyHandler
	for _, sec := range order {
		name, ok := strings.CutPrefix(sec, "handler_")
		if !ok {
			continue
		}
		kv := sections[sec]
		class := kv["class"]
		if !isFileHandler(class) {
			continue
		}
		h := pyHandler{Name: name, Class: class, Kind: classKind(class), When: "h", Interval: 1}
		params := plainParams
		switch h.Kind {
		case handlerSize:
			params = sizeParams
		case handlerTime:
			params = timeParams
		}
		args := map[string]pyValue{}
		if a := kv["args"]; a != "" {
			v, err := parsePyLiteral(a)
			if err != nil {
				return nil, fmt.Errorf("handler %s: args: %w", name, err)
			}
			tuple, ok := v.([]pyValue)
			if !ok {
				return nil, fmt.Errorf("handler %s: args is not a tuple", name)
			}
			for i, el := range tuple {
				if i < len(params) {
					args[params[i]] = el
				}
			}
		}
		if k := kv["kwargs"]; k != "" {
			v, err := parsePyLiteral(k)
			if err != nil {
				return nil, fmt.Errorf("handler %s: kwargs: %w", name, err)
			}
			d, ok := v.(map[string]pyValue)
			if !ok {
				return nil, fmt.Errorf("handler %s: kwargs is not a dict", name)
			}
			for k, el := range d {
				args[k] = el
			}
		}
		if s, ok := args["filename"].(string); ok {
			h.Filename = s
		}
		if n, ok := args["maxBytes"].(int64); ok {
			h.MaxBytes = n
		}
		if n, ok := args["backupCount"].(int64); ok {
			h.BackupCount = int(n)
		}
		if s, ok := args["when"].(string); ok {
			h.When = s
		}
		if n, ok := args["interval"].(int64); ok {
			h.Interval = n
		}
		out = append(out, h)
	}
	return out, nil
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
