package backup

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// source_min_ratio demands at least that share of the source's rows,
// rounded up: 0.95 of one row is one row, not zero, and 0.95 of 1230 rows
// is 1169 (1168.5 up), not 1168. A product that is a whole number in
// decimals stays that number whatever float64 makes of it.
func TestMinRowsRoundsUp(t *testing.T) {
	for _, tc := range []struct {
		src   int64
		ratio float64
		want  int64
	}{
		{1, 0.95, 1},
		{1230, 0.95, 1169},
		{0, 0.95, 0},
		{20, 0.95, 19},
		{100, 0.95, 95},
		{1000, 0.95, 950},
		{3, 0.1, 1},
		{30, 0.1, 3},
		{7, 0, 0},
		{7, 1, 7},
		{48213, 0.999, 48165},
		{9_007_199_254_740_993, 1, 9_007_199_254_740_993},
		{9_007_199_254_740_993, 0.5, 4_503_599_627_370_497},
	} {
		t.Run(fmt.Sprintf("%d×%g", tc.src, tc.ratio), func(t *testing.T) {
			assert.Equal(t, tc.want, minRows(tc.src, tc.ratio))
		})
	}
}
