// Package schemagen writes JSON Schemas from the Go types that define a
// file format: the configuration file (YAML keys from yaml tags) and the
// output of `check --output=json` (keys from json tags).
//
// It is a small reflection walker rather than a general library (such as
// invopop/jsonschema) because the schema must follow the loader's own
// rules, which such libraries do not know: yaml tags with ",inline", the
// strict loader's "no unknown key" (additionalProperties: false
// everywhere), the types that unmarshal themselves from another shape
// (durations, sizes, "health: true" or a mapping), exactly one kind key
// per check; and the field comments of the Go source become the
// descriptions editors show. A type that unmarshals itself and that it
// does not know stops the generation with a message naming it, rather than
// producing a schema that refuses valid files.
//
// Regenerate the committed schemas with `make generate` (go generate
// ./internal/schemagen); a test fails while they are stale.
package schemagen

//go:generate go run ./gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/golive/golive_exporter/checklist"
	"github.com/golive/golive_exporter/collector"
	_ "github.com/golive/golive_exporter/collector/all" // every kind's settings, from the registry
	"github.com/golive/golive_exporter/collector/network"
	"github.com/golive/golive_exporter/config"
)

// Schema is one JSON Schema (draft-07) node. Fields are written in this
// order; properties and definitions by name, so the output is stable.
type Schema struct {
	Schema               string             `json:"$schema,omitempty"`
	ID                   string             `json:"$id,omitempty"`
	Ref                  string             `json:"$ref,omitempty"`
	Title                string             `json:"title,omitempty"`
	Description          string             `json:"description,omitempty"`
	Type                 any                `json:"type,omitempty"`
	Const                any                `json:"const,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
	MinLength            int                `json:"minLength,omitempty"`
	Pattern              string             `json:"pattern,omitempty"`
	Format               string             `json:"format,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	AdditionalProperties any                `json:"additionalProperties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AllOf                []*Schema          `json:"allOf,omitempty"`
	AnyOf                []*Schema          `json:"anyOf,omitempty"`
	OneOf                []*Schema          `json:"oneOf,omitempty"`
	Definitions          map[string]*Schema `json:"definitions,omitempty"`
}

// Published addresses of the schemas (the files in docs/ of the main
// branch), for editors outside a checkout of the repository.
const (
	ConfigSchemaURL      = "https://raw.githubusercontent.com/golive/golive_exporter/main/docs/golive.schema.json"
	CheckOutputSchemaURL = "https://raw.githubusercontent.com/golive/golive_exporter/main/docs/check-output.schema.json"
)

// Files are the committed schema files, relative to the repository root,
// and how each is made.
var Files = map[string]func(root string) ([]byte, error){
	"docs/golive.schema.json":       ConfigSchema,
	"docs/check-output.schema.json": CheckOutputSchema,
}

// durationPattern is a Prometheus duration (model.ParseDuration).
const durationPattern = `^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$`

func ptr(f float64) *float64 { return &f }

