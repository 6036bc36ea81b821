package checklist

import "slices"

// RestrictToChecks returns st limited to the items bound to at least one of
// the named checks, and to those checks' results (check --only): the
// phases, counts, blockers and verdict cover only those items. An item
// bound to other checks as well shows them as not run.
func (st *Status) RestrictToChecks(checks []string) *Status {
	if len(checks) == 0 {
		return st
	}
	bound := func(it ItemStatus) bool {
		for _, ref := range it.Checks {
			if slices.Contains(checks, ref.Name) {
				return true
			}
		}
		return false
	}
	out := *st
	out.Counts, out.Total = zeroCounts(), 0
	out.Blockers, out.FailingEarly = []string{}, []string{}
	out.Phases = nil
	for _, p := range st.Phases {
		np := p
		np.Counts, np.Due, np.Passing, np.Failing, np.Sections = zeroCounts(), 0, 0, 0, nil
		for _, s := range p.Sections {
			ns := SectionStatus{Name: s.Name}
			for _, it := range s.Items {
				if !bound(it) {
					continue
				}
				ns.Items = append(ns.Items, it)
				out.Counts[it.State]++
				out.Total++
				np.Counts[it.State]++
				if it.Due {
					np.Due++
					if it.State.OK() {
						np.Passing++
					} else {
						np.Failing++
					}
				}
			}
			if len(ns.Items) > 0 {
				np.Sections = append(np.Sections, ns)
			}
		}
		if len(np.Sections) > 0 {
			out.Phases = append(out.Phases, np)
		}
	}
	in := map[string]bool{}
	for _, p := range out.Phases {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				in[it.ID] = true
			}
		}
	}
	for _, id := range st.Blockers {
		if in[id] {
			out.Blockers = append(out.Blockers, id)
		}
	}
	for _, id := range st.FailingEarly {
		if in[id] {
			out.FailingEarly = append(out.FailingEarly, id)
		}
	}
	out.Checks = nil
	for _, r := range st.Checks {
		if slices.Contains(checks, r.Check) {
			out.Checks = append(out.Checks, r)
		}
	}
	out.Ready = len(out.Blockers) == 0
	out.Verdict = VerdictNoGo
	if out.Ready {
		out.Verdict = VerdictGo
	}
	out.restricted = true
	return &out
}
