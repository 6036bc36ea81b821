package backup

import (
	"context"

	"github.com/golive/golive_exporter/collector"
)

// source reads a backup tool's output the way CommandOrFile says: from
// the file a job wrote, or by running the tool. pgbackrest, walg and barman
// share it, so a bound, a timeout or a missing binary reads the same in each.
type source struct {
	cfg CommandOrFile
	// file and conf are cfg.File and cfg.ConfigFile resolved against the
	// configuration file's folder.
	file, conf string
}

func newSource(cfg CommandOrFile, env collector.Env) source {
	return source{cfg: cfg, file: env.Config.ResolvePath(cfg.File), conf: env.Config.ResolvePath(cfg.ConfigFile)}
}

// output reads file when it is set, or runs the command with args.
func (s source) output(ctx context.Context, file string, args ...string) ([]byte, error) {
	return s.outputExit(ctx, file, nil, args...)
}

// outputExit is output for a tool that still prints its answer when it
// exits with one of the statuses in okExit.
func (s source) outputExit(ctx context.Context, file string, okExit []int, args ...string) ([]byte, error) {
	if file != "" {
		return readFile(ctx, file, int64(s.cfg.MaxOutput))
	}
	return command{path: s.cfg.Command, args: args, maxOutput: int64(s.cfg.MaxOutput), outputOnExit: okExit}.run(ctx)
}
