package network

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// jsonValue is one value of a JSON document that parseJSON has validated:
// its bytes, without surrounding white space. Reading it walks those bytes
// and allocates only the strings asked for, so a large answer costs its own
// size and no tree of Go values (decoding 48 MB into map[string]any took
// 700-900 MB).
type jsonValue []byte

// skipJSON validates a document through json.Unmarshal without keeping
// anything of it.
type skipJSON struct{}

func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

func (v jsonValue) isObject() bool { return len(v) > 0 && v[0] == '{' }
func (v jsonValue) isArray() bool  { return len(v) > 0 && v[0] == '[' }
func (v jsonValue) isString() bool { return len(v) > 0 && v[0] == '"' }
func (v jsonValue) isBool() bool   { return len(v) > 0 && (v[0] == 't' || v[0] == 'f') }
func (v jsonValue) isNull() bool   { return len(v) > 0 && v[0] == 'n' }
func (v jsonValue) isNumber() bool {
	return len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))
}

// boolValue is true for the literal true.
func (v jsonValue) boolValue() bool { return len(v) > 0 && v[0] == 't' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the string that starts at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the value that starts at b[i]. The
// document is valid, so brackets balance outside strings; no recursion, so
// deep nesting costs no stack.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && !isSpace(b[j]) {
		j++
	}
	return j
}

// members calls fn with each member of an object, in the answer's order,
// until fn returns false. key is the raw (quoted) key.
func (v jsonValue) members(fn func(key, val jsonValue) bool) {
	if !v.isObject() {
		return
	}
	i := skipSpace(v, 1)
	for i < len(v) && v[i] == '"' {
		ke := stringEnd(v, i)
		key := v[i:ke]
		i = skipSpace(v, ke) // at ':'
		i = skipSpace(v, i+1)
		ve := valueEnd(v, i)
		if !fn(key, v[i:ve]) {
			return
		}
		i = skipSpace(v, ve)
		if i < len(v) && v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
}

// elements calls fn with each element of an array until fn returns false.
func (v jsonValue) elements(fn func(i int, val jsonValue) bool) {
	if !v.isArray() {
		return
	}
	i := skipSpace(v, 1)
	for n := 0; i < len(v) && v[i] != ']'; n++ {
		ve := valueEnd(v, i)
		if !fn(n, v[i:ve]) {
			return
		}
		i = skipSpace(v, ve)
		if i < len(v) && v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
}

// plainString returns the bytes between the quotes of a string that needs
// no decoding (no escapes, valid UTF-8); ok is false otherwise.
func (v jsonValue) plainString() ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' {
		return nil, false
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') >= 0 || !utf8.Valid(inner) {
		return nil, false
	}
	return inner, true
}

// str decodes a string value the way encoding/json does (escapes undone,
// invalid UTF-8 replaced); "" for other kinds.
func (v jsonValue) str() string {
	if inner, ok := v.plainString(); ok {
		return string(inner)
	}
	var s string
	if v.isString() && json.Unmarshal(v, &s) == nil {
		return s
	}
	return ""
}

// keyIs reports whether the raw key k decodes to want, without allocating
// for plain keys.
func keyIs(k jsonValue, want string) bool {
	if inner, ok := k.plainString(); ok {
		return string(inner) == want
	}
	return k.str() == want
}

// get returns the member named key; like encoding/json, the last of
// duplicate keys wins.
func (v jsonValue) get(key string) (jsonValue, bool) {
	var found jsonValue
	ok := false
	v.members(func(k, val jsonValue) bool {
		if keyIs(k, key) {
			found, ok = val, true
		}
		return true
	})
	return found, ok
}

// index returns the n-th element of an array.
func (v jsonValue) index(n int) (jsonValue, bool) {
	var found jsonValue
	ok := false
	v.elements(func(i int, val jsonValue) bool {
		if i == n {
			found, ok = val, true
			return false
		}
		return true
	})
	return found, ok
}

// text renders the value as conditions compare it: strings decoded,
// numbers, true, false and null in their JSON spelling, objects and arrays
// as compact JSON (members in the answer's order).
func (v jsonValue) text() string {
	switch {
	case v.isString():
		return v.str()
	case v.isObject(), v.isArray():
		var b bytes.Buffer
		b.Grow(len(v))
		if err := json.Compact(&b, v); err != nil {
			return string(v)
		}
		return b.String()
	}
	return string(v)
}

// kind names the value's JSON type for messages.
func (v jsonValue) kind() string {
	switch {
	case v.isObject():
		return "an object"
	case v.isArray():
		return "an array"
	case v.isString():
		return "a string"
	case v.isBool():
		return "a boolean"
	case v.isNull():
		return "null"
	case v.isNumber():
		return "a number"
	}
	return "unknown"
}

// lowerASCII writes b lower-cased (ASCII letters only) into buf and returns
// it; health vocabularies are compared case-insensitively.
func lowerASCII(buf, b []byte) []byte {
	buf = buf[:0]
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}
