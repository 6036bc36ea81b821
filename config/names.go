package config

import "regexp"

// ShortNameRE is the form of a short label value written in the
// configuration: a test-report group, an endpoint, a container entry.
var ShortNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

// ValidateEntryName checks the name of one entry of a list whose names
// become label values (what: "endpoint", "container", "group"): given,
// short (ShortNameRE) and not used twice in the list; seen collects the
// list's names. example is a good name to suggest.
func ValidateEntryName(path, what, name, example string, seen map[string]bool, p *Problems) {
	switch {
	case name == "":
		p.Addf(path, "%s has no name; add name: (letters, digits, _ . -), it becomes the %s label", what, what)
	case !ShortNameRE.MatchString(name):
		p.Addf(path, "%s name %q is not a short label; use letters, digits, _ . - (at most 63), e.g. %s", what, name, example)
	case seen[name]:
		p.Addf(path, "%s name %q is used twice; give each %s its own name", what, name, what)
	}
	seen[name] = true
}
