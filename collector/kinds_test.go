package collector

import "github.com/golive/golive_exporter/config"

// The scheduler's tests load files of tcp checks and give them their
// behaviour with fakeKind. The network kinds cannot be linked here
// (collector/network imports this package), so a stand-in of tcp's
// settings is registered with config alone: a tcp check loads, and has no
// factory until fakeKind gives it one.
func init() {
	config.RegisterKind("tcp", func() config.Kind { return new(tcpSettings) })
}

// tcpSettings stands in for the tcp kind's settings.
type tcpSettings struct {
	Address string `yaml:"address"`
}

func (*tcpSettings) Validate(string, *config.Problems) {}
