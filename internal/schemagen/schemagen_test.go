package schemagen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/golive/golive_exporter/checklist"
)

const checklistSchemaVersion = checklist.SchemaVersion

func root(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	r, err := Root(wd)
	require.NoError(t, err)
	return r
}

// TestSchemasUpToDate regenerates every committed schema and compares: a
// changed Go type (a new key, a new kind) must come with its schema.
func TestSchemasUpToDate(t *testing.T) {
	r := root(t)
	for name, gen := range Files {
		t.Run(name, func(t *testing.T) {
			want, err := gen(r)
			require.NoError(t, err)
			got, err := os.ReadFile(filepath.Join(r, name))
			require.NoError(t, err, "%s is missing: run `make generate` and commit it", name)
			if !bytes.Equal(want, got) {
				t.Fatalf("%s is stale: the Go types it is generated from changed. Run `make generate` (go generate ./internal/schemagen) and commit %s", name, name)
			}
		})
	}
}

// compile loads the committed configuration schema into a validator that
// also asserts formats (date-time, uri).
func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root(t), "docs/golive.schema.json"))
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource(ConfigSchemaURL, doc))
	s, err := c.Compile(ConfigSchemaURL)
	require.NoError(t, err)
	return s
}

// instance turns YAML into the JSON value an editor's YAML support
// validates: mappings, lists, and scalars by their resolved YAML tag.
func instance(t *testing.T, src []byte) any {
	t.Helper()
	var n yaml.Node
	require.NoError(t, yaml.Unmarshal(src, &n))
	if len(n.Content) == 0 {
		return nil
	}
	return fromNode(t, n.Content[0])
}

func fromNode(t *testing.T, n *yaml.Node) any {
	switch n.Kind {
	case yaml.AliasNode:
		return fromNode(t, n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = fromNode(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, fromNode(t, c))
		}
		return l
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		require.NoError(t, n.Decode(&b))
		return b
	case "!!int", "!!float":
		var f float64
		require.NoError(t, n.Decode(&f))
		return json.Number(fmt.Sprint(f))
	}
	return n.Value
}

