package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/web"
)

type checkOptions struct {
	output  *string
	timeout *time.Duration
}

func addCheckFlags(cmd *kingpin.CmdClause) checkOptions {
	return checkOptions{
		output:  cmd.Flag("output", "Output format: table or json.").Default("table").Enum("table", "json"),
		timeout: cmd.Flag("timeout", "Give up on checks still running after this long.").Default("5m").Duration(),
	}
}

func runCheck(load func() (*config.Config, error), build func(*config.Config) (*web.Runtime, error), opts checkOptions, stdout, stderr io.Writer) int {
	cfg, err := load()
	if err != nil {
		fmt.Fprintf(stderr, "configuration invalid:\n%v\n", err)
		return exitConfigError
	}
	rt, err := build(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "configuration invalid:\n%v\n", err)
		return exitConfigError
	}
	defer rt.Scheduler.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *opts.timeout)
	defer cancel()
	results := rt.Scheduler.RunAll(ctx, nil)
	failed := 0
	for _, r := range results {
		if !r.Success() {
			failed++
		}
	}
	switch *opts.output {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"checks": results, "passed": len(results) - failed, "failed": failed})
	default:
		writeCheckTable(stdout, results)
		fmt.Fprintf(stdout, "\n%d checks: %d passed, %d failed\n", len(results), len(results)-failed, failed)
	}
	if failed > 0 {
		return exitNotReady
	}
	return exitOK
}

func writeCheckTable(w io.Writer, results []collector.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tKIND\tITEMS\tRESULT\tREASON\tDURATION\tMESSAGE")
	for _, r := range results {
		reason := string(r.Reason)
		if r.Reason == collector.ReasonNone {
			reason = "-"
		}
		msg := strings.ReplaceAll(r.Message, "\n", " ")
		if len(msg) > 120 {
			msg = msg[:117] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Check, r.Kind, strings.Join(r.Items, ","), strings.ToUpper(string(r.Status)), reason, r.Duration.Round(time.Millisecond), msg)
	}
	_ = tw.Flush()
}