// configShapes are the types of the configuration that unmarshal
// themselves from another YAML shape than their Go fields.
func configShapes(object func(reflect.Type) *Schema) map[reflect.Type]func() *Schema {
	return map[reflect.Type]func() *Schema{
		reflect.TypeFor[model.Duration](): func() *Schema {
			return &Schema{Description: "a duration such as 500ms, 30s, 5m, 1h or 7d", AnyOf: []*Schema{
				{Type: "string", MinLength: 1, Pattern: durationPattern}, {Type: "integer", Enum: []any{0}}}}
		},
		reflect.TypeFor[config.Offset](): func() *Schema {
			return &Schema{Description: "a signed duration such as -14d, 0s or 24h", AnyOf: []*Schema{
				{Type: "string", MinLength: 1, Pattern: `^[+-]?` + durationPattern[1:]}, {Type: "integer", Enum: []any{0}}}}
		},
		reflect.TypeFor[config.ByteSize](): func() *Schema {
			return &Schema{Description: "a size such as 64MiB or 500KB, or a number of bytes", AnyOf: []*Schema{
				{Type: "string", Pattern: `^\s*[0-9.]+\s*([kKmMgG]([iI]?[bB])?|[bB])?\s*$`}, {Type: "number", Minimum: ptr(0)}}}
		},
		reflect.TypeFor[config.Timestamp](): func() *Schema {
			return &Schema{Type: "string", Format: "date-time", Description: "an RFC 3339 time such as 2026-12-01T08:00:00+01:00"}
		},
		reflect.TypeFor[network.HealthCondition](): func() *Schema {
			return &Schema{AnyOf: []*Schema{{Type: "boolean"}, object(reflect.TypeFor[network.HealthCondition]())}}
		},
		reflect.TypeFor[network.SecurityHeaders](): func() *Schema {
			return &Schema{AnyOf: []*Schema{{Type: "boolean"}, {Type: "array", Items: &Schema{Type: "string"}},
				object(reflect.TypeFor[network.SecurityHeaders]())}}
		},
		reflect.TypeFor[commoncfg.Secret](): func() *Schema { return &Schema{Type: "string"} },
		reflect.TypeFor[config.Regexp]():    func() *Schema { return &Schema{Type: "string"} },
		reflect.TypeFor[commoncfg.URL](): func() *Schema {
			return &Schema{Type: "string", Format: "uri"}
		},
		reflect.TypeFor[commoncfg.TLSVersion](): func() *Schema {
			var names []any
			for n := range commoncfg.TLSVersions {
				names = append(names, n)
			}
			sort.Slice(names, func(i, j int) bool { return names[i].(string) < names[j].(string) })
			return &Schema{Type: "string", Enum: names}
		},
	}
}

var (
	yamlUnmarshaler    = reflect.TypeFor[yaml.Unmarshaler]()
	obsoleteUnmarshal  = reflect.TypeFor[interface{ UnmarshalYAML(func(any) error) error }]()
	jsonMarshaler      = reflect.TypeFor[json.Marshaler]()
	textMarshaler      = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
	timeType           = reflect.TypeFor[time.Time]()
	configPackage      = reflect.TypeFor[config.Config]().PkgPath()
	modulePath         = strings.TrimSuffix(configPackage, "/config")
	checklistPackage   = reflect.TypeFor[checklist.Status]().PkgPath()
	collectorPackage   = reflect.TypeFor[collector.Result]().PkgPath()
	ownPackages        = map[string]bool{configPackage: true, checklistPackage: true, collectorPackage: true}
	checkNamePattern   = `^[a-z][a-z0-9_]*$`
	errUnknownSelfType = "unmarshals itself from another shape than its fields; describe that shape in configShapes (internal/schemagen)"
)

func implementsAny(t reflect.Type, ifaces ...reflect.Type) bool {
	pt := reflect.PointerTo(t)
	for _, i := range ifaces {
		if t.Implements(i) || pt.Implements(i) {
			return true
		}
	}
	return false
}

// field is one key of an object.
type field struct {
	name   string
	typ    reflect.Type
	owner  reflect.Type // the struct that declares it, for its comment
	goName string
	omit   bool // omitempty: may be absent from the output
}

