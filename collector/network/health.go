package network

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/golive/golive_exporter/collector"
	"github.com/golive/golive_exporter/config"
)

// healthState is the tri-state every health value maps to.
type healthState int

const (
	stateOK healthState = iota
	stateWarning
	stateFailed
)

var stateNames = [...]string{"ok", "warning", "failed"}

func (s healthState) String() string { return stateNames[s] }

// component is one member of a health answer, e.g. checks.database.
type component struct {
	Name  string
	Value string
	State healthState
}

// healthResult is what a health answer says.
type healthResult struct {
	// HasStatus is true when the answer has an overall status.
	HasStatus   bool
	Status      string
	StatusState healthState
	// Components are every component found, in a stable order.
	Components []component
	// Counts is the number of components in each state.
	Counts [3]int
}

// maxComponentDepth bounds how deep nested components are followed.
const maxComponentDepth = 8

// maxComponentNameLen bounds a component name used as a label value.
const maxComponentNameLen = 100

// errNotJSON says the answer is not JSON at all (e.g. an HTML page served
// by a single-page app's fallback route).
var errNotJSON = errors.New("answer is not JSON")

// parseJSON decodes one JSON document, numbers kept as text. It refuses
// trailing data, and says when the answer looks like HTML.
func parseJSON(body []byte, contentType string) (any, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: the answer is empty", errNotJSON)
	}
	if trimmed[0] == '<' {
		ct := contentType
		if ct == "" {
			ct = "none"
		}
		return nil, fmt.Errorf("%w: it looks like an HTML page (Content-Type %s), e.g. a web app's fallback route; point the check at the API's health path", errNotJSON, ct)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", errNotJSON, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON value", errNotJSON)
	}
	return v, nil
}

