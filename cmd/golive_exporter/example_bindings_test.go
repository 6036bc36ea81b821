package main

import (
	"path/filepath"
	"testing"

	"github.com/golive/golive_exporter/checklist"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The "done when": the example binds every automatable item of the
// shipped checklist (automation not manual: 120 items) to a check, and each
// of them blocks GO when due: no blockers.except, no kind left out of the
// policy, no per-item blocker: false. The bindings and the blocker policy
// are the model's own, as the exporter judges with them (the load already
// refuses an unknown item id or check name).
func TestExampleBindsEveryAutomatableItem(t *testing.T) {
	cfg, m, err := checklist.LoadConfigFile(filepath.Join(exampleDir, "golive.yml"))
	require.NoError(t, err)
	require.Equal(t, checklist.DefaultName, m.Checklist.Name, "the example judges the shipped checklist")

	automatable := 0
	for _, it := range m.Checklist.Items {
		if !it.Kind.Automated() {
			assert.True(t, len(m.Checks(it.ID)) == 0 || it.Phase == "SO", "item %s is manual: attest it rather than bind it", it.ID)
			continue
		}
		automatable++
		assert.NotEmpty(t, m.Checks(it.ID), "automatable item %s (%s, %q) is bound to no check", it.ID, it.Kind, it.Text)
		assert.True(t, m.IsBlocker(it), "automatable item %s (%s) does not block GO: excepted, its kind left out of the policy, or blocker: false", it.ID, it.Kind)
	}
	assert.Equal(t, 120, automatable, "automatable items of the shipped checklist")
	assert.Empty(t, cfg.Checklist.Blockers.Except, "the example keeps no blockers.except list")
}
