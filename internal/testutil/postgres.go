package testutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
