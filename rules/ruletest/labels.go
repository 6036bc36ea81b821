package ruletest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"

	"github.com/prometheus/common/model"
	promparser "github.com/prometheus/prometheus/promql/parser"
)

// KnownLabels reads the label names of every golive_ metric from the
// descriptor calls of the non-test Go source: collector.NewDesc,
// NewCounterDesc and NewHistogramDesc(name, help, labels...) (plus their
// automatic check label) and prometheus.NewDesc or collector.GaugeFamily(name,
// help, []string{...}, nil). A metric whose labels are not literals is
// absent from the map (its labels are not checked).
func KnownLabels(root string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err := walkExporterSource(root, func(path string) error {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil // not ours to judge; the build catches it
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			// style is how the call gives its labels: "collector" (labels
			// after help, check added) or "prometheus" (a []string).
			var style string
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				pkg, _ := fn.X.(*ast.Ident)
				switch {
				case pkg == nil:
				case pkg.Name == "collector" && (fn.Sel.Name == "NewDesc" || fn.Sel.Name == "NewCounterDesc" || fn.Sel.Name == "NewHistogramDesc"):
					style = "collector"
				case (pkg.Name == "prometheus" && fn.Sel.Name == "NewDesc") || (pkg.Name == "collector" && fn.Sel.Name == "GaugeFamily"):
					style = "prometheus"
				}
			case *ast.Ident: // inside package collector
				if fn.Name == "GaugeFamily" {
					style = "prometheus"
				}
			}
			name, ok := stringLit(call.Args[0])
			if style == "" || !ok || !strings.HasPrefix(name, "golive_") {
				return true
			}
			set := map[string]bool{}
			switch style {
			case "collector":
				set["check"] = true
				for _, a := range call.Args[2:] {
					l, ok := stringLit(a)
					if !ok {
						return true
					}
					set[l] = true
				}
			case "prometheus":
				if len(call.Args) < 3 {
					return true
				}
				if id, ok := call.Args[2].(*ast.Ident); ok && id.Name == "nil" {
					break
				}
				lit, ok := call.Args[2].(*ast.CompositeLit)
				if !ok {
					return true
				}
				for _, e := range lit.Elts {
					l, ok := stringLit(e)
					if !ok {
						return true
					}
					set[l] = true
				}
			default:
				return true
			}
			out[name] = set
			return true
		})
		return nil
	})
	return out, err
}

func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// targetLabels are added by Prometheus to every series it scrapes.
var targetLabels = map[string]bool{"job": true, "instance": true, model.MetricNameLabel: true}

// UnknownLabelMatchers returns the label matchers of expr that name a label
// a golive_ metric does not have (as "metric{label}").
func UnknownLabelMatchers(expr string, known map[string]map[string]bool) ([]string, error) {
	e, err := promparser.NewParser(promparser.Options{}).ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var bad []string
	promparser.Inspect(e, func(n promparser.Node, _ []promparser.Node) error {
		vs, ok := n.(*promparser.VectorSelector)
		if !ok {
			return nil
		}
		have, ok := known[vs.Name]
		if !ok {
			return nil
		}
		for _, m := range vs.LabelMatchers {
			if !targetLabels[m.Name] && !have[m.Name] {
				bad = append(bad, vs.Name+"{"+m.Name+"}")
			}
		}
		return nil
	})
	return bad, nil
}
