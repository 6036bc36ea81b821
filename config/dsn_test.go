package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaskDSN(t *testing.T) {
	tests := []struct{ in, want, pw string }{
		{"postgres://app:s3cret@db:5432/app?sslmode=require", "postgres://app:<secret>@db:5432/app?sslmode=require", "s3cret"},
		{"postgresql://app:p%40ss@db/app", "postgresql://app:<secret>@db/app", "p@ss"},
		{"postgres://app@db/app?password=s3cret&sslmode=disable", "postgres://app@db/app?password=<secret>&sslmode=disable", "s3cret"},
		{"host=db user=app password=s3cret dbname=app", "host=db user=app password=<secret> dbname=app", "s3cret"},
		{"host=db password='a b\\'c' dbname=app", "host=db password=<secret> dbname=app", "a b\\'c"},
		{"postgres://app@db/app", "postgres://app@db/app", ""},
		// Not a valid URL (a bad escape): the password is still found.
		{"postgres://app:p%zz@db/app", "postgres://app:<secret>@db/app", "p%zz"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, MaskDSN(tc.in))
		assert.Equal(t, tc.pw, DSNPassword(tc.in), tc.in)
	}
}

func TestWithDSNParams(t *testing.T) {
	got, err := WithDSNParams("postgres://h/db", map[string]string{"sslmode": "require"})
	require.NoError(t, err)
	assert.Equal(t, "postgres://h/db?sslmode=require", got)
	got, err = WithDSNParams("postgres://h/db?sslmode=disable&x=1", map[string]string{"sslmode": "verify-full", "sslkey": ""})
	require.NoError(t, err)
	assert.Equal(t, "postgres://h/db?sslmode=verify-full&x=1", got, "an empty param leaves the DSN's own")
	got, err = WithDSNParams("host=h sslmode=disable", map[string]string{"sslmode": "require", "sslrootcert": `/a b/it's\ca.pem`})
	require.NoError(t, err)
	assert.Equal(t, `host=h sslmode=disable sslmode='require' sslrootcert='/a b/it\'s\\ca.pem'`, got)
	got, err = WithDSNParams("postgres://h:p%zz@db/app", map[string]string{})
	require.NoError(t, err)
	assert.Equal(t, "postgres://h:p%zz@db/app", got, "nothing to set: the DSN as is")
	_, err = WithDSNParams("postgres://h:p%zz@db/app", map[string]string{"sslmode": "require"})
	require.EqualError(t, err, "dsn postgres://h:<secret>@db/app is not a valid URL")
}

func FuzzMaskDSN(f *testing.F) {
	f.Add("postgres://app:s3cret@db:5432/app?sslmode=require")
	f.Add("host=db user=app password='a b' dbname=app")
	f.Add("postgres://app@db/app?password=x")
	f.Fuzz(func(t *testing.T, dsn string) {
		pw := DSNPassword(dsn)
		masked := MaskDSN(dsn)
		// A password written once in the DSN must not survive masking.
		if len(pw) >= 4 && strings.Count(dsn, pw) == 1 && strings.Contains(strings.ReplaceAll(masked, "<secret>", ""), pw) {
			t.Fatalf("MaskDSN(%q) = %q still holds %q", dsn, masked, pw)
		}
	})
}
