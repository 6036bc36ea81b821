package host

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseLogrotate feeds arbitrary files to the logrotate parser: it
// must never panic, and every block it returns has file names and a
// criterion.
func FuzzParseLogrotate(f *testing.F) {
	entries, _ := os.ReadDir(filepath.Join("testdata", "logrotate"))
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join("testdata", "logrotate", e.Name())); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("/a /b\n\"/c d\"\n{ monthly\n size=5k\n postrotate\n echo }\n endscript\n}\ninclude /etc/x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := parseLogrotate(bytes.NewReader(data), "f")
		if err != nil {
			return
		}
		for _, r := range lf.Rules {
			if len(r.Patterns) == 0 {
				t.Fatalf("a block without file names: %+v", r)
			}
			if r.Rotation.Frequency == "" && r.Rotation.Size < 0 {
				t.Fatalf("negative size criterion: %+v", r.Rotation)
			}
			_ = r.Rotation.String()
		}
	})
}

// FuzzParsePythonLogging feeds arbitrary files to the Python logging
// reader (dictConfig YAML/JSON and fileConfig ini): it must never panic,
// and every handler it returns writes a file.
func FuzzParsePythonLogging(f *testing.F) {
	for _, body := range pyLoggingConfigs {
		f.Add([]byte(body))
	}
	f.Add([]byte("a: &a [*a, *a]\nhandlers: {h: {class: RotatingFileHandler, maxBytes: 0x10}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		hs, err := parsePythonLogging(data, "f")
		if err != nil {
			return
		}
		for _, h := range hs {
			if !strings.HasSuffix(h.Class, "FileHandler") {
				t.Fatalf("handler %q of class %q does not write a file", h.Name, h.Class)
			}
			if ok, why := h.rotates(); ok == (why != "") {
				t.Fatalf("rotates() = %v, %q: a reason goes with false only", ok, why)
			}
			_ = h.String()
		}
	})
}

// FuzzParsePyLiteral feeds arbitrary args/kwargs text to the Python
// literal reader: it must never panic or loop.
func FuzzParsePyLiteral(f *testing.F) {
	for _, s := range []string{`('logs/app.log', 'a', 10*1024*1024, 5)`, `{'when': 'D', "backupCount": 7}`, `(sys.stdout,)`,
		`(1**99999999999, -1**3, 2**-1, 0x_1)`, `("""a""" 'b' r'\d', [1, (2,)], f(x=1))`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parsePyLiteral(s)
	})
}
