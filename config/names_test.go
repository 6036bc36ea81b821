package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateEntryName(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  string // the problem of the last name, "" for none
	}{
		{"good", []string{"students"}, ""},
		{"empty", []string{""}, `endpoint has no name; add name: (letters, digits, _ . -), it becomes the endpoint label`},
		{"not short", []string{"a b"}, `endpoint name "a b" is not a short label; use letters, digits, _ . - (at most 63), e.g. students`},
		{"too long", []string{string(make([]byte, 64))}, "is not a short label"},
		{"twice", []string{"students", "students"}, `endpoint name "students" is used twice; give each endpoint its own name`},
		{"two names", []string{"students", "courses"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewProblems(&Config{})
			seen := map[string]bool{}
			for _, n := range tt.names {
				ValidateEntryName("x.name", "endpoint", n, "students", seen, p)
			}
			if tt.want == "" {
				require.NoError(t, p.Err())
				return
			}
			require.Error(t, p.Err())
			assert.Contains(t, p.Err().Error(), tt.want)
		})
	}
}
