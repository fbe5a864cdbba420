package spec

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// Finding is one problem Lint found, located in the file where possible
// (Line 0 means the whole file).
type Finding struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// String renders the finding the way compilers do, "file:line: rule:
// message", so editors and CI annotations can jump to it.
func (f Finding) String() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.Rule, f.Message)
	}
	return fmt.Sprintf("%s: %s: %s", f.File, f.Rule, f.Message)
}

// Rules of Lint; a Finding's Rule is one of these.
const (
	RuleYAML         = "yaml"                  // the file does not parse
	RuleLoad         = "load"                  // kin-openapi cannot load it (e.g. a dangling $ref)
	RuleVersion      = "openapi-version"       // openapi is not 3.1.x
	RuleOpenAPI      = "openapi"               // kin-openapi document validation
	RuleWebhooks     = "webhooks"              // no webhooks at all
	RulePost         = "webhook-post"          // a webhook is not (only) a POST
	RuleJSONBody     = "json-body"             // no application/json request body schema
	RuleExample      = "example"               // a missing example, or one its schema rejects
	RuleExampleEvent = "example-event"         // an example's event is not its webhook's key
	RuleEventHeader  = "event-header"          // no X-MiniVoice-Event header parameter
	RuleSignature    = "x-minivoice-signature" // signing scheme extension missing or incomplete
	RuleRetry        = "x-minivoice-retry"     // retry policy extension missing or incomplete
)

