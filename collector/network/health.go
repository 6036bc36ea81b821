package network

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/golive/golive_exporter/collector"
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

// healthResult is what a health answer says. Only a bounded part of it is
// kept (the first components by name), so that its size does not grow with
// the answer's.
type healthResult struct {
	// HasStatus is true when the answer has an overall status.
	HasStatus   bool
	Status      string
	StatusState healthState
	// Components are the first max_components components by name, sorted.
	Components []component
	// Counts is the number of components in each state, all of them.
	Counts [3]int
	// Judged counts the components the verdict looks at, by the state it
	// gives them: ignore_components are left out (Ignored counts them),
	// warn_components that fail count as warning.
	Judged  [3]int
	Ignored int
	// Failed and Warning are the first components by name that the
	// verdict takes as failing and warning, for messages.
	Failed, Warning []component
}

// Total is the number of components found.
func (r healthResult) Total() int { return r.Counts[0] + r.Counts[1] + r.Counts[2] }

// maxComponentDepth bounds how deep (in JSON levels) components are
// followed.
const maxComponentDepth = 16

// maxComponentNameLen bounds a component name used as a label value.
const maxComponentNameLen = 100

// maxValueLen bounds a component's value kept for messages.
const maxValueLen = 64

// maxNamedInMessage is how many failing (and warning) components a message
// names.
const maxNamedInMessage = 10

// errNotJSON says the answer is not JSON at all (e.g. an HTML page served
// by a single-page app's fallback route).
var errNotJSON = errors.New("answer is not JSON")

// parseJSON validates one JSON document (trailing data refused) and returns
// it for reading in place; it says when the answer looks like HTML.
func parseJSON(body []byte, contentType string) (jsonValue, error) {
	trimmed := bytes.Trim(body, " \t\r\n")
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
	// Validation keeps nothing but the nesting state. Only an invalid
	// answer is read again, by Unmarshal into a value that keeps nothing,
	// for the syntax error's text.
	if !json.Valid(trimmed) {
		err := json.Unmarshal(trimmed, new(skipJSON))
		return nil, fmt.Errorf("%w: %v", errNotJSON, err)
	}
	return jsonValue(trimmed), nil
}

// lookupPath follows a parsed JSON path; ok is false when a step is missing.
func lookupPath(v jsonValue, steps []JSONPathStep) (jsonValue, bool) {
	for _, s := range steps {
		var ok bool
		if s.IsIdx {
			v, ok = v.index(s.Index)
		} else {
			v, ok = v.get(s.Key)
		}
		if !ok {
			return nil, false
		}
	}
	return v, true
}

// jsonText renders a JSON value as the text conditions compare against:
// strings bare, numbers, true, false and null in their JSON spelling,
// objects and arrays as compact JSON.
func jsonText(v jsonValue) string { return v.text() }

// classifier maps health values to states.
type classifier struct {
	values map[string]healthState
	other  healthState
}

