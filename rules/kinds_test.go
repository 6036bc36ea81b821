package rules_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	_ "github.com/golive/golive_exporter/collector/all" // config.Kinds() lists the registered kinds
	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/rules"
)

// notAlerted are kinds without item alerts: a promql check mirrors a rule
// item whose own alert lives in host.rules.yml or slo.rules.yml.
var notAlerted = map[string]bool{"promql": true}

var kindMatcher = regexp.MustCompile(`kind=~"([^"]+)"`)

// TestEveryKindHasAnArea keeps the areas' kind lists in step with the
// registered kinds (config.Kinds): a new kind must join an area, a renamed
// one breaks this test.
func TestEveryKindHasAnArea(t *testing.T) {
	all := map[string]bool{}
	for _, k := range config.Kinds() {
		all[k] = true
	}
	covered := map[string]string{}
	for file, rgs := range rules.LoadGroups(t) {
		for _, g := range rgs.Groups {
			for _, r := range g.Rules {
				for _, m := range kindMatcher.FindAllStringSubmatch(r.Expr, -1) {
					for _, k := range strings.Split(m[1], "|") {
						assert.True(t, all[k], "%s: %s matches kind %q, which is not a registered kind", file, r.Alert, k)
						covered[k] = g.Name
					}
				}
			}
		}
	}
	for k := range all {
		if !notAlerted[k] {
			assert.NotEmpty(t, covered[k], "kind %q is in no area's alerts", k)
		}
	}
}
