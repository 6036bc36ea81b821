package database

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
)

// maxMessageRunes bounds the server's message in a check's message.
const maxMessageRunes = 200

// redacted stands in for a quoted value the configuration does not hold.
const redacted = `"…"`

// safeMessage returns PostgreSQL's message m in a short, single-line form
// that shows no data: only its first line, at most maxMessageRunes, no
// control characters, and its quoted part (PostgreSQL quotes the values
// and names it reports) kept only when one of the known texts (the
// configured query, the target's DSN) contains it, as a table or column
// name the configuration wrote does. Otherwise everything from the first
// quote to the last becomes "…": a value read from a row or a file, and
// any message with several quoted parts, since a value with quotes of its
// own would make pairs that are not. raised marks a message the query
// itself wrote (PL/pgSQL RAISE or ASSERT), which is never shown.
func safeMessage(m string, raised bool, known ...string) string {
	if raised {
		return "the query raised an error of its own (its text is not shown)"
	}
	if i := strings.IndexAny(m, "\r\n"); i >= 0 {
		m = m[:i]
	}
	m = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return -1
		}
		return r
	}, m)
	if first := strings.IndexByte(m, '"'); first >= 0 {
		last := strings.LastIndexByte(m, '"')
		switch {
		case last == first:
			m = m[:first] + redacted // an unpaired quote: the rest may be data
		case strings.Count(m, `"`) != 2 || !knownText(m[first+1:last], known):
			m = m[:first] + redacted + m[last+1:]
		}
	}
	if utf8.RuneCountInString(m) > maxMessageRunes {
		m = string([]rune(m)[:maxMessageRunes]) + "…"
	}
	return m
}

// knownText reports whether one of the known texts contains part,
// case-insensitively (PostgreSQL folds unquoted names to lower case).
func knownText(part string, known []string) bool {
	part = strings.ToLower(part)
	for _, k := range known {
		if strings.Contains(strings.ToLower(k), part) {
			return true
		}
	}
	return false
}

// raisedByQuery reports whether a PostgreSQL error was written by the
// query itself: PL/pgSQL's RAISE or ASSERT, or an error of class P0.
func raisedByQuery(e *pgconn.PgError) bool {
	return strings.HasPrefix(e.Code, "P0") || e.Routine == "exec_stmt_raise" || e.Routine == "exec_stmt_assert"
}

// cleanPgError is an error whose text had PostgreSQL's message replaced by
// its safe form; it unwraps to a copy of the PgError carrying only that
// form (no detail, hint or context), so that its code can be classified.
type cleanPgError struct {
	msg string
	pge *pgconn.PgError
}

func (e *cleanPgError) Error() string { return e.msg }
func (e *cleanPgError) Unwrap() error { return e.pge }

// cleanError returns err with the PostgreSQL error in it, if any, cut to
// its safe form (see safeMessage): err's own text keeps its context, the
// server's message is replaced.
func cleanError(err error, known ...string) error {
	var pge *pgconn.PgError
	if !errors.As(err, &pge) {
		return err
	}
	clean := &pgconn.PgError{
		Severity:            pge.Severity,
		SeverityUnlocalized: pge.SeverityUnlocalized,
		Code:                pge.Code,
		Message:             safeMessage(pge.Message, raisedByQuery(pge), known...),
	}
	text := err.Error()
	if full := pge.Error(); strings.Contains(text, full) {
		text = strings.Replace(text, full, clean.Error(), 1)
	} else {
		text = clean.Error()
	}
	return &cleanPgError{msg: text, pge: clean}
}
