// Command gen writes the committed JSON Schemas (schemagen.Files) into the
// repository: run it with `make generate` (go generate ./internal/schemagen).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/golive/golive_exporter/internal/schemagen"
)

func main() {
	wd, err := os.Getwd()
	if err == nil {
		err = run(wd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(wd string) error {
	root, err := schemagen.Root(wd)
	if err != nil {
		return err
	}
	var names []string
	for name := range schemagen.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b, err := schemagen.Files[name](root)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(root, name), b, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", name)
	}
	return nil
}