// fields lists the keys of struct t under tag: yaml (",inline" flattens a
// field's keys into t's) or json (an untagged embedded struct is flattened).
func fields(t reflect.Type, tag string) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		raw, tagged := f.Tag.Lookup(tag)
		if raw == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		parts := strings.Split(raw, ",")
		inline, omit := false, false
		for _, o := range parts[1:] {
			inline = inline || o == "inline"
			omit = omit || o == "omitempty"
		}
		if tag == "json" && f.Anonymous && (!tagged || parts[0] == "") {
			inline = true
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if inline && ft.Kind() == reflect.Struct {
			out = append(out, fields(ft, tag)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name := parts[0]
		if name == "" {
			name = strings.ToLower(f.Name)
			if tag == "json" {
				name = f.Name
			}
		}
		out = append(out, field{name: name, typ: f.Type, owner: t, goName: f.Name,
			omit: omit || f.Type.Kind() == reflect.Pointer})
	}
	return out
}

// generator walks Go types into a schema with one definition per named
// struct.
type generator struct {
	tag      string
	comments map[string]string // "pkgpath.Type.Field" or "pkgpath.Type" -> text
	shapes   map[reflect.Type]func() *Schema
	defs     map[string]*Schema
	names    map[reflect.Type]string
	// requireAll marks every key that is never left out as required (the
	// output schema, where the program writes them all).
	requireAll bool
	// own are the packages besides config, checklist and collector whose
	// types are named without their package (the kinds' packages).
	own map[string]bool
	// object customises the object schema of a struct (e.g. the check's
	// "exactly one kind").
	objectHook func(t reflect.Type, s *Schema)
	err        error
}

func (g *generator) fail(format string, args ...any) {
	if g.err == nil {
		g.err = fmt.Errorf(format, args...)
	}
}

func (g *generator) defName(t reflect.Type) string {
	if n, ok := g.names[t]; ok {
		return n
	}
	name := t.Name()
	if !ownPackages[t.PkgPath()] && !g.own[t.PkgPath()] {
		// e.g. prometheus.common.config.TLSConfig
		name = strings.ReplaceAll(strings.TrimPrefix(t.PkgPath(), "github.com/"), "/", ".") + "." + name
	}
	for _, n := range g.names {
		if n == name {
			g.fail("two types named %s", name)
		}
	}
	g.names[t] = name
	return name
}

func (g *generator) schemaOf(t reflect.Type) *Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if shape, ok := g.shapes[t]; ok {
		return shape()
	}
	if t == timeType {
		return &Schema{Type: "string", Format: "date-time"}
	}
	if g.tag == "yaml" && implementsAny(t, yamlUnmarshaler, obsoleteUnmarshal) && (t.Kind() != reflect.Struct || len(fields(t, g.tag)) == 0) {
		g.fail("%s %s", t, errUnknownSelfType)
		return &Schema{}
	}
	if g.tag == "json" && t.Kind() != reflect.String && implementsAny(t, jsonMarshaler, textMarshaler) {
		g.fail("%s marshals itself to JSON; describe its shape in the output schema's shapes (internal/schemagen)", t)
		return &Schema{}
	}
	switch t.Kind() {
	case reflect.Bool:
		return &Schema{Type: "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &Schema{Type: "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &Schema{Type: "integer", Minimum: ptr(0)}
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: "number"}
	case reflect.String:
		return &Schema{Type: "string"}
	case reflect.Interface:
		return &Schema{}
	case reflect.Slice, reflect.Array:
		return &Schema{Type: "array", Items: g.schemaOf(t.Elem())}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			g.fail("%s: map keys must be strings", t)
		}
		return &Schema{Type: "object", AdditionalProperties: g.schemaOf(t.Elem())}
	case reflect.Struct:
		name := g.defName(t)
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = nil // reserve: recursive types refer to it
			g.defs[name] = g.object(t)
		}
		return &Schema{Ref: "#/definitions/" + name}
	}
	g.fail("%s: no JSON Schema for kind %s", t, t.Kind())
	return &Schema{}
}

// object is the schema of struct t as an object of its keys.
func (g *generator) object(t reflect.Type) *Schema {
	s := &Schema{Type: "object", Properties: map[string]*Schema{}, AdditionalProperties: false,
		Description: g.comments[t.PkgPath()+"."+t.Name()]}
	for _, f := range fields(t, g.tag) {
		p := g.schemaOf(f.typ)
		if d := g.comments[f.owner.PkgPath()+"."+f.owner.Name()+"."+f.goName]; d != "" {
			if p.Ref != "" {
				// draft-07 ignores the siblings of a $ref: wrap it.
				p = &Schema{Description: d, AllOf: []*Schema{p}}
			} else if p.Description == "" {
				p.Description = d
			} else {
				p.Description = d + " (" + p.Description + ")"
			}
		}
		// encoding/json writes a nil slice or map as null.
		if g.tag == "json" && !f.omit && (p.Type == "array" || p.Type == "object") {
			p.Type = []string{p.Type.(string), "null"}
		}
		s.Properties[f.name] = p
		if g.requireAll && !f.omit {
			s.Required = append(s.Required, f.name)
		}
	}
	if g.objectHook != nil {
		g.objectHook(t, s)
	}
	return s
}