// exampleConfigs are every configuration the repository ships: the
// embedded default and each YAML file under deploy/ with a top-level
// checks key, plus the one inside the Kubernetes ConfigMap.
func exampleConfigs(t *testing.T) map[string][]byte {
	t.Helper()
	r := root(t)
	out := map[string][]byte{}
	b, err := os.ReadFile(filepath.Join(r, "config/default.yml"))
	require.NoError(t, err)
	out["config/default.yml"] = b
	err = filepath.WalkDir(filepath.Join(r, "deploy"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(r, p)
		var top map[string]any
		if yaml.Unmarshal(b, &top) != nil {
			return nil // multi-document manifests
		}
		if _, ok := top["checks"]; ok {
			out[rel] = b
		}
		if data, ok := top["data"].(map[string]any); ok && top["kind"] == "ConfigMap" {
			if cfg, ok := data["golive.yml"].(string); ok {
				out[rel+"#golive.yml"] = []byte(cfg)
			}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

var modelineRE = regexp.MustCompile(`(?m)^# yaml-language-server: \$schema=(\S+)$`)

// TestExampleConfigsValidate validates every shipped configuration against
// the committed schema, and requires the editor line in each file that is
// one (pointing at the committed schema, relative to the file, or at its
// published address).
func TestExampleConfigsValidate(t *testing.T) {
	s := compile(t)
	r := root(t)
	examples := exampleConfigs(t)
	for _, want := range []string{"config/default.yml", "deploy/golive/golive.yml", "deploy/examples/student-management/golive.yml",
		"deploy/examples/backups/dumps.yml", "deploy/examples/backups/pgbackrest.yml", "deploy/kubernetes/configmap.yaml#golive.yml"} {
		assert.Contains(t, examples, want, "an example the test must find")
	}
	names := make([]string, 0, len(examples))
	for n := range examples {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		src := examples[name]
		t.Run(name, func(t *testing.T) {
			err := s.Validate(instance(t, src))
			assert.NoError(t, err, "%s does not match docs/golive.schema.json (after changing the config types, run `make generate`)", name)
			if strings.Contains(name, "#") {
				return // embedded in another file: no editor line
			}
			m := modelineRE.FindSubmatch(src)
			require.NotNil(t, m, "%s lacks the editor line # yaml-language-server: $schema=...", name)
			target := string(m[1])
			if target != ConfigSchemaURL {
				abs := filepath.Join(r, filepath.Dir(name), target)
				assert.Equal(t, filepath.Join(r, "docs/golive.schema.json"), abs, "%s: $schema=%s is not the committed schema", name, target)
			}
		})
	}
}

// TestConfigSchemaAgreesWithLoader holds the schema to the loader on files
// of every shape the loader accepts in another form than a plain mapping,
// and on broken ones: an editor must neither flag a file the exporter
// loads nor pass one it refuses for a key or a type.
func TestConfigSchemaAgreesWithLoader(t *testing.T) {
	s := compile(t)
	cases := []struct {
		name  string
		yaml  string
		valid bool
	}{
		{"minimal", "checks: [{name: a, tcp: {address: '127.0.0.1:1'}}]", true},
		{"durations and the integer 0", "global: {default_timeout: 5s}\nchecks: [{name: a, timeout: 1m, interval: 0, tcp: {address: '127.0.0.1:1'}}]", true},
		{"health: true", "checks: [{name: a, http: {url: 'http://x/health', health: true}}]", true},
		{"health as a mapping", "checks: [{name: a, http: {url: 'http://x/health', health: {components: checks, healthy_values: [ok]}}}]", true},
		{"security_headers as a list", "checks: [{name: a, http: {url: 'https://x/', security_headers: [strict-transport-security]}}]", true},
		{"security_headers: true", "checks: [{name: a, http: {url: 'https://x/', security_headers: true}}]", true},
		{"a size as text", "checks: [{name: a, dump_folder: {glob: '/b/*.gz', min_size: 1MiB}}]", true},
		{"a size as a number", "checks: [{name: a, dump_folder: {glob: '/b/*.gz', min_size: 1048576}}]", true},
		{"not a size", "checks: [{name: a, dump_folder: {glob: '/b/*.gz', min_size: 1 megabyte}}]", false},
		{"a checklist go_live time and offsets", "checklist: {go_live: '2026-12-01T08:00:00+01:00'}\nchecks: [{name: a, tcp: {address: '127.0.0.1:1'}}]", true},
		{"HTTP client settings inline", "checks: [{name: a, http: {url: 'http://x/', tls_config: {min_version: TLS12}, basic_auth: {username: u, password_file: /p}}}]", true},

		{"unknown top-level key", "chekcs: []\nchecks: [{name: a, tcp: {address: '127.0.0.1:1'}}]", false},
		{"unknown key in a check", "checks: [{name: a, timeuot: 5s, tcp: {address: '127.0.0.1:1'}}]", false},
		{"unknown key in a kind", "checks: [{name: a, tcp: {adress: '127.0.0.1:1'}}]", false},
		{"wrong type: a list for a duration", "checks: [{name: a, timeout: [5s], tcp: {address: '127.0.0.1:1'}}]", false},
		{"wrong type: text for a number", "global: {max_concurrency: many}\nchecks: [{name: a, tcp: {address: '127.0.0.1:1'}}]", false},
		{"wrong type: a mapping for a list", "checks: {name: a}", false},
		{"an empty duration", "checks: [{name: a, timeout: '', tcp: {address: '127.0.0.1:1'}}]", false},
		{"not a duration", "checks: [{name: a, timeout: 5 minutes, tcp: {address: '127.0.0.1:1'}}]", false},
		{"two kinds", "checks: [{name: a, tcp: {address: '127.0.0.1:1'}, http: {url: 'http://x/'}}]", false},
		{"no kind", "checks: [{name: a}]", false},
		{"no name", "checks: [{tcp: {address: '127.0.0.1:1'}}]", false},
		{"bad check name", "checks: [{name: App-Health, tcp: {address: '127.0.0.1:1'}}]", false},
		{"bad item id", "checks: [{name: a, items: [p1.1], tcp: {address: '127.0.0.1:1'}}]", false},
		{"health neither bool nor mapping", "checks: [{name: a, http: {url: 'http://x/health', health: maybe}}]", false},
		{"no checks", "global: {}", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, loadErr := checklist.LoadConfig([]byte(tc.yaml), "case.yml")
			schemaErr := s.Validate(instance(t, []byte(tc.yaml)))
			if tc.valid {
				require.NoError(t, loadErr, "the loader must accept this case")
				assert.NoError(t, schemaErr, "the schema refuses a file the exporter loads")
			} else {
				require.Error(t, loadErr, "the loader must refuse this case")
				assert.Error(t, schemaErr, "the schema passes a file the exporter refuses")
			}
		})
	}
}

// TestSchemaDocumented: docs/core.md publishes the schema and the editor
// line.
func TestSchemaDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root(t), "docs/core.md"))
	require.NoError(t, err)
	for _, want := range []string{"# yaml-language-server: $schema=" + ConfigSchemaURL, "docs/golive.schema.json", "make generate"} {
		assert.True(t, strings.Contains(string(b), want), "docs/core.md does not say %q", want)
	}
}

// TestCheckOutputDocumented holds docs/checklist.md's tables of the JSON
// output to its schema: a table for the document and for every object in
// it, headed by the object's name, listing exactly its fields.
func TestCheckOutputDocumented(t *testing.T) {
	r := root(t)
	raw, err := os.ReadFile(filepath.Join(r, "docs/check-output.schema.json"))
	require.NoError(t, err)
	var schema struct {
		Properties  map[string]any `json:"properties"`
		Definitions map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"definitions"`
	}
	require.NoError(t, json.Unmarshal(raw, &schema))
	want := map[string][]string{"Status": keys(schema.Properties)}
	for name, d := range schema.Definitions {
		want[name] = keys(d.Properties)
	}

	b, err := os.ReadFile(filepath.Join(r, "docs/checklist.md"))
	require.NoError(t, err)
	doc := string(b)
	head := fmt.Sprintf("### JSON output (`schema_version` %d)\n", checklistSchemaVersion)
	_, sec, ok := strings.Cut(doc, head)
	require.True(t, ok, "docs/checklist.md has no section %q", strings.TrimSpace(head))
	if i := strings.Index(sec, "\n## "); i >= 0 {
		sec = sec[:i]
	}
	got := map[string][]string{}
	headRE := regexp.MustCompile("^#### `(\\w+)`")
	rowRE := regexp.MustCompile("^\\| `(\\w+)` \\|")
	current := ""
	for _, line := range strings.Split(sec, "\n") {
		if m := headRE.FindStringSubmatch(line); m != nil {
			current = m[1]
			got[current] = []string{}
			continue
		}
		if m := rowRE.FindStringSubmatch(line); m != nil && current != "" {
			got[current] = append(got[current], m[1])
		}
	}
	for name := range got {
		sort.Strings(got[name])
	}
	assert.Equal(t, want, got, "docs/checklist.md's JSON output tables against docs/check-output.schema.json: document each field of each object (a new field of the output needs its row, then `make generate`)")
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
