package all

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive_exporter/config"
)

// The embedded default configuration loads: it checks the local
// PostgreSQL and Redis, kinds that register from their packages, so the
// test lives where every kind is linked.
func TestDefaultConfigLoads(t *testing.T) {
	cfg, err := config.Default()
	require.NoError(t, err)
	assert.Equal(t, config.EmbeddedName, cfg.File())
	assert.NotEmpty(t, cfg.Checks)
	wd, _ := os.Getwd()
	assert.Equal(t, wd, cfg.BaseDir())
	assert.Equal(t, config.DefaultMaxConcurrency, cfg.Global.MaxConcurrency)
	assert.Equal(t, config.DefaultTimeout, time.Duration(cfg.Global.DefaultTimeout))
	assert.Equal(t, config.DefaultScrapeMargin, time.Duration(cfg.Global.ScrapeTimeoutMargin))
}
