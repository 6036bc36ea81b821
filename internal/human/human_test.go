package human

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{250 * time.Millisecond, "250ms"},
		{1500 * time.Millisecond, "2s"},
		{45 * time.Second, "45s"},
		{60 * time.Second, "1m"},
		{3*time.Minute + 20*time.Second, "3m20s"},
		{3*time.Minute + 20*time.Second + 600*time.Millisecond, "3m21s"},
		{5*time.Hour + 10*time.Minute + 29*time.Second, "5h10m"},
		{5 * time.Hour, "5h"},
		{23*time.Hour + 59*time.Minute + 40*time.Second, "1d"},
		{59*time.Minute + 59*time.Second + 600*time.Millisecond, "1h"},
		{26 * time.Hour, "1d2h"},
		{2*day + 3*time.Hour + 29*time.Minute, "2d3h"},
		{2*day + 3*time.Hour + 31*time.Minute, "2d4h"},
		{365 * day, "365d"},
		{-(5*time.Hour + 10*time.Minute), "-5h10m"},
	} {
		assert.Equal(t, tc.want, Duration(tc.d), tc.d.String())
	}
}

func TestCountdown(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	assert.Equal(t, "in 2d2h", Countdown(now.Add(50*time.Hour+20*time.Minute), now))
	assert.Equal(t, "3h5m ago", Countdown(now.Add(-3*time.Hour-5*time.Minute), now))
	assert.Equal(t, "in 0s", Countdown(now, now))
}

func TestList(t *testing.T) {
	for _, tc := range []struct {
		names []string
		max   int
		want  string
	}{
		{nil, 3, ""},
		{[]string{"a"}, 3, "a"},
		{[]string{"a", "b", "c"}, 3, "a, b, c"},
		{[]string{"a", "b", "c", "d", "e", "f", "g", "h"}, 3, "a, b, c and 5 more"},
		{[]string{"a", "b"}, 1, "a and 1 more"},
		{[]string{"a", "b"}, 0, "a, b"},
	} {
		assert.Equal(t, tc.want, List(tc.names, tc.max))
	}
	assert.Equal(t, "a, b and 3 more", ListOf([]string{"a", "b"}, 5))
	assert.Equal(t, "a, b", ListOf([]string{"a", "b"}, 2))
	assert.Equal(t, "4 more", ListOf(nil, 4))
}
