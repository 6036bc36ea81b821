package testutil

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// DocMetrics takes the backquoted words of the labels column as labels,
// but not the values a row lists after a label's =.
func TestDocMetrics(t *testing.T) {
	doc := "| Metric | Type | Labels | Meaning |\n|---|---|---|---|\n" +
		"| `golive_x_up` | gauge | | Up. |\n" +
		"| `golive_x_checks` | gauge | `result` = `passed`, `failed` | Checks. |\n" +
		"| `golive_x_info` | gauge | `format` = `k6`, `k6_legacy` or `locust`; `path` | Info. |\n" +
		"| `golive_x_latency_seconds` | gauge | `percentile` = `50`, `99`, `100` (max) | Latency. |\n" +
		"| `golive_x_pairs` | gauge | `target`, `role` | Pairs. |\n"
	assert.Equal(t, map[string]string{
		"golive_x_up":              "",
		"golive_x_checks":          "result",
		"golive_x_info":            "format,path",
		"golive_x_latency_seconds": "percentile",
		"golive_x_pairs":           "role,target",
	}, DocMetrics(doc))
}
