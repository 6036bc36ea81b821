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
// what a load checks is passed to it (Step), where it is called. A func
// type is written out (var X func(...)), one of the package's named func
// types (var X Step) or a function literal (var X = func(...) {...}).
func TestConfigHasNoHooks(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var parsed []*ast.File
	funcTypes := map[string]bool{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		require.NoError(t, err)
		parsed = append(parsed, f)
		for _, decl := range f.Decls {
			if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.TYPE {
				for _, spec := range gd.Specs {
					if ts := spec.(*ast.TypeSpec); isFuncType(ts.Type, nil) {
						funcTypes[ts.Name.Name] = true
					}
				}
			}
		}
	}
	require.NotEmpty(t, parsed)
	for _, f := range parsed {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				hook := isFuncType(vs.Type, funcTypes)
				for _, v := range vs.Values {
					_, lit := v.(*ast.FuncLit)
					hook = hook || lit
				}
				if hook {
					for _, n := range vs.Names {
						assert.Fail(t, "package-level hook", "%s: var %s is a func another package could set; pass it as an argument instead", fset.Position(n.Pos()), n.Name)
					}
				}
			}
		}
	}
}

// isFuncType reports whether e is a func type, written out or one of
// named (the package's named func types).
func isFuncType(e ast.Expr, named map[string]bool) bool {
	for {
		if p, ok := e.(*ast.ParenExpr); ok {
			e = p.X
			continue
		}
		break
	}
	switch e := e.(type) {
	case *ast.FuncType:
		return true
	case *ast.Ident:
		return named[e.Name]
	}
	return false
}
