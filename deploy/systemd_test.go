package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive_exporter/config"
	"github.com/golive/golive_exporter/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const unitFile = "systemd/golive_exporter.service"

// unit is a systemd unit file read as key -> values (a key may repeat).
type unit map[string][]string

func (u unit) last(key string) string {
	if v := u[key]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

func readUnit(t *testing.T, text string) unit {
	t.Helper()
	u := unit{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, "unit line %q", line)
		u[k] = append(u[k], v)
	}
	return u
}

// systemdSection is the "## systemd" section of docs/deploy.md.
func systemdSection(t *testing.T) string {
	t.Helper()
	doc := testutil.Doc(t, "deploy.md")
	_, sec, ok := strings.Cut(doc, "\n## systemd\n")
	require.True(t, ok, "docs/deploy.md has no ## systemd section")
	if i := strings.Index(sec, "\n## "); i >= 0 {
		sec = sec[:i]
	}
	return sec
}

func blocks(text, lang string) []string {
	re := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```")
	var out []string
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestSystemdUnitVerifies runs systemd-analyze verify over the unit with the
// drop-in docs/deploy.md shows: an unknown or misspelt directive, a bad
// value or a missing [Install] target is reported there, and the test
// wants no report at all. The binary is not installed here, so ExecStart
// is pointed at an executable that exists (the install steps are tested
// by TestSystemdInstallSteps).
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		testutil.MissingTool(t, "systemd-analyze (Debian package systemd) is not installed")
	}
	raw, err := os.ReadFile(unitFile)
	require.NoError(t, err)
	u := readUnit(t, string(raw))
	bin := strings.Fields(u.last("ExecStart"))[0]
	self, err := os.Executable()
	require.NoError(t, err)
	text := strings.ReplaceAll(string(raw), bin, self)
	ini := blocks(systemdSection(t), "ini")
	require.NotEmpty(t, ini, "docs/deploy.md shows the drop-in for secrets")
	for _, dropIn := range ini {
		// A drop-in's [Service] lines join the unit's [Service] section.
		text = strings.Replace(text, "\n[Install]", "\n"+strings.TrimPrefix(dropIn, "[Service]\n")+"\n[Install]", 1)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, filepath.Base(unitFile))
	require.NoError(t, os.WriteFile(f, []byte(text), 0o644))
	out, err := exec.Command(analyze, "verify", f).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "systemd-analyze verify reports problems")

	// The check itself catches a misspelt directive.
	bad := filepath.Join(dir, "bad.service")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(text, "ProtectSystem=", "ProtectSystme=", 1)), 0o644))
	out, _ = exec.Command(analyze, "verify", bad).CombinedOutput()
	assert.Contains(t, string(out), "ProtectSystme")
}

// absPathRE matches an absolute path of the target system in a shell step.
var absPathRE = regexp.MustCompile(`(^|[\s=:'"])(/(?:etc|usr|var|opt|run)/)`)

// TestSystemdInstallSteps runs the install steps of docs/deploy.md, with
// every absolute path moved into a scratch root (systemctl and the build
// are left out), and holds the result to the unit: the binary lands where
// ExecStart runs it, the configuration where --config.file reads it, the
// unit where systemd looks; no step names the service's user or group when
// that user exists only while the service runs (DynamicUser); the folders
// the unit lets systemd create match the paths the docs and the examples
// use; every secret read from /run/credentials is loaded by the drop-in.
func TestSystemdInstallSteps(t *testing.T) {
	raw, err := os.ReadFile(unitFile)
	require.NoError(t, err)
	u := readUnit(t, string(raw))
	sec := systemdSection(t)
	sh := blocks(sec, "sh")
	require.Len(t, sh, 1, "the systemd section of docs/deploy.md has one ```sh block of install steps")
	steps := sh[0]

	exec0 := strings.Fields(u.last("ExecStart"))
	bin := exec0[0]
	var cfgFile string
	for _, a := range exec0[1:] {
		if v, ok := strings.CutPrefix(a, "--config.file="); ok {
			cfgFile = v
		}
	}
	require.NotEmpty(t, cfgFile, "ExecStart names --config.file")

	dynamic := u.last("DynamicUser") == "yes"
	if dynamic {
		for who := range map[string]bool{u.last("User"): true, u.last("Group"): true} {
			if who == "" {
				continue
			}
			for _, bad := range []string{"-o " + who, "-g " + who, "chown " + who, "chgrp " + who, ":" + who + " "} {
				assert.NotContains(t, steps, bad, "with DynamicUser=yes the user %s exists only while the service runs: no install step can hand it files", who)
			}
		}
	}
	// The configuration folder is the unit's ConfigurationDirectory (made
	// by systemd if missing, readable by the service), the state folder its
	// StateDirectory (the one place ProtectSystem=strict lets it write).
	require.NotEmpty(t, u.last("ConfigurationDirectory"), "the unit declares its configuration folder")
	assert.Equal(t, path.Join("/etc", u.last("ConfigurationDirectory")), path.Dir(cfgFile))
	state := u.last("StateDirectory")
	require.NotEmpty(t, state, "the unit declares a writable state folder for restore.state_file")
	stateDir := path.Join("/var/lib", state)
	assert.Contains(t, sec, stateDir+"/", "docs/deploy.md names the state folder")
	examples, err := filepath.Glob("examples/*/*.yml")
	require.NoError(t, err)
	stateRE := regexp.MustCompile(`(?m)^\s*state_file:\s*(\S+)`)
	for _, f := range examples {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range stateRE.FindAllStringSubmatch(string(b), -1) {
			assert.True(t, strings.HasPrefix(m[1], stateDir+"/"), "%s: state_file %s is outside the unit's StateDirectory %s, which is the only writable folder", f, m[1], stateDir)
		}
	}

	// Credentials: each /run/credentials/<unit>/<name> in the docs is
	// loaded by a LoadCredential= of the drop-in.
	loaded := map[string]bool{}
	for _, ini := range blocks(sec, "ini") {
		for _, v := range readUnit(t, ini)["LoadCredential"] {
			name, _, _ := strings.Cut(v, ":")
			loaded[name] = true
		}
	}
	credRE := regexp.MustCompile(`/run/credentials/([^/\s]+)/([\w.-]+)`)
	creds := credRE.FindAllStringSubmatch(sec, -1)
	require.NotEmpty(t, creds, "docs/deploy.md shows how a secret reaches the service")
	for _, m := range creds {
		assert.Equal(t, filepath.Base(unitFile), m[1], "credentials folder of another unit")
		assert.True(t, loaded[m[2]], "credential %s is read but no LoadCredential= loads it", m[2])
	}
	for _, y := range blocks(sec, "yaml") {
		_, err := config.Load([]byte(y), cfgFile)
		require.NoError(t, err, "the systemd section's yaml loads")
	}

	// Run the steps in a scratch root that has the folders every Debian
	// system has, and nothing else.
	root := t.TempDir()
	for _, d := range []string{"usr/local/bin", "etc/systemd/system", "var/lib", "run"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	work := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(work, "deploy/systemd"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(work, "deploy", unitFile), raw, 0o644))
	var script []string
	sc := bufio.NewScanner(strings.NewReader(steps))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "systemctl ") || strings.HasPrefix(line, "make ") {
			continue
		}
		f := strings.Fields(line)
		// The files the steps install from the working folder: the built
		// binary and the user's own files.
		if f[0] == "install" && !strings.Contains(line, " -d ") {
			for _, src := range f[1 : len(f)-1] {
				if strings.HasPrefix(src, "-") || strings.HasPrefix(src, "0") || strings.HasPrefix(src, "/") {
					continue
				}
				if _, err := os.Stat(filepath.Join(work, src)); err != nil {
					require.NoError(t, os.WriteFile(filepath.Join(work, src), []byte("#!/bin/sh\n"), 0o644))
				}
			}
		}
		script = append(script, absPathRE.ReplaceAllString(line, "${1}"+root+"${2}"))
	}
	require.NotEmpty(t, script)
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", strings.Join(script, "\n"))
	cmd.Dir = work
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the install steps of docs/deploy.md fail:\n%s\n%s", strings.Join(script, "\n"), out)

	st, err := os.Stat(filepath.Join(root, bin))
	require.NoError(t, err, "the steps install the binary where ExecStart runs it")
	assert.NotZero(t, st.Mode()&0o111, "the binary is executable")
	st, err = os.Stat(filepath.Join(root, cfgFile))
	require.NoError(t, err, "the steps install the configuration where --config.file reads it")
	if dynamic {
		assert.NotZero(t, st.Mode()&0o004, "a DynamicUser service reads the configuration as an unknown user: it must be world-readable (secrets go through LoadCredential)")
	}
	installed, err := os.ReadFile(filepath.Join(root, "/etc/systemd/system", filepath.Base(unitFile)))
	require.NoError(t, err, "the steps install the unit where systemd looks")
	assert.Equal(t, string(raw), string(installed))
}
