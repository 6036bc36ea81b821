package backup

import (
	"math/big"
	"strconv"
)

// minRows is the least row count that holds at least ratio of src rows:
// src × ratio rounded up, so 0.95 of one row demands that row. The ratio is
// taken as the decimal it was written as (0.95, not the float64 just below
// it), so a product that is whole in decimals (20 × 0.95 = 19) is not
// pushed up by binary rounding, and large counts lose no digits.
func minRows(src int64, ratio float64) int64 {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(ratio, 'g', -1, 64))
	if !ok {
		// Not a finite number: the configuration refuses it before here.
		return src
	}
	p := r.Mul(r, new(big.Rat).SetInt64(src))
	q, m := new(big.Int).QuoRem(p.Num(), p.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}
