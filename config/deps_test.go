package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/golive/golive_exporter"

// TestConfigImportsNoKindOrChecklist holds the layering of issue 13: the
// configuration is below the kinds and the checklist, which import it; an
// import the other way (a glob helper from a kind package, a hook into the
// checklist) makes a cycle waiting to happen and hides what a load checks.
func TestConfigImportsNoKindOrChecklist(t *testing.T) {
	// The go command that runs the test is on PATH (runtime.GOROOT is
	// deprecated: it names where the test binary was built).
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", module+"/config").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, module+"/config", "go list names the package itself")
	for _, d := range deps {
		for _, above := range []string{module + "/collector", module + "/checklist", module + "/web", module + "/cmd"} {
			assert.False(t, d == above || strings.HasPrefix(d, above+"/"), "config imports %s (through its dependencies); move what it needs below it (internal/)", d)
		}
	}
}

// TestConfigHasNoHooks: no package-level variable of func type that
// another package sets (as checklist once set ValidateItems from init):
// what a load checks is passed to it (Step), where it is called.
func TestConfigHasNoHooks(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if _, isFunc := vs.Type.(*ast.FuncType); isFunc {
					for _, n := range vs.Names {
						assert.Fail(t, "package-level hook", "%s: var %s is a func another package could set; pass it as an argument instead", fset.Position(n.Pos()), n.Name)
					}
				}
			}
		}
	}
}
