package all

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/config"
)

// TestIntervalDefaultersNamed: the comments and docs that name the kinds
// keeping their result DefaultDatabaseInterval by default (the
// config.IntervalDefaulter kinds) name exactly those, so that a kind that
// starts or stops doing so cannot leave them wrong: config.Check's
// Interval (the JSON schema's description of interval),
// DefaultDatabaseInterval, the interval row of docs/core.md and the
// Intervals section of docs/database.md.
func TestIntervalDefaultersNamed(t *testing.T) {
	var want []string
	for _, k := range config.Kinds() {
		spec := reflect.New(config.KindType(k).Elem()).Interface()
		if d, ok := spec.(config.IntervalDefaulter); ok && d.DefaultsToInterval() {
			want = append(want, k)
		}
	}
	require.NotEmpty(t, want, "no kind is a config.IntervalDefaulter")

	root := filepath.Join("..", "..")
	check := goDoc(t, filepath.Join(root, "config", "check.go"), "Interval")
	assert.Equal(t, want, kindsNamed(check), "config.Check's Interval comment:\n%s", check)
	constant := goDoc(t, filepath.Join(root, "config", "registry.go"), "DefaultDatabaseInterval")
	assert.Equal(t, want, kindsNamed(constant), "config.DefaultDatabaseInterval's comment:\n%s", constant)

	core, err := os.ReadFile(filepath.Join(root, "docs", "core.md"))
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^\\| `interval` \\| ([^|]*) \\|").FindStringSubmatch(string(core))
	require.NotNil(t, row, "docs/core.md has no `interval` row")
	assert.Equal(t, want, kindsNamed(row[1]), "docs/core.md's interval row, its default column: %s", row[1])

	database, err := os.ReadFile(filepath.Join(root, "docs", "database.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(database), "\n## Intervals\n")
	require.True(t, ok, "docs/database.md has no \"## Intervals\" section")
	first, _, ok := strings.Cut(section, " checks keep")
	require.True(t, ok, "docs/database.md's Intervals section does not start \"... checks keep their result\"")
	assert.Equal(t, want, kindsNamed(first), "docs/database.md's Intervals section: %s", first)
}

// kindsNamed returns the registered kinds that text names, in config.Kinds
// order.
func kindsNamed(text string) []string {
	words := map[string]bool{}
	for _, w := range regexp.MustCompile(`[a-z][a-z0-9_]*`).FindAllString(text, -1) {
		words[w] = true
	}
	var out []string
	for _, k := range config.Kinds() {
		if words[k] {
			out = append(out, k)
		}
	}
	return out
}

// goDoc returns the doc comment of the declaration or struct field named
// name in file.
func goDoc(t *testing.T, file, name string) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments)
	require.NoError(t, err)
	var doc string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			for _, id := range n.Names {
				if id.Name == name && n.Doc != nil {
					doc = n.Doc.Text()
				}
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				if id.Name == name {
					if n.Doc != nil {
						doc = n.Doc.Text()
					}
				}
			}
		case *ast.GenDecl:
			if len(n.Specs) == 1 && n.Doc != nil {
				if vs, ok := n.Specs[0].(*ast.ValueSpec); ok && len(vs.Names) == 1 && vs.Names[0].Name == name {
					doc = n.Doc.Text()
					return false
				}
			}
		}
		return true
	})
	require.NotEmpty(t, doc, "%s: no doc comment on %s", file, name)
	return doc
}
