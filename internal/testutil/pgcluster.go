//go:build unix

// The PostgreSQL clusters the tests run need Unix users and sockets.

package testutil

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// PGHome is where a test runs a PostgreSQL cluster of its own: the server
// binaries, a scratch directory, and the OS user the server runs as
// (initdb and postgres refuse root: a test running as root runs them as
// the postgres user).
type PGHome struct {
	// Bin holds the server binaries (initdb, postgres, pg_ctl,
	// pg_basebackup).
	Bin string
	// Dir is a scratch directory under the system's temporary folder (short
	// enough for a Unix socket path), owned by the owner and removed when
	// the test ends.
	Dir string
	// Owner is the postgres user's credential when the test runs as root;
	// nil otherwise (the test's own user).
	Owner *syscall.Credential
}

// NewPGHome finds the newest installed PostgreSQL server binaries and makes
// the scratch directory, its name starting with prefix. Missing binaries,
// or no postgres user to run them as under root, end the test through
// MissingTool.
func NewPGHome(t testing.TB, prefix string) *PGHome {
	t.Helper()
	h := &PGHome{Bin: PGServerBin()}
	if h.Bin == "" {
		MissingTool(t, "no PostgreSQL server binaries (initdb) under /usr/lib/postgresql/*/bin or pg_config --bindir")
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			MissingTool(t, "running as root needs the postgres OS user (from the postgresql package) to run a cluster as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		h.Owner = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	dir, err := os.MkdirTemp("", prefix)
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	h.Dir = dir
	h.Chown(t, dir)
	return h
}

// PGServerBin returns the directory of the newest installed PostgreSQL
// server binaries (the one holding initdb), or "" when there is none.
func PGServerBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

// sysProcAttr runs a command as the owner.
func (h *PGHome) sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: h.Owner}
}

// Chown hands paths, and everything below them, to the owner (nothing to
// do when the test does not run as root).
func (h *PGHome) Chown(t testing.TB, paths ...string) {
	t.Helper()
	if h.Owner == nil {
		return
	}
	for _, p := range paths {
		require.NoError(t, filepath.Walk(p, func(p string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, int(h.Owner.Uid), int(h.Owner.Gid))
		}))
	}
}
