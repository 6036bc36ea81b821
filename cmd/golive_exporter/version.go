package main

import (
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/common/version"
)

// sourceVersion is the release this source belongs to, CHANGELOG.md's
// newest (a test holds them equal), as promu's VERSION file is: the version
// a binary reports when neither the linker flags nor the Go toolchain gave
// one (go run stamps no version).
const sourceVersion = "0.1.0"

// buildVersion is what prometheus/common/version reports: --version, the
// startup log line and golive_exporter_build_info.
type buildVersion struct {
	Version, Revision, Branch, BuildDate string
}

// pseudoRevRE is the commit at the end of a Go pseudo-version
// (v0.1.1-0.20261204164009-0123456789ab).
var pseudoRevRE = regexp.MustCompile(`^v\d+\.\d+\.\d+-(?:[0-9A-Za-z.]+\.)?\d{14}-([0-9a-f]{12})$`)

// fill completes what the linker flags left empty from what the Go
// toolchain stamped into the binary, so that go run, go install
// module@version and a plain go build report a real version and commit:
// the module version (without its leading "v", like the Makefile's and the
// release builds'; sourceVersion when the toolchain stamped none),
// vcs.revision (with "-modified" for uncommitted changes) and the commit
// time as build date. Fields set by -ldflags -X are kept.
func (v *buildVersion) fill(info *debug.BuildInfo) {
	if info == nil {
		info = &debug.BuildInfo{}
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if v.Version == "" {
		if mv := info.Main.Version; mv != "" && mv != "(devel)" {
			v.Version = strings.TrimPrefix(mv, "v")
		} else {
			v.Version = sourceVersion
		}
	}
	if v.Revision == "" {
		if rev := settings["vcs.revision"]; rev != "" {
			if settings["vcs.modified"] == "true" {
				rev += "-modified"
			}
			v.Revision = rev
		} else if m := pseudoRevRE.FindStringSubmatch(strings.SplitN(info.Main.Version, "+", 2)[0]); m != nil {
			v.Revision = m[1]
		}
	}
	if v.BuildDate == "" {
		if at, err := time.Parse(time.RFC3339, settings["vcs.time"]); err == nil {
			// The format the Makefile and promu use.
			v.BuildDate = at.UTC().Format("20060102-15:04:05")
		}
	}
}

// init fills prometheus/common/version from the build information before
// anything reads it.
func init() {
	v := buildVersion{Version: version.Version, Revision: version.Revision, Branch: version.Branch, BuildDate: version.BuildDate}
	info, _ := debug.ReadBuildInfo()
	v.fill(info)
	version.Version, version.Revision, version.Branch, version.BuildDate = v.Version, v.Revision, v.Branch, v.BuildDate
}