// lookupPath follows a parsed JSON path; ok is false when a step is missing.
func lookupPath(v any, steps []config.JSONPathStep) (any, bool) {
	for _, s := range steps {
		if s.IsIdx {
			arr, ok := v.([]any)
			if !ok || s.Index >= len(arr) {
				return nil, false
			}
			v = arr[s.Index]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[s.Key]; !ok {
			return nil, false
		}
	}
	return v, true
}

// jsonText renders a JSON value as the text conditions compare against:
// strings bare, numbers, true, false and null in their JSON spelling,
// objects and arrays as compact JSON.
func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

// classifier maps health values to states.
type classifier struct {
	values map[string]healthState
	other  healthState
}

func newClassifier(h *config.HealthCondition) classifier {
	c := classifier{values: map[string]healthState{}}
	for _, v := range h.FailingValues {
		c.values[strings.ToLower(v)] = stateFailed
	}
	for _, v := range h.WarningValues {
		c.values[strings.ToLower(v)] = stateWarning
	}
	for _, v := range h.HealthyValues {
		c.values[strings.ToLower(v)] = stateOK
	}
	switch h.Other {
	case "fail":
		c.other = stateFailed
	case "ok":
		c.other = stateOK
	default:
		c.other = stateWarning
	}
	return c
}

func (c classifier) classify(v string) healthState {
	if s, ok := c.values[strings.ToLower(strings.TrimSpace(v))]; ok {
		return s
	}
	return c.other
}

// known reports whether v is in one of the configured vocabularies.
func (c classifier) known(v string) bool {
	_, ok := c.values[strings.ToLower(strings.TrimSpace(v))]
	return ok
}

// evaluateHealth reads a parsed health answer. Components come from the
// configured container, else from the first of checks, components, details
// that is an object, else from the root (Spring Boot 1.x flattens them
// there). A component is a string value, a boolean, or an object with a
// status; objects with a status may nest further components; an object
// without a status inside a container groups components.
func evaluateHealth(doc any, h *config.HealthCondition) (healthResult, error) {
	cl := newClassifier(h)
	var res healthResult
	root, isObj := doc.(map[string]any)
	if !isObj {
		return res, fmt.Errorf("the answer is JSON but not an object (it is %s); a health answer is an object such as {\"status\":\"ok\"}", jsonKind(doc))
	}
	statusSteps, _ := config.ParseJSONPath(h.StatusPath)
	if v, ok := lookupPath(root, statusSteps); ok {
		switch x := v.(type) {
		case string:
			res.HasStatus, res.Status, res.StatusState = true, x, cl.classify(x)
		case bool:
			res.HasStatus, res.Status, res.StatusState = true, jsonText(x), boolState(x)
		}
	}
	c := &collectState{cl: cl, statusKey: ""}
	if len(statusSteps) == 1 && !statusSteps[0].IsIdx {
		c.statusKey = statusSteps[0].Key
	}
	if h.Components != "" {
		steps, _ := config.ParseJSONPath(h.Components)
		v, ok := lookupPath(root, steps)
		if !ok {
			return res, fmt.Errorf("the answer has no %s; set health.components to where the components are", h.Components)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return res, fmt.Errorf("%s is %s, not an object of components", h.Components, jsonKind(v))
		}
		c.collect("", obj, false, 0)
	} else {
		found := false
		for _, k := range []string{"checks", "components", "details"} {
			if obj, ok := root[k].(map[string]any); ok {
				c.collect("", obj, false, 0)
				found = true
				break
			}
		}
		if !found {
			c.rootMembers(root)
		}
	}
	res.Components = c.out
	for _, comp := range c.out {
		res.Counts[comp.State]++
	}
	return res, nil
}

func boolState(b bool) healthState {
	if b {
		return stateOK
	}
	return stateFailed
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "unknown"
}

type collectState struct {
	cl        classifier
	statusKey string
	out       []component
}

func (c *collectState) add(name, value string, st healthState) {
	c.out = append(c.out, component{Name: collector.CutUTF8(name, maxComponentNameLen), Value: value, State: st})
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// rootMembers reads components flattened into the root: objects with a
// status, and string members whose value is a known health value (Grafana's
// {"database":"ok"}); other strings (version, commit) are not components.
func (c *collectState) rootMembers(root map[string]any) {
	for _, k := range sortedKeys(root) {
		if k == c.statusKey {
			continue
		}
		switch v := root[k].(type) {
		case string:
			if c.cl.known(v) {
				c.add(k, v, c.cl.classify(v))
			}
		case map[string]any:
			c.object(k, v, true, 1)
		}
	}
}

// collect reads the members of a component container. In nested mode
// (inside a component that has its own status) only objects with a status
// and further containers count, so that details such as
// {"database":"PostgreSQL"} are not taken for components.
func (c *collectState) collect(prefix string, obj map[string]any, nested bool, depth int) {
	if depth > maxComponentDepth {
		return
	}
	for _, k := range sortedKeys(obj) {
		name := join(prefix, k)
		switch v := obj[k].(type) {
		case string:
			if !nested {
				c.add(name, v, c.cl.classify(v))
			}
		case bool:
			if !nested {
				c.add(name, jsonText(v), boolState(v))
			}
		case map[string]any:
			c.object(name, v, nested, depth+1)
		case []any:
			// IETF health+json: "checks": {"db:responseTime": [{"status":"pass"}, ...]}.
			if !nested {
				c.array(name, v, depth+1)
			}
		}
	}
}

// array reads a list of component objects; each needs a status.
func (c *collectState) array(name string, items []any, depth int) {
	for i, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			continue
		}
		if _, has := obj["status"]; !has {
			continue
		}
		n := name
		if len(items) > 1 {
			n = fmt.Sprintf("%s[%d]", name, i)
		}
		c.object(n, obj, true, depth)
	}
}

// object reads one object member: a component when it has a status, else a
// group of components.
func (c *collectState) object(name string, v map[string]any, nested bool, depth int) {
	if depth > maxComponentDepth {
		return
	}
	if st, ok := v["status"]; ok {
		switch x := st.(type) {
		case string:
			c.add(name, x, c.cl.classify(x))
		case bool:
			c.add(name, jsonText(x), boolState(x))
		default:
			c.add(name, jsonText(x), c.cl.other)
		}
		for _, k := range sortedKeys(v) {
			sub, isObj := v[k].(map[string]any)
			if !isObj {
				continue
			}
			switch k {
			case "components", "checks":
				// Spring Boot groups: the group's members are named
				// after the group, not after the container key.
				c.collect(name, sub, false, depth+1)
			default:
				if _, has := sub["status"]; has {
					c.object(join(name, k), sub, true, depth+1)
				}
			}
		}
		return
	}
	if nested {
		return
	}
	before := len(c.out)
	c.collect(name, v, false, depth+1)
	if len(c.out) == before {
		// An object with nothing health-like in it: say so rather than
		// dropping the member silently.
		c.add(name, "", c.cl.other)
	}
}