func newClassifier(h *HealthCondition) classifier {
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

// lookupRaw finds a string value in the vocabularies; scratch is reused
// for case folding so that plain ASCII values cost no allocation.
func (c classifier) lookupRaw(v jsonValue, scratch *[]byte) (healthState, bool) {
	inner, plain := v.plainString()
	if !plain || !isASCII(inner) {
		s, ok := c.values[strings.ToLower(strings.TrimSpace(v.str()))]
		return s, ok
	}
	*scratch = lowerASCII(*scratch, bytes.TrimSpace(inner))
	s, ok := c.values[string(*scratch)]
	return s, ok
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func boolState(b bool) healthState {
	if b {
		return stateOK
	}
	return stateFailed
}

func jsonKind(v jsonValue) string { return v.kind() }

// healthEnvelopes are where APIs wrap a health answer, in the order they
// are tried: an error envelope ({"success": false, "error": {"code": ...,
// "message": ..., "details": {...}}}, the seed application's on 503),
// FastAPI's HTTPException body ({"detail": {...}}) and a success envelope
// ({"success": true, "data": {...}}).
var healthEnvelopes = [][]JSONPathStep{
	{{Key: "error"}, {Key: "details"}},
	{{Key: "error"}, {Key: "detail"}},
	{{Key: "detail"}},
	{{Key: "data"}},
	{{Key: "error"}},
}

// defaultContainers are where components are looked for, the first that is
// an object.
var defaultContainers = []string{"checks", "components", "details"}

// locateHealth finds the health answer in the document: the root when it
// has a status or a component container, else the first envelope member
// that has one; the root when none has.
func locateHealth(root jsonValue, statusSteps, componentSteps []JSONPathStep, hasComponentPath bool) jsonValue {
	looksLikeHealth := func(v jsonValue) bool {
		if s, ok := lookupPath(v, statusSteps); ok && (s.isString() || s.isBool()) {
			return true
		}
		if hasComponentPath {
			c, ok := lookupPath(v, componentSteps)
			return ok && c.isObject()
		}
		for _, k := range defaultContainers {
			if c, ok := v.get(k); ok && c.isObject() {
				return true
			}
		}
		return false
	}
	if looksLikeHealth(root) {
		return root
	}
	for _, env := range healthEnvelopes {
		if v, ok := lookupPath(root, env); ok && v.isObject() && looksLikeHealth(v) {
			return v
		}
	}
	return root
}

// evaluateHealth reads a health answer, found at the root or inside an
// envelope (locateHealth). Components come from the configured container,
// else from the first of checks, components, details that is an object,
// else from the root (Spring Boot 1.x flattens them there). A component is
// a string value, a boolean, or an object with a status; objects with a
// status may nest further components; an object without a status inside a
// container groups components.
func evaluateHealth(doc jsonValue, h *HealthCondition) (healthResult, error) {
	var res healthResult
	if !doc.isObject() {
		return res, fmt.Errorf("the answer is JSON but not an object (it is %s); a health answer is an object such as {\"status\":\"ok\"}", jsonKind(doc))
	}
	w := newHealthWalker(h)
	statusSteps, _ := ParseJSONPath(h.StatusPath)
	componentSteps, _ := ParseJSONPath(h.Components)
	doc = locateHealth(doc, statusSteps, componentSteps, h.Components != "")
	if v, ok := lookupPath(doc, statusSteps); ok {
		switch {
		case v.isString():
			res.HasStatus, res.Status, res.StatusState = true, v.str(), w.cl.classify(v.str())
		case v.isBool():
			res.HasStatus, res.Status, res.StatusState = true, jsonText(v), boolState(v.boolValue())
		}
	}
	if len(statusSteps) == 1 && !statusSteps[0].IsIdx {
		w.statusKey = statusSteps[0].Key
	}
	if h.Components != "" {
		v, ok := lookupPath(doc, componentSteps)
		if !ok {
			return res, fmt.Errorf("the answer has no %s; set health.components to where the components are", h.Components)
		}
		if !v.isObject() {
			return res, fmt.Errorf("%s is %s, not an object of components", h.Components, jsonKind(v))
		}
		w.container(v, 0)
	} else {
		found := false
		for _, k := range defaultContainers {
			if v, ok := doc.get(k); ok && v.isObject() {
				if k == "details" {
					w.details(v, 0)
				} else {
					w.container(v, 0)
				}
				found = true
				break
			}
		}
		if !found {
			w.rootMembers(doc)
		}
	}
	res.Components = w.series.items
	res.Counts, res.Judged, res.Ignored = w.counts, w.judged, w.ignored
	res.Failed, res.Warning = w.failed.items, w.warning.items
	return res, nil
}

// componentPolicy is how the verdict treats components, by name: a name
// covers itself and the components nested in it.
type componentPolicy struct {
	ignore, warn map[string]bool
}

type policyAction int

const (
	policyJudge policyAction = iota
	policyIgnore
	policyWarn
)

func newComponentPolicy(h *HealthCondition) componentPolicy {
	p := componentPolicy{ignore: map[string]bool{}, warn: map[string]bool{}}
	for _, n := range h.IgnoreComponents {
		p.ignore[n] = true
	}
	for _, n := range h.WarnComponents {
		p.warn[n] = true
	}
	return p
}

// of returns the action for a component's full name; the outermost named
// component decides. Map lookups by string(bytes) do not allocate.
func (p componentPolicy) of(name []byte) policyAction {
	if len(p.ignore) == 0 && len(p.warn) == 0 {
		return policyJudge
	}
	lookup := func(n []byte) policyAction {
		switch {
		case p.ignore[string(n)]:
			return policyIgnore
		case p.warn[string(n)]:
			return policyWarn
		}
		return policyJudge
	}
	for i, c := range name {
		if c == '.' || c == '[' {
			if a := lookup(name[:i]); a != policyJudge {
				return a
			}
		}
	}
	return lookup(name)
}

// healthWalker walks a health answer's components. The name of the
// component at hand is built in one reused buffer, and only the components
// kept for series and messages become strings: the walk allocates in
// proportion to what it keeps, not to the answer.
type healthWalker struct {
	cl        classifier
	policy    componentPolicy
	statusKey string
	name      []byte
	scratch   []byte
	counts    [3]int
	judged    [3]int
	ignored   int
	series    firstNames
	failed    firstNames
	warning   firstNames
}

func newHealthWalker(h *HealthCondition) *healthWalker {
	return &healthWalker{
		cl:      newClassifier(h),
		policy:  newComponentPolicy(h),
		series:  firstNames{max: h.MaxComponents},
		failed:  firstNames{max: maxNamedInMessage},
		warning: firstNames{max: maxNamedInMessage},
	}
}

// push appends the decoded key to the current name and returns the length
// to pop back to.
func (w *healthWalker) push(key jsonValue) int {
	n := len(w.name)
	if n > 0 {
		w.name = append(w.name, '.')
	}
	if inner, ok := key.plainString(); ok {
		w.name = append(w.name, inner...)
	} else {
		w.name = append(w.name, key.str()...)
	}
	return n
}

func (w *healthWalker) pop(n int) { w.name = w.name[:n] }

// add records the current name as a component with this value (nil when
// it has none) and state. Its series shows the state the answer gives; the
// verdict applies the policy.
func (w *healthWalker) add(value jsonValue, st healthState) {
	w.counts[st]++
	name := cutUTF8Bytes(w.name, maxComponentNameLen)
	w.series.offer(name, value, st)
	switch w.policy.of(w.name) {
	case policyIgnore:
		w.ignored++
		return
	case policyWarn:
		st = min(st, stateWarning)
	}
	w.judged[st]++
	switch st {
	case stateFailed:
		w.failed.offer(name, value, st)
	case stateWarning:
		w.warning.offer(name, value, st)
	}
}

// stringState classifies a string member's value.
func (w *healthWalker) stringState(v jsonValue) healthState {
	if s, ok := w.cl.lookupRaw(v, &w.scratch); ok {
		return s
	}
	return w.cl.other
}

// statusState classifies a status member of any JSON type.
func (w *healthWalker) statusState(v jsonValue) healthState {
	switch {
	case v.isString():
		return w.stringState(v)
	case v.isBool():
		return boolState(v.boolValue())
	}
	return w.cl.other
}

// rootMembers reads components flattened into the root (Spring Boot 1.x,
// Grafana's {"database":"ok"}) the way details are read; the overall
// status is not one of them.
func (w *healthWalker) rootMembers(root jsonValue) {
	w.loose(root, 0, w.statusKey)
}

// details reads a details object (Spring Boot 2.0 and 2.1 nest components
// there, at the top and inside composite components), where plain details
// sit beside components.
func (w *healthWalker) details(obj jsonValue, depth int) { w.loose(obj, depth, "") }

// loose reads an object that mixes components with plain values: objects
// with a status are components, and so are strings whose value is a known
// health value; other strings ("info": "Hello", "database": "PostgreSQL"),
// booleans ("exists": true), numbers and objects without a status are
// details, not components. A status member is a detail too (Spring Boot's
// Elasticsearch indicator reports the cluster's "status": "yellow" in its
// details); skip names one more member not to read (the overall status at
// the root, when status_path is another key).
func (w *healthWalker) loose(obj jsonValue, depth int, skip string) {
	if depth > maxComponentDepth {
		return
	}
	obj.members(func(k, v jsonValue) bool {
		if keyIs(k, "status") || (skip != "" && keyIs(k, skip)) {
			return true
		}
		switch {
		case v.isString():
			if st, ok := w.cl.lookupRaw(v, &w.scratch); ok {
				n := w.push(k)
				w.add(v, st)
				w.pop(n)
			}
		case v.isObject():
			n := w.push(k)
			w.object(v, true, depth+1)
			w.pop(n)
		}
		return true
	})
}

// container reads the members of a component container.
func (w *healthWalker) container(obj jsonValue, depth int) {
	if depth > maxComponentDepth {
		return
	}
	obj.members(func(k, v jsonValue) bool {
		n := w.push(k)
		switch {
		case v.isString():
			w.add(v, w.stringState(v))
		case v.isBool():
			w.add(v, boolState(v.boolValue()))
		case v.isObject():
			w.object(v, false, depth+1)
		case v.isArray():
			// IETF health+json: "checks": {"db:responseTime": [{"status":"pass"}, ...]}.
			w.array(v, depth+1)
		}
		w.pop(n)
		return true
	})
}

// array reads a list of component objects; each needs a status.
func (w *healthWalker) array(items jsonValue, depth int) {
	withStatus := 0
	items.elements(func(_ int, it jsonValue) bool {
		if _, has := it.get("status"); has {
			withStatus++
		}
		return true
	})
	items.elements(func(i int, it jsonValue) bool {
		if _, has := it.get("status"); !has {
			return true
		}
		n := len(w.name)
		if withStatus > 1 {
			w.name = fmt.Appendf(w.name, "[%d]", i)
		}
		w.object(it, true, depth)
		w.pop(n)
		return true
	})
}

// object reads one object member: a component when it has a status, else
// (outside nested components) a group of components.
func (w *healthWalker) object(v jsonValue, nested bool, depth int) {
	if depth > maxComponentDepth {
		return
	}
	if st, ok := v.get("status"); ok {
		w.add(st, w.statusState(st))
		v.members(func(k, sub jsonValue) bool {
			if !sub.isObject() || keyIs(k, "status") {
				return true
			}
			// Nested containers' members are named after the component,
			// not after the container key: broker.us1 for Spring Boot's
			// {"broker": {"components": {"us1": ...}}} (2.2+) and
			// {"broker": {"details": {"us1": ...}}} (2.0, 2.1) alike.
			switch {
			case keyIs(k, "components"), keyIs(k, "checks"):
				w.container(sub, depth+1)
			case keyIs(k, "details"):
				w.details(sub, depth+1)
			default:
				if _, has := sub.get("status"); has {
					n := w.push(k)
					w.object(sub, true, depth+1)
					w.pop(n)
				}
			}
			return true
		})
		return
	}
	if nested {
		return
	}
	before := w.counts
	w.container(v, depth+1)
	if w.counts == before {
		// An object with nothing health-like in it: say so rather than
		// dropping the member silently.
		w.add(nil, w.cl.other)
	}
}

// firstNames keeps the components whose names sort first, at most max of
// them, sorted: which components become series does not depend on the
// answer's order, and memory does not grow with the answer. A name offered
// twice (two keys that cut to the same label, or "a.b" beside a: {b}) is
// kept once, in its worse state, so that no series is written twice.
type firstNames struct {
	max   int
	items []component
}

func (f *firstNames) offer(name []byte, value jsonValue, st healthState) {
	if f.max <= 0 {
		return
	}
	if len(f.items) == f.max && string(name) > f.items[len(f.items)-1].Name {
		return
	}
	lo, hi := 0, len(f.items)
	for lo < hi {
		mid := (lo + hi) / 2
		if f.items[mid].Name < string(name) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(f.items) && f.items[lo].Name == string(name) {
		if st > f.items[lo].State {
			f.items[lo].State, f.items[lo].Value = st, valueText(value)
		}
		return
	}
	if len(f.items) == f.max {
		f.items = f.items[:len(f.items)-1]
	}
	f.items = append(f.items, component{})
	copy(f.items[lo+1:], f.items[lo:])
	f.items[lo] = component{Name: string(name), Value: valueText(value), State: st}
}

// valueText is a component's value for messages, cut short.
func valueText(v jsonValue) string {
	if v == nil {
		return ""
	}
	return collector.CutUTF8(v.text(), maxValueLen)
}

// cutUTF8Bytes cuts b to at most n bytes between characters.
func cutUTF8Bytes(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:n]
}
