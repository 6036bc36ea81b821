package config

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Deprecated settings are read for one more release, each with a warning at
// load: the exporter logs it, and --config.check and `check` show it. A
// field is marked with a `deprecated:"..."` tag that says what to write
// instead; the strict walk (walkStrict) finds the key wherever it is.

// Deprecatedf records a deprecation warning at path.
func (p *Problems) Deprecatedf(path, format string, args ...any) {
	p.warnings = append(p.warnings, &Error{File: p.cfg.file, Line: p.cfg.Line(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Warnings are the deprecation warnings of the load, each "file:line:
// path: what to write instead".
func (c *Config) Warnings() []string {
	out := make([]string, 0, len(c.warnings))
	for _, w := range c.warnings {
		out = append(out, w.Error())
	}
	return out
}

// deprecatedKey returns the deprecated tag of the field of struct t (or of
// a struct it inlines) whose YAML key is key.
func deprecatedKey(t reflect.Type, key string) string {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		parts := strings.Split(f.Tag.Get("yaml"), ",")
		if len(parts) > 1 && parts[1] == "inline" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if d := deprecatedKey(ft, key); d != "" {
					return d
				}
			}
			continue
		}
		if parts[0] == key {
			return f.Tag.Get("deprecated")
		}
	}
	return ""
}

// checkDeprecated warns about a deprecated key or value met by the walk.
func checkDeprecated(parent reflect.Type, key string, val *yaml.Node, t reflect.Type, path string, p *Problems) {
	if d := deprecatedKey(parent, key); d != "" {
		p.Deprecatedf(path, "%s is deprecated and will be removed in the next release; %s", key, d)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[ByteSize]() && val.Kind == yaml.ScalarNode {
		if _, legacy, err := parseByteSize(val.Value); err == nil && legacy {
			p.Deprecatedf(path, "size %q is written the old way and will be refused in the next release; write it with a unit such as 64MiB (1024-based) or 500KB (1000-based), or a number of bytes", val.Value)
		}
	}
}
