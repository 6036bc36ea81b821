package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/alecthomas/kingpin/v2"
	"github.com/golive/golive_exporter/rules"
	"github.com/prometheus/common/version"
)

// rulesOptions are the flags of the rules command.
type rulesOptions struct {
	runbookBase, boardURL, outDir *string
	prometheusRule                *bool
}

func addRulesFlags(cmd *kingpin.CmdClause) *rulesOptions {
	return &rulesOptions{
		runbookBase: cmd.Flag("runbook-url-base", "URL that <alert>.md is appended to for runbook_url. Default: the runbooks of this release.").
			Default(rules.ReleaseRunbookBase(version.Version)).String(),
		boardURL:       cmd.Flag("board-url", "The exporter's external URL; every alert gets it as its board_url annotation.").String(),
		outDir:         cmd.Flag("output-dir", "Write the *.rules.yml files into this folder.").String(),
		prometheusRule: cmd.Flag("prometheus-rule", "Print the bundle as one Prometheus Operator PrometheusRule manifest.").Bool(),
	}
}

// runRules writes the alerting and recording rules with the user's links.
func runRules(o *rulesOptions, stdout, stderr io.Writer) int {
	links := rules.Links{RunbookBase: *o.runbookBase, BoardURL: *o.boardURL}
	switch {
	case *o.prometheusRule:
		b, err := rules.PrometheusRule(links)
		if err != nil {
			fmt.Fprintf(stderr, "%s rules: %v\n", programName, err)
			return exitConfigError
		}
		_, _ = stdout.Write(b)
		return exitOK
	case *o.outDir != "":
		files, err := rules.Rendered(links)
		if err != nil {
			fmt.Fprintf(stderr, "%s rules: %v\n", programName, err)
			return exitConfigError
		}
		if err := os.MkdirAll(*o.outDir, 0o755); err != nil {
			fmt.Fprintf(stderr, "%s rules: %v\n", programName, err)
			return exitConfigError
		}
		for _, name := range rules.FileNames() {
			path := filepath.Join(*o.outDir, name)
			if err := os.WriteFile(path, files[name], 0o644); err != nil {
				fmt.Fprintf(stderr, "%s rules: writing %s: %v\n", programName, path, err)
				return exitConfigError
			}
		}
		fmt.Fprintf(stdout, "wrote %d rule files to %s\n", len(files), *o.outDir)
		return exitOK
	}
	fmt.Fprintf(stderr, "%s rules: give --output-dir DIR (rule files) or --prometheus-rule (a manifest on standard output)\n", programName)
	return exitConfigError
}
