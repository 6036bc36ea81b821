package testutil

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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Doc returns the text of docs/<name> of the repository (found by walking
// up from the test's working directory to go.mod).
func Doc(t testing.TB, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(RepoRoot(t), "docs", name))
	require.NoError(t, err)
	return string(raw)
}

// DocHasEveryKind checks that docs/<page> has an example of every kind
// of a package: kinds (the package's, from the registry) is not empty,
// and each is in seen (the kinds of the checks the page's examples load).
func DocHasEveryKind(t testing.TB, page string, kinds []string, seen map[string]bool) {
	t.Helper()
	require.NotEmpty(t, kinds, "the package's kinds, from the registry")
	for _, k := range kinds {
		assert.True(t, seen[k], "docs/%s has no example of kind %s", page, k)
	}
}

var docYAMLRE = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// DocYAML returns the contents of the ```yaml blocks of a page, in order.
func DocYAML(doc string) []string {
	var out []string
	for _, m := range docYAMLRE.FindAllStringSubmatch(doc, -1) {
		out = append(out, m[1])
	}
	return out
}

// docRowRE is a row of a metrics table: | `name` | type | labels | ... |
var docRowRE = regexp.MustCompile("(?m)^\\| `(golive_[a-z0-9_]+)` \\| \\w+ \\| ([^|]*)\\|")

var docLabelRE = regexp.MustCompile("`([a-z_]+)`")

// docValuesRE is a list of a label's values in the labels column, as in
// "`result` = `passed`, `failed`": the values are not labels.
var docValuesRE = regexp.MustCompile("= `[^`]*`(?:,? (?:or )?`[^`]*`)*")

// DocMetrics reads the metrics table of a page: each family's name and its
// labels besides check (the backquoted words of the labels column, less
// the values listed after a label's =), sorted
// and joined by commas.
func DocMetrics(doc string) map[string]string {
	out := map[string]string{}
	for _, m := range docRowRE.FindAllStringSubmatch(doc, -1) {
		var labels []string
		for _, l := range docLabelRE.FindAllStringSubmatch(docValuesRE.ReplaceAllString(m[2], ""), -1) {
			labels = append(labels, l[1])
		}
		sort.Strings(labels)
		out[m[1]] = strings.Join(labels, ",")
	}
	return out
}

// DeclaredMetrics reads the collector.NewDesc (NewCounterDesc,
// NewHistogramDesc) calls of the non-test Go
// files in dirs: each family's name and its labels besides check, sorted
// and joined by commas (as DocMetrics gives them). A name or label that is
// not a string literal fails the test.
func DeclaredMetrics(t testing.TB, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
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
				if !ok || (sel.Sel.Name != "NewDesc" && sel.Sel.Name != "NewCounterDesc" && sel.Sel.Name != "NewHistogramDesc") || len(call.Args) < 2 {
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
				out[lits[0]] = strings.Join(labels, ",")
				return true
			})
		}
	}
	return out
}

// changelogReleaseRE is a release heading of CHANGELOG.md: ## [0.1.0] - date.
var changelogReleaseRE = regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$`)

// NewestRelease returns the version of CHANGELOG.md's newest release (the
// first release heading after Unreleased).
func NewestRelease(t testing.TB) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(RepoRoot(t), "CHANGELOG.md"))
	require.NoError(t, err)
	m := changelogReleaseRE.FindStringSubmatch(string(raw))
	require.NotNil(t, m, "CHANGELOG.md has no release heading such as ## [0.1.0] - 2026-12-04")
	return m[1]
}
