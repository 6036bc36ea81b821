package testutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// AdminDSN reaches the machine's PostgreSQL as the superuser (trust auth),
// as README.md and scripts/start-services.sh set it up.
const AdminDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// DSN returns the superuser's DSN for the named database.
func DSN(db string) string {
	return "postgres://postgres@127.0.0.1:5432/" + db + "?sslmode=disable"
}

// RandomName returns prefix followed by 12 random hex digits, a name no
// other test run picks.
func RandomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// CreateDatabase creates an empty database named prefix plus a random
// suffix and drops it (closing any session still in it) when the test
// ends; it returns the name. Tests never share a database.
func CreateDatabase(t testing.TB, prefix string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminDSN)
	require.NoError(t, err, "the test needs PostgreSQL on 127.0.0.1:5432 (trust, user postgres); scripts/start-services.sh starts it")
	defer admin.Close(ctx)
	name := RandomName(prefix)
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, AdminDSN)
		if err != nil {
			t.Errorf("dropping %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	return name
}

// CreateRole creates a role named prefix plus a random suffix, with the
// CREATE ROLE options given (e.g. "IN ROLE pg_monitor"; LOGIN unless they
// say NOLOGIN), and drops it
// when the test ends: first whatever it was granted in the databases listed
// in dbs (DROP OWNED BY, where the database still exists), then the role.
// It returns the role's name.
func CreateRole(t testing.TB, prefix, options string, dbs ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminDSN)
	require.NoError(t, err, "the test needs PostgreSQL on 127.0.0.1:5432 (trust, user postgres); scripts/start-services.sh starts it")
	defer admin.Close(ctx)
	name := RandomName(prefix)
	if !strings.Contains(options, "NOLOGIN") {
		options = "LOGIN " + options
	}
	_, err = admin.Exec(ctx, "CREATE ROLE "+name+" "+options)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, db := range dbs {
			c, err := pgx.Connect(ctx, DSN(db))
			if err != nil {
				continue // the database is gone, and the grants with it
			}
			if _, err := c.Exec(ctx, "DROP OWNED BY "+name); err != nil {
				t.Errorf("revoking what %s was granted in %s: %v", name, db, err)
			}
			c.Close(ctx)
		}
		c, err := pgx.Connect(ctx, AdminDSN)
		if err != nil {
			t.Errorf("dropping role %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP ROLE IF EXISTS "+name); err != nil {
			t.Errorf("dropping role %s: %v", name, err)
		}
	})
	return name
}

// MonitorRole creates a least-privilege role of the test's own, as
// docs/database.md tells users to: pg_monitor, and SELECT on every table
// that exists now in db's public schema (the example's narrower,
// column-level grants: GrantedRole with its grants.sql). It returns the role's DSN for db; the role is dropped
// when the test ends.
func MonitorRole(t testing.TB, db string) string {
	t.Helper()
	role := CreateRole(t, "golive_mon_", "IN ROLE pg_monitor", db)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, DSN(db))
	require.NoError(t, err)
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+role)
	require.NoError(t, err)
	return RoleDSN(role, db)
}

// RoleDSN returns the DSN of role for the named database (trust auth on
// the loopback address).
func RoleDSN(role, db string) string {
	return "postgres://" + role + "@127.0.0.1:5432/" + db + "?sslmode=disable"
}

// GrantedRole creates a role of the test's own with the CREATE ROLE
// options given, and runs grants (SQL such as an example's grants.sql) in
// db with every placeholder (the role name the SQL grants to) replaced by
// the role's name: the test's role gets exactly what the file grants. It
// returns the role's DSN for db; the role is dropped when the test ends.
func GrantedRole(t testing.TB, db, options, grants, placeholder string) string {
	t.Helper()
	require.Contains(t, grants, placeholder, "the grants name no %s", placeholder)
	role := CreateRole(t, "golive_mon_", options, db)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, DSN(db))
	require.NoError(t, err)
	defer c.Close(ctx)
	_, err = c.Exec(ctx, strings.ReplaceAll(grants, placeholder, role))
	require.NoError(t, err)
	return RoleDSN(role, db)
}
