package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func reflectTypeOfCheck() reflect.Type { return reflect.TypeOf(Check{}) }

// FuzzLoad feeds arbitrary bytes to the loader: it must never panic, and
// what it accepts must marshal and load again; what it refuses comes as
// positioned Errors naming the file.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add(DefaultYAML())
	f.Add([]byte("checks: [{name: a, tcp: {address: \"a:1\"}, items: &x [P1.1.01], description: *x}]"))
	f.Add([]byte("checks:\n  - &c {name: a, tcp: {address: \"a:1\"}}\n  - *c\n"))
	f.Add([]byte("global: {max_concurrency: 1e99}\nchecks: []"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Load(data, "fuzz.yml")
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error is not config.Errors: %T %v", err, err)
			}
			for _, e := range es {
				if !strings.HasPrefix(e.Error(), "fuzz.yml") {
					t.Fatalf("error does not name the file: %q", e.Error())
				}
			}
			return
		}
		out, err := cfg.Marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := Load(out, "again.yml"); err != nil {
			t.Fatalf("accepted config does not load again: %v\n%s\n---\n%s", err, data, out)
		}
	})
}
