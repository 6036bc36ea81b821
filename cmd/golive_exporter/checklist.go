package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/alecthomas/kingpin/v2"
	"github.com/golive/golive_exporter/checklist"
)

// checklistCommands are the "checklist" subcommands: import a markdown
// checklist, print the starter checklist.
type checklistCommands struct {
	importCmd, starterCmd *kingpin.CmdClause
	file, out, format     *string
}

func addChecklistCommands(app *kingpin.Application) checklistCommands {
	cmd := app.Command("checklist", "Work with checklist files (the TSV that checklist.file names).")
	var c checklistCommands
	c.importCmd = cmd.Command("import", "Turn a markdown checklist (headings as phases and sections, \"- [ ]\" items) into the checklist TSV, with generated ids; exit 2 with file:line on a problem.")
	c.file = c.importCmd.Arg("file", "The markdown checklist ('-' for standard input).").Required().String()
	c.out = c.importCmd.Flag("out", "Write the TSV to this file instead of standard output.").Short('o').PlaceHolder("FILE").String()
	c.starterCmd = cmd.Command("starter", "Print the generic starter checklist, to adapt and import (or use as is: --format tsv).")
	c.format = c.starterCmd.Flag("format", "markdown (to adapt, then import) or tsv (ready for checklist.file).").Default("markdown").Enum("markdown", "tsv")
	return c
}

// run runs the checklist subcommand cmd; ok is false for another
// command.
func (c checklistCommands) run(cmd string, stdout, stderr io.Writer) (code int, ok bool) {
	switch cmd {
	case c.importCmd.FullCommand():
		return c.runImport(stdout, stderr), true
	case c.starterCmd.FullCommand():
		b := checklist.StarterMarkdown
		if *c.format == "tsv" {
			b = checklist.StarterTSV
		}
		if _, err := stdout.Write(b); err != nil {
			fmt.Fprintf(stderr, "writing: %v\n", err)
			return exitConfigError, true
		}
		return exitOK, true
	}
	return 0, false
}

func (c checklistCommands) runImport(stdout, stderr io.Writer) int {
	var in io.Reader = os.Stdin
	name := *c.file
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "reading the checklist: %v\n", err)
			return exitConfigError
		}
		defer f.Close()
		in = f
	} else {
		name = "<stdin>"
	}
	cl, err := checklist.ImportMarkdown(in, name)
	if err != nil {
		fmt.Fprintf(stderr, "checklist not imported:\n%v\n", err)
		return exitConfigError
	}
	var buf bytes.Buffer
	if err := cl.WriteTSV(&buf, checklist.ImportComment(filepath.Base(name))); err != nil {
		fmt.Fprintf(stderr, "writing: %v\n", err)
		return exitConfigError
	}
	// What is written loads as a checklist: the same parser as
	// checklist.file reads it.
	if _, err := checklist.Parse(bytes.NewReader(buf.Bytes()), "imported"); err != nil {
		fmt.Fprintf(stderr, "the imported checklist does not load (a bug): %v\n", err)
		return exitConfigError
	}
	if *c.out == "" {
		_, err = stdout.Write(buf.Bytes())
	} else {
		err = os.WriteFile(*c.out, buf.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "writing: %v\n", err)
		return exitConfigError
	}
	fmt.Fprintf(stderr, "imported %d items in %d phases from %s\n", len(cl.Items), len(cl.Phases()), name)
	return exitOK
}