// Lint checks a contract document and returns every finding, sorted by
// line; none means Parse accepts it and every mvh rule holds. name is used
// as the findings' file.
func Lint(ctx context.Context, name string, data []byte) []Finding {
	l := &linter{name: name, checked: map[string]bool{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, col := yamlErrorPosition(err)
		l.add(RuleYAML, line, col, "%s", yamlErrorMessage(err))
		return l.findings
	}
	l.root = &root
	loader := openapi3.NewLoader()
	loader.Context = ctx
	loader.IncludeOrigin = true
	doc, err := loader.LoadFromData(data)
	if err != nil {
		line, col := yamlErrorPosition(err)
		if line == 0 {
			line, col = refPosition(l.root, err.Error())
		}
		l.add(RuleLoad, line, col, "%s", loadMessage(err))
		return l.findings
	}
	l.doc = doc
	l.version()
	l.openapi(ctx)
	scheme := l.extensions()
	l.webhooks(scheme)
	sort.SliceStable(l.findings, func(i, j int) bool { return l.findings[i].Line < l.findings[j].Line })
	return l.findings
}

// linter accumulates the findings of one Lint call.
type linter struct {
	name     string
	root     *yaml.Node
	doc      *openapi3.T
	checked  map[string]bool // $refs whose examples were checked
	findings []Finding
}

func (l *linter) add(rule string, line, col int, format string, args ...any) {
	l.findings = append(l.findings, Finding{File: l.name, Line: line, Column: col, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// addAt locates the finding at the deepest existing node of path.
func (l *linter) addAt(rule string, path []string, format string, args ...any) {
	line, col := locate(l.root, path)
	l.add(rule, line, col, format, args...)
}

func (l *linter) version() {
	v := l.doc.OpenAPI
	if v != "3.1" && !strings.HasPrefix(v, "3.1.") {
		l.addAt(RuleVersion, []string{"openapi"}, "openapi %q, want 3.1.x", v)
	}
}

// openapi reports kin-openapi's own validation, examples excluded: the
// example rule checks those with JSON-pointer precision.
func (l *linter) openapi(ctx context.Context) {
	err := l.doc.Validate(ctx, openapi3.EnableMultiError(), openapi3.DisableExamplesValidation())
	seen := map[string]bool{}
	for _, e := range leafErrors(err) {
		line, col := originLine(e)
		if line == 0 {
			line, col = locate(l.root, contextPath(e))
		}
		// One broken component is reported once, not again by every
		// webhook that references it.
		key := fmt.Sprintf("%d:%d:%s", line, col, innermost(e))
		if seen[key] {
			continue
		}
		seen[key] = true
		l.add(RuleOpenAPI, line, col, "%s", oneLine(e.Error()))
	}
}

// extensions checks x-minivoice-signature and x-minivoice-retry with the
// parsers Parse uses, and returns the scheme (zero when broken).
func (l *linter) extensions() Scheme {
	scheme, err := parseScheme(l.doc.Extensions)
	var ke keyError
	switch {
	case errors.As(err, &ke):
		l.addAt(RuleSignature, []string{ke.ext, ke.key}, "%s", ke.Error())
	case err != nil:
		l.addAt(RuleSignature, []string{"x-minivoice-signature"}, "%s", strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "))
	}
	if _, err := parseRetry(l.doc.Extensions); err != nil {
		l.addAt(RuleRetry, []string{"x-minivoice-retry"}, "%s", strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "))
	}
	return scheme
}

func (l *linter) webhooks(scheme Scheme) {
	if len(l.doc.Webhooks) == 0 {
		l.addAt(RuleWebhooks, []string{"webhooks"}, "no webhooks: the catalogue would be empty")
		return
	}
	header := scheme.EventHeader
	if header == "" {
		header = "X-MiniVoice-Event"
	}
	names := make([]string, 0, len(l.doc.Webhooks))
	for name := range l.doc.Webhooks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		l.webhook(name, l.doc.Webhooks[name], header)
	}
}

func (l *linter) webhook(name string, item *openapi3.PathItem, header string) {
	at := []string{"webhooks", name}
	if item == nil || len(item.Operations()) == 0 {
		l.addAt(RulePost, at, "webhook %s: empty", name)
		return
	}
	for method := range item.Operations() {
		if method != "POST" {
			l.addAt(RulePost, sub(at, strings.ToLower(method)), "webhook %s: %s operation; MiniVoice only POSTs", name, method)
		}
	}
	op := item.Post
	if op == nil {
		l.addAt(RulePost, at, "webhook %s: no post operation", name)
		return
	}
	at = sub(at, "post")
	if !hasHeader(item, op, header) {
		l.addAt(RuleEventHeader, sub(at, "parameters"), "webhook %s: no %s header parameter", name, header)
	}
	media := jsonBody(op)
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		l.addAt(RuleJSONBody, sub(at, "requestBody", "content", "application/json", "schema"), "webhook %s: no application/json request body schema", name)
		return
	}
	bodyAt := sub(at, "requestBody", "content", "application/json")
	if n := l.examples(name, "webhook "+name, bodyAt, media); n == 0 {
		l.addAt(RuleExample, bodyAt, "webhook %s: no example; the catalogue needs one to build payloads", name)
	}
	l.responses(name, at, op)
}

func hasHeader(item *openapi3.PathItem, op *openapi3.Operation, header string) bool {
	for _, params := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range params {
			if p != nil && p.Value != nil && p.Value.In == openapi3.ParameterInHeader && strings.EqualFold(p.Value.Name, header) {
				return true
			}
		}
	}
	return false
}

// responses checks the examples of every JSON response against its schema.
func (l *linter) responses(name string, at []string, op *openapi3.Operation) {
	if op.Responses == nil {
		return
	}
	codes := make([]string, 0, op.Responses.Len())
	for code := range op.Responses.Map() {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		r := op.Responses.Value(code)
		if r == nil || r.Value == nil {
			continue
		}
		label, path := "webhook "+name+" response "+code, sub(at, "responses", code)
		if r.Ref != "" {
			// A shared response is checked once, where it is written.
			if l.checked[r.Ref] {
				continue
			}
			l.checked[r.Ref] = true
			label, path = "response "+r.Ref, refPath(r.Ref, path)
		}
		if media := r.Value.Content.Get("application/json"); media != nil && media.Schema != nil && media.Schema.Value != nil {
			l.examples("", label, sub(path, "content", "application/json"), media)
		}
	}
}

// yamlErrorPosition digs the line out of a go-yaml error.
func yamlErrorPosition(err error) (int, int) {
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return le.Mark.Line, le.Mark.Column
	}
	var les *yaml.LoadErrors
	if errors.As(err, &les) && len(les.Errors) > 0 {
		return les.Errors[0].Mark.Line, les.Errors[0].Mark.Column
	}
	return 0, 0
}

func yamlErrorMessage(err error) string {
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return le.Message
	}
	return oneLine(err.Error())
}

// loadMessage words a loader error for a person: the YAML problem itself
// when there is one, without the library's "failed to" preamble.
func loadMessage(err error) string {
	var le *yaml.LoadError
	var les *yaml.LoadErrors
	switch {
	case errors.As(err, &le):
		return le.Message
	case errors.As(err, &les) && len(les.Errors) > 0:
		return les.Errors[0].Message
	}
	msg := oneLine(err.Error())
	if rest, ok := strings.CutPrefix(msg, "failed to "); ok {
		return "cannot " + rest
	}
	return msg
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
