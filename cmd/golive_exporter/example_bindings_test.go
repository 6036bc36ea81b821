package main

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/golive/golive_exporter/checklist"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The "done when": the example binds every automatable item of the
// shipped checklist (automation not manual: 120 items) to a check, and each
// of them blocks GO when due: no blockers.except, no kind left out of the
// policy, no per-item blocker: false.
func TestExampleBindsEveryAutomatableItem(t *testing.T) {
	cfg, _, err := checklist.LoadConfigFile(filepath.Join(exampleDir, "golive.yml"))
	require.NoError(t, err)
	cl := checklist.Default()

	checks := map[string]bool{}
	bound := map[string][]string{} // item -> checks binding it
	for _, c := range cfg.Checks {
		checks[c.Name] = true
		for _, id := range c.Items {
			bound[id] = append(bound[id], c.Name)
		}
		for _, g := range c.TestGroups() {
			for _, id := range g.Items {
				bound[id] = append(bound[id], c.Name+"/"+g.Name)
			}
		}
	}
	for id, it := range cfg.Checklist.Items {
		for _, name := range it.Checks {
			require.True(t, checks[name], "checklist.items.%s names check %q, which does not exist", id, name)
			bound[id] = append(bound[id], name)
		}
	}

	pol := cfg.Checklist.Blockers
	var automatable []string
	for _, it := range cl.Items {
		if !it.Kind.Automated() {
			continue
		}
		automatable = append(automatable, it.ID)
		assert.NotEmpty(t, bound[it.ID], "automatable item %s (%s, %q) is bound to no check", it.ID, it.Kind, it.Text)
		assert.NotContains(t, pol.Except, it.ID, "automatable item %s is excepted from the blockers", it.ID)
		if pol.Kinds != nil {
			assert.Contains(t, pol.Kinds, string(it.Kind), "kind %s of %s is not a blocker kind", it.Kind, it.ID)
		}
		if ci := cfg.Checklist.Items[it.ID]; ci != nil && ci.Blocker != nil {
			assert.True(t, *ci.Blocker, "checklist.items.%s.blocker: false", it.ID)
		}
	}
	assert.Len(t, automatable, 120, "automatable items of the shipped checklist")
	assert.Empty(t, pol.Except, "the example keeps no blockers.except list")
	for id := range bound {
		assert.True(t, cl.Has(id), "bound item %s is not in the checklist", id)
		assert.True(t, slices.Contains(automatable, id) || id[:2] == "SO", "item %s is manual: attest it rather than bind it", id)
	}
}