// comments reads the doc comments of the struct types and their fields in
// the Go files of dir (not tests), keyed by import path, type and field.
// The field's Go name at the start of a comment is replaced by its key, as
// an editor shows the key.
func comments(dir, pkgPath, tag string, out map[string]string) error {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no Go files in %s", dir)
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				typeDoc := ts.Doc
				if typeDoc == nil && len(gd.Specs) == 1 {
					typeDoc = gd.Doc
				}
				if typeDoc != nil {
					out[pkgPath+"."+ts.Name.Name] = sentence(typeDoc.Text(), ts.Name.Name, "")
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				// The keys of the struct's fields, to name them as a file
				// writes them.
				keys := map[string]string{}
				for _, fl := range st.Fields.List {
					for _, n := range fl.Names {
						key := ""
						if fl.Tag != nil {
							key = strings.Split(reflect.StructTag(strings.Trim(fl.Tag.Value, "`")).Get(tag), ",")[0]
						}
						if key != "" && key != "-" {
							keys[n.Name] = key
						}
					}
				}
				for _, fl := range st.Fields.List {
					text := ""
					if fl.Doc != nil {
						text = fl.Doc.Text()
					} else if fl.Comment != nil {
						text = fl.Comment.Text()
					}
					for _, n := range fl.Names {
						if d, ok := fieldDoc(text, n.Name, keys); ok {
							out[pkgPath+"."+ts.Name.Name+"."+n.Name] = d
						}
					}
				}
			}
		}
	}
	return nil
}

var leadNameRE = regexp.MustCompile(`^(\w+)(, | and |: |,? or | )`)

// fieldDoc is a field's comment as its description: only a comment that
// starts with the field's Go name (or a list of names with it first), as
// Go doc comments do; a heading over a group of fields ("Network checks.")
// is no field's description. The leading names become the keys a file
// writes ("Password, PasswordFile and PasswordEnv give ..." becomes
// "password, password_file and password_env give ...").
func fieldDoc(text, goName string, keys map[string]string) (string, bool) {
	text = strings.Join(strings.Fields(text), " ")
	m := leadNameRE.FindStringSubmatch(text)
	if m == nil || m[1] != goName {
		return "", false
	}
	var out strings.Builder
	for {
		m := leadNameRE.FindStringSubmatch(text)
		if m == nil {
			break
		}
		key, ok := keys[m[1]]
		if !ok {
			break
		}
		out.WriteString(key)
		out.WriteString(m[2])
		text = text[len(m[0]):]
		if sep := m[2]; sep == " " || sep == ": " {
			break
		}
	}
	out.WriteString(text)
	return out.String(), true
}

// sentence joins a comment's lines and puts the key in place of the Go
// name it starts with.
func sentence(text, goName, key string) string {
	text = strings.Join(strings.Fields(text), " ")
	if key != "" && key != "-" {
		if rest, ok := strings.CutPrefix(text, goName+" "); ok {
			text = key + " " + rest
		}
	}
	return text
}

