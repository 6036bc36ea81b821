package all

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/config"
)

// TestDeprecatedSettingsDocumented holds the table of docs/core.md's
// "Deprecated settings" to the `deprecated:"..."` tags of the settings a
// file can write (the global settings, the targets and every registered
// kind): each deprecated key has a row, and the table names no key that is
// not deprecated. The row of the old size spellings is about values, not
// keys (config.ByteSize warns about them), and is left out.
func TestDeprecatedSettingsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "core.md"))
	require.NoError(t, err)
	documented := deprecatedKeysInDoc(t, string(doc))

	tagged := map[string]bool{}
	seen := map[reflect.Type]bool{}
	collectDeprecated(reflect.TypeFor[config.Config](), tagged, seen)
	for _, k := range config.Kinds() {
		collectDeprecated(config.KindType(k), tagged, seen)
	}
	require.NotEmpty(t, tagged, "no deprecated:\"...\" tag found: the walk is broken")

	assert.Equal(t, slices.Sorted(maps.Keys(tagged)), documented, "docs/core.md's \"Deprecated settings\" table (first column, outside parentheses) against the deprecated:\"...\" tags")
}

// deprecatedKeysInDoc returns, sorted, the keys the first column of the
// "Deprecated settings" table names: its backticked words outside
// parentheses, up to a colon ("`password_env: VAR`" is password_env).
func deprecatedKeysInDoc(t *testing.T, doc string) []string {
	t.Helper()
	_, section, ok := strings.Cut(doc, "\n### Deprecated settings\n")
	require.True(t, ok, "docs/core.md has no \"### Deprecated settings\" section")
	if i := strings.Index(section, "\n#"); i >= 0 {
		section = section[:i]
	}
	parens := regexp.MustCompile(`\([^)]*\)`)
	code := regexp.MustCompile("`([^`]+)`")
	var keys []string
	rows := 0
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| deprecated |") || strings.HasPrefix(line, "| ---") {
			continue
		}
		rows++
		first := strings.Split(line, "|")[1]
		if strings.HasPrefix(strings.TrimSpace(first), "a size") {
			continue // old size spellings: values, not keys
		}
		for _, m := range code.FindAllStringSubmatch(parens.ReplaceAllString(first, ""), -1) {
			key, _, _ := strings.Cut(m[1], ":")
			keys = append(keys, strings.TrimSpace(key))
		}
	}
	require.NotZero(t, rows, "the \"Deprecated settings\" section has no table")
	slices.Sort(keys)
	return slices.Compact(keys)
}

// collectDeprecated adds the YAML keys of t's fields (and of the types
// they hold) that carry a deprecated tag.
func collectDeprecated(t reflect.Type, keys map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		if _, ok := f.Tag.Lookup("deprecated"); ok {
			key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			keys[key] = true
		}
		collectDeprecated(f.Type, keys, seen)
	}
}
