package control

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/minivoice/mvh/spec"
)

// maxAPIBody bounds a control request body; the largest legitimate one (an
// event with overrides) is a few KiB.
const maxAPIBody = 1 << 20

// apiValidator checks control requests against spec/mock-api.yaml, so the
// document and the server cannot drift apart: a field the document does not
// allow is refused before any handler runs.
type apiValidator struct {
	router routers.Router
}

func newAPIValidator(ctx context.Context) (*apiValidator, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(spec.MockAPIDocument())
	if err != nil {
		return nil, fmt.Errorf("mock api document: %w", err)
	}
	// legacy, not gorillamux: it needs no extra module and reports "method
	// not allowed" apart from "path not found".
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("mock api document: %w", err)
	}
	return &apiValidator{router: router}, nil
}

// check validates r (reading and restoring its body) and returns the status
// and one-line message of a refusal, or 0 when r is acceptable.
func (v *apiValidator) check(r *http.Request) (int, string) {
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		if errors.Is(err, routers.ErrMethodNotAllowed) || v.otherMethod(r) {
			return http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s", r.Method, r.URL.Path)
		}
		return http.StatusNotFound, fmt.Sprintf("no such endpoint %s %s", r.Method, r.URL.Path)
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(nil, r.Body, maxAPIBody)
	}
	err = openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError:         true,
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, // the server checks the token itself
		},
	})
	if err != nil {
		return http.StatusBadRequest, requestProblem(err)
	}
	return 0, ""
}

// otherMethod reports whether the path exists with another method, since
// the legacy router reports both cases as "path not found".
func (v *apiValidator) otherMethod(r *http.Request) bool {
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, _, err := v.router.FindRoute(probe); err == nil {
			return true
		}
	}
	return false
}

// requestProblem turns a validation error into one line that names every
// failing field, e.g. `request body /chaos/duplicate: value must be an integer`.
func requestProblem(err error) string {
	var lines []string
	for _, e := range flatten(err) {
		lines = append(lines, describe(e))
	}
	sort.Strings(lines)
	lines = dedupe(lines)
	return "invalid request: " + strings.Join(lines, "; ")
}

// flatten unpacks kin-openapi's nested multi-errors into leaf errors, each
// still wrapped in the RequestError that says where it was found.
func flatten(err error) []error {
	switch e := err.(type) {
	case openapi3.MultiError:
		var out []error
		for _, x := range e {
			out = append(out, flatten(x)...)
		}
		return out
	case *openapi3filter.RequestError:
		inner, ok := e.Err.(openapi3.MultiError)
		if !ok {
			return []error{e}
		}
		var out []error
		for _, x := range inner {
			for _, leaf := range flatten(x) {
				if _, wrapped := leaf.(*openapi3filter.RequestError); !wrapped {
					leaf = &openapi3filter.RequestError{Parameter: e.Parameter, RequestBody: e.RequestBody, Reason: e.Reason, Err: leaf}
				}
				out = append(out, leaf)
			}
		}
		return out
	}
	return []error{err}
}

func describe(err error) string {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return err.Error()
	}
	where := "request"
	switch {
	case re.Parameter != nil:
		where = re.Parameter.In + " parameter " + re.Parameter.Name
	case re.RequestBody != nil:
		where = "request body"
	}
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		if p := spec.JSONPointer(se.JSONPointer()); p != "" {
			where += " " + p
		}
		return where + ": " + cleanReason(se.Reason)
	}
	reason := re.Reason
	if re.Err != nil {
		reason = strings.TrimPrefix(reason+": "+re.Err.Error(), ": ")
	}
	return where + ": " + reason
}

// cleanReason reduces the JSON Schema 2020 validator's multi-line report
// ("jsonschema validation failed with '...'\n- at '/x': msg") to its
// findings, so the refusal stays one line.
func cleanReason(reason string) string {
	if !strings.Contains(reason, "\n") {
		return reason
	}
	var found []string
	for _, line := range strings.Split(reason, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "- at ") {
			continue
		}
		line = strings.TrimPrefix(line, "- at ")
		if at, msg, ok := strings.Cut(line, ": "); ok {
			if at == "''" {
				line = msg
			} else {
				line = strings.Trim(at, "'") + ": " + msg
			}
		}
		found = append(found, line)
	}
	if len(found) == 0 {
		return strings.Join(strings.Fields(reason), " ")
	}
	return strings.Join(found, "; ")
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}
