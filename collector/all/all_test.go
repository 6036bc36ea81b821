package all

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// TestEveryKindHasConfigAndFactory: a kind is registered with both its
// settings and its factory (collector.RegisterKind), so that a kind the
// configuration loads can also run.
func TestEveryKindHasConfigAndFactory(t *testing.T) {
	kinds := slices.Sorted(slices.Values(config.Kinds()))
	assert.Equal(t, kinds, collector.RegisteredKinds())
	for _, k := range kinds {
		assert.NotNil(t, config.KindType(k), k)
	}
}

// TestEveryKindIsDocumented fails when a registered kind has no section
// in docs/: a heading (## or deeper) that starts with its key, as
// "## log_rotation" in docs/host.md. A new kind is documented where its
// family's page is, or on a page of its own.
func TestEveryKindIsDocumented(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, pages)
	heading := regexp.MustCompile("(?m)^##+ `?([a-z][a-z0-9_]*)`?(?:[:\\s]|$)")
	documented := map[string]string{}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		for _, m := range heading.FindAllStringSubmatch(string(b), -1) {
			documented[m[1]] = filepath.Base(p)
		}
	}
	for _, k := range config.Kinds() {
		assert.Contains(t, documented, k, "kind %q has no section in docs/: add a heading \"## %s\" to its family's page (see CONTRIBUTING.md)", k, k)
	}
}

// TestCoreListsEveryKind: the "one kind key" row of docs/core.md lists the
// registered kinds, in the order config.Kinds gives them (the order error
// messages and the JSON schema use).
func TestCoreListsEveryKind(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "core.md"))
	require.NoError(t, err)
	row := regexp.MustCompile(`(?m)^\| one kind key \| required \| (.*) \|$`).FindStringSubmatch(string(doc))
	require.NotNil(t, row, "docs/core.md has no \"one kind key\" row")
	var documented []string
	for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(row[1], -1) {
		documented = append(documented, m[1])
	}
	want := make([]string, len(config.Kinds()))
	for i, k := range config.Kinds() {
		want[i] = "`" + k + "`"
	}
	assert.Equal(t, config.Kinds(), documented, "write the row as: %s", strings.Join(want, ", "))
}
