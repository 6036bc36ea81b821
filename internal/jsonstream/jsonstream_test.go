package jsonstream

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestObjectWalksKeysAndSkips(t *testing.T) {
	dec := json.NewDecoder(strings.NewReader(`{"a": 1, "skip": {"x": [1, {"y": null}]}, "list": [{"n": 2}, {"n": 3}], "m": {"k1": 4, "k2": 5}}`))
	var keys, members []string
	sum := 0
	err := Object(dec, "doc", func(key string) error {
		keys = append(keys, key)
		switch key {
		case "a":
			var v int
			return dec.Decode(&v)
		case "list":
			return Elements(dec, key, func(v *struct{ N int }) error { sum += v.N; return nil })
		case "m":
			return Members(dec, key, func(k string) error {
				members = append(members, k)
				return Skip(dec, 2, 10)
			})
		}
		return Skip(dec, 1, 10)
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "skip", "list", "m"}, keys)
	assert.Equal(t, []string{"k1", "k2"}, members)
	assert.Equal(t, 5, sum)
	require.NoError(t, End(dec))
}

func TestNullHasNoMembers(t *testing.T) {
	for _, walk := range []func(*json.Decoder) error{
		func(d *json.Decoder) error {
			return Object(d, "x", func(string) error { return errors.New("called") })
		},
		func(d *json.Decoder) error {
			return Members(d, "x", func(string) error { return errors.New("called") })
		},
		func(d *json.Decoder) error {
			return Elements(d, "x", func(*int) error { return errors.New("called") })
		},
	} {
		assert.NoError(t, walk(json.NewDecoder(strings.NewReader(`null`))))
	}
}

func TestErrors(t *testing.T) {
	obj := func(in string) error {
		dec := json.NewDecoder(strings.NewReader(in))
		return Object(dec, "doc", func(string) error { return Skip(dec, 1, 4) })
	}
	err := obj(`{"a": [1, 2`)
	require.Error(t, err)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "truncated JSON")

	err = obj(`[1]`)
	assert.ErrorIs(t, err, ErrNotObject)
	assert.Contains(t, err.Error(), "doc: JSON [ where an object should start")

	err = obj(`{"a": [[[[[1]]]]]}`)
	var deep *TooDeepError
	require.ErrorAs(t, err, &deep)
	assert.Equal(t, 4, deep.Max)
	assert.NoError(t, obj(`{"a": [[[1]]]}`), "depth 4 is allowed")

	err = obj(`{"a": tru}`)
	assert.Contains(t, err.Error(), "malformed JSON at byte")

	dec := json.NewDecoder(strings.NewReader(`[1, "x"]`))
	err = Elements(dec, "nums", func(*int) error { return nil })
	assert.Contains(t, err.Error(), "unexpected JSON value at byte")

	dec = json.NewDecoder(strings.NewReader(`{} {}`))
	require.NoError(t, Object(dec, "doc", func(string) error { return nil }))
	assert.Error(t, End(dec))

	assert.Contains(t, Members(json.NewDecoder(strings.NewReader(`3`)), "groups", nil).Error(), "groups: 3 is neither an array nor an object")
}
