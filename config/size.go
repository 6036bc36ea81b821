package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/alecthomas/units"
	"go.yaml.in/yaml/v3"
)

// ByteSize is a size in bytes, written as a number of bytes or with a unit
// as github.com/alecthomas/units reads it strictly (the way Prometheus
// reads its own sizes): B, the IEC units KiB, MiB, GiB (1024-based) and the
// SI units KB, MB, GB (1000-based). The unit is case-sensitive, so "MB" is
// never mistaken for "MiB".
//
// Deprecated forms, read as before for one more release with a warning: a
// lower-case unit ("64mib", "500kb"), a space before the unit, and the bare
// letters k, m and g, which meant 1024-based (where "kb" meant 1000).
type ByteSize int64

// legacyByteUnits are the units the hand-written parser of 0.1.0 accepted,
// lower-cased.
var legacyByteUnits = map[string]int64{"": 1, "b": 1, "kb": 1000, "mb": 1000 * 1000, "gb": 1000 * 1000 * 1000,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}

// ParseByteSize parses "64MiB", "500KB", "1048576" (and the deprecated
// forms; see ByteSize).
func ParseByteSize(s string) (ByteSize, error) {
	b, _, err := parseByteSize(s)
	return b, err
}

// parseByteSize also says whether s used a deprecated form.
func parseByteSize(s string) (ByteSize, bool, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.ParseInt(t, 10, 64); err == nil && n >= 0 {
		return ByteSize(n), false, nil
	}
	if n, err := units.ParseStrictBytes(t); err == nil && n >= 0 {
		return ByteSize(n), false, nil
	}
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(t[:i], 64)
	mult, ok := legacyByteUnits[strings.ToLower(strings.TrimSpace(t[i:]))]
	if err != nil || !ok || n < 0 {
		return 0, false, fmt.Errorf("%q is not a size; write e.g. 64MiB, 500KB or a number of bytes", s)
	}
	return ByteSize(n * float64(mult)), true, nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// MarshalYAML writes the size back in the largest exact binary unit.
func (b ByteSize) MarshalYAML() (any, error) { return b.String(), nil }

// String writes the size in the largest exact IEC unit ("64MiB"), or in
// bytes: a form ParseByteSize reads back.
func (b ByteSize) String() string {
	for _, u := range []struct {
		name string
		n    int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b != 0 && int64(b)%u.n == 0 {
			return fmt.Sprintf("%d%s", int64(b)/u.n, u.name)
		}
	}
	return strconv.FormatInt(int64(b), 10)
}
