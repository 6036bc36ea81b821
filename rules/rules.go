// Package rules holds the Prometheus rule bundle (*.rules.yml, unit-tested
// in tests/ with promtool) and what is generated from it: the Kubernetes
// PrometheusRule in deploy/kubernetes, and the group names the prometheus
// check expects loaded. Package ruletest checks the rules and dashboards
// against the metrics the exporter really exports.
package rules

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Files are the rule files of the bundle.
//
//go:embed *.rules.yml
var Files embed.FS

// FileNames lists the bundle's rule files, sorted.
func FileNames() []string {
	names, _ := fs.Glob(Files, "*.rules.yml")
	sort.Strings(names)
	return names
}

// ruleFile is what GroupNames and RecordedNames read of a rule file.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record string `yaml:"record"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// readFiles parses every rule file of the bundle, in FileNames order.
func readFiles() ([]ruleFile, error) {
	var out []ruleFile
	for _, name := range FileNames() {
		b, err := Files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f ruleFile
		if err := yaml.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("rule file %s: %w", name, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// GroupNames lists the rule groups of the bundle, in file order: what the
// prometheus check expects a Prometheus server to have loaded.
func GroupNames() ([]string, error) {
	files, err := readFiles()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		for _, g := range f.Groups {
			out = append(out, g.Name)
		}
	}
	return out, nil
}

// RecordedNames is the set of series the bundle's recording rules record
// (level:metric:operations): what dashboards and promql checks may read.
func RecordedNames() (map[string]bool, error) {
	files, err := readFiles()
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, f := range files {
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					out[r.Record] = true
				}
			}
		}
	}
	return out, nil
}

// PrometheusRuleName is the name of the generated PrometheusRule.
const PrometheusRuleName = "golive-exporter-rules"

// PrometheusRule renders every group of the bundle, with the links l, as
// one Prometheus Operator PrometheusRule manifest
// (deploy/kubernetes/prometheusrule.yaml is PrometheusRule(Links{})).
func PrometheusRule(l Links) ([]byte, error) {
	files, err := Rendered(l)
	if err != nil {
		return nil, err
	}
	groups := &yaml.Node{Kind: yaml.SequenceNode}
	for _, name := range FileNames() {
		b := files[name]
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "groups" {
				groups.Content = append(groups.Content, root.Content[i+1].Content...)
			}
		}
	}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }
	mapping := func(kv ...*yaml.Node) *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Content: kv} }
	manifest := mapping(
		str("apiVersion"), str("monitoring.coreos.com/v1"),
		str("kind"), str("PrometheusRule"),
		str("metadata"), mapping(
			str("name"), str(PrometheusRuleName),
			str("labels"), mapping(
				str("app.kubernetes.io/name"), str("golive-exporter"),
				// kube-prometheus-stack selects rules by its release label.
				str("release"), str("kube-prometheus-stack"),
			),
		),
		str("spec"), mapping(str("groups"), groups),
	)
	var buf bytes.Buffer
	buf.WriteString("# Generated from rules/*.rules.yml by `go test ./rules -update`; do not edit.\n")
	buf.WriteString("# With your own runbook base and board URL: golive_exporter rules --prometheus-rule \\\n")
	buf.WriteString("#   --runbook-url-base=https://wiki.example.org/golive/ --board-url=https://golive.example.org/\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(manifest); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
