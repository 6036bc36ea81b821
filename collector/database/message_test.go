package database

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSafeMessage(t *testing.T) {
	const query = `SELECT count(*) FROM Students s JOIN no_such_table n ON n.id = s.id WHERE s.code = 'twelve'`
	tests := []struct {
		name, in string
		raised   bool
		want     string
	}{
		{"names from the query stay", `relation "no_such_table" does not exist`, false, `relation "no_such_table" does not exist`},
		{"folded to lower case", `relation "students" does not exist`, false, `relation "students" does not exist`},
		{"literal from the query stays", `invalid input syntax for type integer: "twelve"`, false, `invalid input syntax for type integer: "twelve"`},
		{"value from data", `invalid input syntax for type integer: "hunter2"`, false, `invalid input syntax for type integer: "…"`},
		{"value in the middle", `value "99999999999" is out of range for type integer`, false, `value "…" is out of range for type integer`},
		{"known then unknown", `column "code" of relation "secret_xyz" does not exist`, false, `column "…" does not exist`},
		{"several parts, even known", `column "code" of relation "students" does not exist`, false, `column "…" does not exist`},
		{"value with quotes of its own", `invalid input syntax for type integer: "a" leaked "b"`, false, `invalid input syntax for type integer: "…"`},
		{"unpaired quote", `invalid input syntax for type integer: "abc`, false, `invalid input syntax for type integer: "…"`},
		{"first line only", "invalid input syntax for type json\nline two", false, "invalid input syntax for type json"},
		{"multi-line value", "invalid input syntax for type integer: \"first\nsecond\"", false, `invalid input syntax for type integer: "…"`},
		{"control characters", "division\x00 by\x1b zero", false, "division by zero"},
		{"no quotes", "division by zero", false, "division by zero"},
		{"raised by the query", `the file says "x"`, true, "the query raised an error of its own (its text is not shown)"},
		{"empty quotes", `syntax error at or near ""`, false, `syntax error at or near ""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, safeMessage(tc.in, tc.raised, query))
		})
	}
	long := safeMessage(strings.Repeat("é", 500), false)
	assert.Equal(t, maxMessageRunes+1, utf8.RuneCountInString(long))
	assert.True(t, strings.HasSuffix(long, "…"))
}

// cleanError keeps the context around the server's message, replaces the
// message by its safe form, drops the detail, hint and context, and still
// unwraps to a PgError with the code, for the reason.
func TestCleanError(t *testing.T) {
	pge := &pgconn.PgError{Severity: "ERROR", Code: "22P02", Message: `invalid input syntax for type integer: "S3cret"`,
		Detail: "S3cret detail", Hint: "S3cret hint", Where: "S3cret where"}
	err := cleanError(fmt.Errorf("reading x: %w", pge), "SELECT 1")
	assert.Equal(t, `reading x: ERROR: invalid input syntax for type integer: "…" (SQLSTATE 22P02)`, err.Error())
	var got *pgconn.PgError
	require.True(t, errors.As(err, &got))
	assert.Equal(t, "22P02", got.Code)
	assert.NotContains(t, fmt.Sprintf("%+v", *got), "S3cret")

	raised := cleanError(&pgconn.PgError{Severity: "ERROR", Code: "42P01", Message: "S3cret", Routine: "exec_stmt_raise"})
	assert.NotContains(t, raised.Error(), "S3cret")
	plain := errors.New("no server error")
	assert.Same(t, plain, cleanError(plain))
}

// Whatever the message, the safe form is one line, bounded, valid UTF-8,
// and a quoted value the known texts do not hold never shows.
func FuzzSafeMessage(f *testing.F) {
	f.Add(`invalid input syntax for type integer: `, "hunter2-secret", ``, "SELECT 1")
	f.Add(`value `, "abc\"def", ` is out of range`, "SELECT abc")
	f.Add(`relation `, "sécret\nline", ` does not exist`, "SELECT * FROM t")
	f.Fuzz(func(t *testing.T, prefix, secret, suffix, query string) {
		m := prefix + `"` + secret + `"` + suffix
		out := safeMessage(m, false, query)
		if strings.ContainsAny(out, "\r\n") {
			t.Fatalf("not one line: %q", out)
		}
		if !utf8.ValidString(out) || utf8.RuneCountInString(out) > maxMessageRunes+1 {
			t.Fatalf("not short valid UTF-8: %q", out)
		}
		lower := strings.ToLower
		if len(secret) < 6 || strings.ContainsAny(prefix+suffix, "\"\r\n") ||
			strings.Contains(lower(query), lower(secret)) || strings.Contains(prefix+suffix, secret) {
			return
		}
		if strings.Contains(out, secret) {
			t.Fatalf("the value %q shows in %q", secret, out)
		}
	})
}
