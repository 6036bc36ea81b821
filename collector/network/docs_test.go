package network

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readNetworkDoc(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../docs/network.md")
	require.NoError(t, err)
	return string(raw)
}

// Every YAML example of docs/network.md loads, and there is one for every
// kind of this package: the configuration reference cannot drift from the
// schema.
func TestDocsExamplesLoad(t *testing.T) {
	doc := readNetworkDoc(t)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(doc, -1)
	require.NotEmpty(t, blocks)
	kinds := map[string]bool{}
	for _, b := range blocks {
		y := b[1]
		var file string
		switch {
		case strings.HasPrefix(y, "- name:"):
			file = "checks:\n" + indent(y, "  ")
		case strings.HasPrefix(y, "health:"), strings.HasPrefix(y, "security_headers:"):
			// A fragment of an http check.
			file = "checks:\n  - name: fragment\n    http:\n      url: https://api.example.com/health\n" + indent(y, "      ")
		default:
			t.Fatalf("docs/network.md has a YAML example this test does not know how to load:\n%s", y)
		}
		cfg, err := config.Load([]byte(file), "network.md.yml")
		require.NoError(t, err, "example:\n%s", y)
		for _, c := range cfg.Checks {
			kinds[c.Kind()] = true
		}
	}
	for _, k := range []string{"http", "tls", "tcp", "cors", "https_redirect", "rate_limit"} {
		assert.True(t, kinds[k], "docs/network.md has no example of kind %s", k)
	}
}

// docRowRE is a row of the metrics table: name, type, labels.
var docRowRE = regexp.MustCompile("(?m)^\\| `(golive_[a-z0-9_]+)` \\| (\\w+) \\| ([^|]*)\\|")

// The metrics table of docs/network.md lists exactly the families this
// package declares, with their labels (read from the NewDesc calls).
func TestDocsMetricsTable(t *testing.T) {
	declared := map[string]string{}
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "NewDesc" || len(call.Args) < 2 {
				return true
			}
			var lits []string
			for _, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				require.True(t, ok && lit.Kind == token.STRING, "%s: NewDesc with a name or label that is not a string literal", fset.Position(call.Pos()))
				s, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				lits = append(lits, s)
			}
			labels := append([]string(nil), lits[2:]...)
			sort.Strings(labels)
			declared[lits[0]] = strings.Join(labels, ",")
			return true
		})
	}
	require.NotEmpty(t, declared)

	documented := map[string]string{}
	for _, m := range docRowRE.FindAllStringSubmatch(readNetworkDoc(t), -1) {
		assert.Equal(t, "gauge", m[2], m[1])
		labels := regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(m[3], -1)
		var names []string
		for _, l := range labels {
			names = append(names, l[1])
		}
		sort.Strings(names)
		documented[m[1]] = strings.Join(names, ",")
	}
	assert.Equal(t, declared, documented, "docs/network.md's metrics table (name -> labels besides check) against the NewDesc calls")
}