// ConfigSchema is the JSON Schema of the configuration file, with the
// field comments of config/ as descriptions; root is the repository.
func ConfigSchema(root string) ([]byte, error) {
	g := &generator{tag: "yaml", comments: map[string]string{}, defs: map[string]*Schema{}, names: map[reflect.Type]string{},
		own: map[string]bool{}}
	if err := comments(filepath.Join(root, "config"), configPackage, "yaml", g.comments); err != nil {
		return nil, err
	}
	g.shapes = configShapes(g.object)
	kinds := config.Kinds()
	// The settings of registered kinds live in their own packages: their
	// types are named as config's are, and their comments are read there.
	for _, k := range kinds {
		pkg := config.KindType(k).Elem().PkgPath()
		if pkg == configPackage || g.own[pkg] {
			continue
		}
		g.own[pkg] = true
		dir, ok := strings.CutPrefix(pkg, modulePath+"/")
		if !ok {
			return nil, fmt.Errorf("kind %s: its package %s is not in this module", k, pkg)
		}
		if err := comments(filepath.Join(root, filepath.FromSlash(dir)), pkg, "yaml", g.comments); err != nil {
			return nil, err
		}
	}
	checkType := reflect.TypeFor[config.Check]()
	g.objectHook = func(t reflect.Type, s *Schema) {
		switch t {
		case reflect.TypeFor[config.Config]():
			s.Required = []string{"checks"}
		case checkType:
			// A name, and exactly one kind key: the registered kinds
			// are keys of the check.
			for _, k := range kinds {
				s.Properties[k] = g.schemaOf(config.KindType(k))
			}
			s.Required = []string{"name"}
			s.Properties["name"].Pattern = checkNamePattern
			s.Properties["items"].Items.Pattern = config.ItemIDRE.String()
			for _, k := range kinds {
				s.OneOf = append(s.OneOf, &Schema{Required: []string{k}})
			}
		}
	}
	top := g.object(reflect.TypeFor[config.Config]())
	if g.err != nil {
		return nil, g.err
	}
	top.Schema = "http://json-schema.org/draft-07/schema#"
	top.ID = ConfigSchemaURL
	top.Title = "golive_exporter configuration"
	top.Description = "The configuration file of golive_exporter (--config.file). Generated from the Go types by `make generate`; the loader checks more than this schema (values, cross references): validate a file with golive_exporter --config.check."
	top.Definitions = g.defs
	return encode(top)
}

// CheckOutputSchema is the JSON Schema of `check --output=json` (and of
// /api/v1/status with a checklist), with the field comments of checklist/
// and collector/ as descriptions.
func CheckOutputSchema(root string) ([]byte, error) {
	g := &generator{tag: "json", comments: map[string]string{}, defs: map[string]*Schema{}, names: map[reflect.Type]string{},
		requireAll: true, shapes: outputShapes()}
	for dir, pkg := range map[string]string{"checklist": checklistPackage, "collector": collectorPackage} {
		if err := comments(filepath.Join(root, dir), pkg, "json", g.comments); err != nil {
			return nil, err
		}
	}
	top := g.object(reflect.TypeFor[checklist.Status]())
	if g.err != nil {
		return nil, g.err
	}
	top.Properties["schema_version"].Const = checklist.SchemaVersion
	top.Schema = "http://json-schema.org/draft-07/schema#"
	top.ID = CheckOutputSchemaURL
	top.Title = "golive_exporter check --output=json"
	top.Description = "The verdict document of golive_exporter check --output=json, also served by /api/v1/status with a checklist. schema_version changes when a field is removed, renamed or changes meaning; new fields may appear within a version. Generated from the Go types by `make generate`; every field is described in docs/checklist.md."
	top.Definitions = g.defs
	return encode(top)
}

// enum is a string schema of fixed values.
func enum[T ~string](values []T) func() *Schema {
	return func() *Schema {
		s := &Schema{Type: "string"}
		for _, v := range values {
			s.Enum = append(s.Enum, string(v))
		}
		return s
	}
}

// outputShapes are the string types of the output with a fixed set of
// values.
func outputShapes() map[reflect.Type]func() *Schema {
	return map[reflect.Type]func() *Schema{
		reflect.TypeFor[checklist.State]():  enum(checklist.States),
		reflect.TypeFor[collector.Status](): enum([]collector.Status{collector.StatusPass, collector.StatusWarn, collector.StatusFail, collector.StatusUnknown}),
		reflect.TypeFor[collector.Reason](): enum(collector.Reasons()),
		reflect.TypeFor[checklist.Kind]():   enum(config.ItemKinds),
	}
}

func encode(s *Schema) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Root finds the repository root (the folder with go.mod) above dir.
func Root(dir string) (string, error) {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}
