package checklist

// The fixtures these tests load have tcp checks; the kinds register from
// their packages, so the network kinds are linked here.
import _ "github.com/golive/golive_exporter/collector/network"
