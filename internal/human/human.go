// Package human writes durations and lists for people: in check messages,
// the terminal verdict, the board and logs. One way everywhere, so the same
// age reads the same in `check`, on the board and in an alert's observation.
package human

import (
	"fmt"
	"strings"
	"time"
)

const day = 24 * time.Hour

// units are the parts a duration is written in, largest first.
var units = []struct {
	d    time.Duration
	name string
}{{day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}

// Duration writes d with its two largest units, rounded to the smaller of
// the two and leaving out a zero: "2d3h", "2d", "5h10m", "3m20s", "45s".
// Below a second it writes Go's form ("250ms"); a negative d gets a "-".
// The units are those of the configuration's durations (26h, 30d), so what
// a message shows can be written back as a threshold.
func Duration(d time.Duration) string {
	if d < 0 {
		return "-" + Duration(-d)
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	i := 0
	for i < len(units)-1 && d < units[i].d {
		i++
	}
	if i+1 < len(units) {
		d = d.Round(units[i+1].d)
	} else {
		d = d.Round(time.Second)
	}
	// Rounding may carry into a larger unit (23h59m40s is 1d).
	for i > 0 && d >= units[i-1].d {
		i--
	}
	var b strings.Builder
	for j := i; j < len(units) && j <= i+1; j++ {
		n := d / units[j].d
		d -= n * units[j].d
		if n > 0 || j == i {
			fmt.Fprintf(&b, "%d%s", n, units[j].name)
		}
	}
	return b.String()
}

// Countdown says how far t is from now: "in 2d3h" or "5h10m ago".
func Countdown(t, now time.Time) string {
	d := t.Sub(now)
	if d >= 0 {
		return "in " + Duration(d)
	}
	return Duration(-d) + " ago"
}

// List joins names with ", " and cuts the list after max of them:
// "a, b, c and 5 more". max < 1 shows them all.
func List(names []string, max int) string {
	if max < 1 || len(names) <= max {
		return strings.Join(names, ", ")
	}
	return ListOf(names[:max], len(names))
}

// ListOf writes names, the first of total, and how many more there are:
// ListOf([a b c], 8) is "a, b, c and 5 more". It is List for a caller that
// kept only the first few.
func ListOf(names []string, total int) string {
	s := strings.Join(names, ", ")
	if more := total - len(names); more > 0 {
		if s == "" {
			return fmt.Sprintf("%d more", more)
		}
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}
