// Package ruletest reads the exporter's source to know which golive_ metrics
// it exports and with which labels, so that the tests of the rules and the
// dashboards can check every expression against them. It is for tests only:
// kept apart from package rules so the exporter binary does not carry a Go
// and PromQL parser.
package ruletest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var (
	literalName = regexp.MustCompile(`"(golive_[a-z0-9_]+)"`)
	// MetricRef finds golive_ metric names in PromQL and templates.
	MetricRef = regexp.MustCompile(`\bgolive_[a-z0-9_]+`)
)

// ModuleRoot finds the directory holding go.mod, from the working directory
// up.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// walkExporterSource calls fn with every non-test Go file of the exporter
// under root, leaving out the packages that only reference metrics.
func walkExporterSource(root string, fn func(path string) error) error {
	return filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case "rules", "dashboards", "e2e", ".git", "deploy", "docs":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		return fn(path)
	})
}

// KnownMetrics collects the golive_ metric names the exporter exports: every
// string literal that is a golive_ metric name in the non-test Go source
// (collector.NewDesc, prometheus.NewDesc, *Opts Name fields), their
// histogram series, and golive_exporter_build_info from the version
// collector.
func KnownMetrics(root string) (map[string]bool, error) {
	known := map[string]bool{}
	err := walkExporterSource(root, func(path string) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range literalName.FindAllStringSubmatch(string(b), -1) {
			known[m[1]] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	known["golive_exporter_build_info"] = true
	for n := range known {
		for _, s := range []string{"_bucket", "_count", "_sum"} {
			known[n+s] = true
		}
	}
	return known, nil
}
