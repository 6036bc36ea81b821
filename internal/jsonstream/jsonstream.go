// Package jsonstream walks a JSON document token by token with
// encoding/json's Decoder, so a report or a load-test summary of any size is
// read in memory bounded by its largest single value, not by the file. The
// report (Jest, pytest, Playwright) and loadtest (k6, Gatling) parsers share
// it, so a truncated or malformed file reads the same in both.
package jsonstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrNotObject is wrapped by Object when the value is not an object.
var ErrNotObject = errors.New("not a JSON object")

// TooDeepError is returned by Skip for a value nested deeper than Max.
type TooDeepError struct{ Max int }

func (e *TooDeepError) Error() string {
	return fmt.Sprintf("JSON nested deeper than %d levels", e.Max)
}

// Err says that a file ended early plainly (wrapping io.ErrUnexpectedEOF)
// and gives the byte offset of a syntax or type error.
func Err(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated JSON: the file ends in the middle of the document; was it written completely? (%w)", io.ErrUnexpectedEOF)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed JSON at byte %d: %w", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("unexpected JSON value at byte %d: field %s is %s, not %s", te.Offset, te.Field, te.Value, te.Type)
	}
	return err
}

// Key reads the next key of an object being walked.
func Key(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", Err(err)
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("JSON: expected an object key, found %v", tok)
	}
	return key, nil
}

// Object reads one object, calling fn with each key; fn must consume the
// value (Decode, Skip or a nested walk). null reads as an object without
// keys. what names the value in errors.
func Object(dec *json.Decoder, what string, fn func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return Err(err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%s: JSON %v where an object should start: %w", what, tok, ErrNotObject)
	}
	return each(dec, '{', fn)
}

// Members calls fn for every element of an array or every value of an
// object (its key passed, "" in an array); fn must consume the value. null
// has none.
func Members(dec *json.Decoder, what string, fn func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return Err(err)
	}
	if tok == nil {
		return nil
	}
	d, ok := tok.(json.Delim)
	if !ok || (d != '[' && d != '{') {
		return fmt.Errorf("%s: %v is neither an array nor an object", what, tok)
	}
	return each(dec, d, fn)
}

// Elements decodes an array one element at a time into fresh values. null
// has none.
func Elements[T any](dec *json.Decoder, what string, fn func(*T) error) error {
	tok, err := dec.Token()
	if err != nil {
		return Err(err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("%s: expected an array, found %v", what, tok)
	}
	return each(dec, '[', func(string) error {
		var v T
		if err := dec.Decode(&v); err != nil {
			return Err(err)
		}
		return fn(&v)
	})
}

// each walks the members of an object or array whose opening d was read,
// and reads its closing delimiter.
func each(dec *json.Decoder, d json.Delim, fn func(key string) error) error {
	for dec.More() {
		var key string
		if d == '{' {
			k, err := Key(dec)
			if err != nil {
				return err
			}
			key = k
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return Err(err)
}

// Skip consumes one JSON value token by token, holding none of it; depth is
// the nesting level of the value, and a value nested deeper than max fails
// with a *TooDeepError (a hostile file cannot make the walk recurse without
// bound).
func Skip(dec *json.Decoder, depth, max int) error {
	tok, err := dec.Token()
	if err != nil {
		return Err(err)
	}
	return SkipRest(dec, tok, depth, max)
}

// SkipRest consumes the rest of a value whose first token was tok.
func SkipRest(dec *json.Decoder, tok json.Token, depth, max int) error {
	d, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar
	}
	if depth >= max {
		return &TooDeepError{Max: max}
	}
	return each(dec, d, func(string) error { return Skip(dec, depth+1, max) })
}

// End reads the end of the input: anything after the document is an error.
func End(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON document")
	}
	return nil
}
