package spec

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// sub returns path extended by more in a fresh slice, so sibling paths built
// from one prefix never share a backing array.
func sub(path []string, more ...string) []string {
	out := make([]string, 0, len(path)+len(more))
	return append(append(out, path...), more...)
}

// refPath is the YAML path a local $ref ("#/components/...") points at,
// extended by more; fallback (extended likewise) for no or a remote ref.
func refPath(ref string, fallback []string, more ...string) []string {
	frag, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return sub(fallback, more...)
	}
	return sub(pointerKeys("/"+frag), more...)
}

// locate returns the line and column of the deepest node of path (mapping
// keys, or decimal indices into sequences) that exists in the document, so a
// finding about something missing points at where it should be.
func locate(root *yaml.Node, path []string) (int, int) {
	if root == nil {
		return 0, 0
	}
	node := root
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		node = node.Content[0]
	}
	line, col := node.Line, node.Column
	for _, key := range path {
		if node.Kind == yaml.AliasNode && node.Alias != nil {
			node = node.Alias
		}
		next, at := child(node, key)
		if next == nil {
			break
		}
		line, col = at.Line, at.Column
		node = next
	}
	return line, col
}

// child returns the value under key and the node to report for it: the key
// of a mapping entry, or the item of a sequence.
func child(node *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	switch node.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			if node.Content[i].Value == key {
				return node.Content[i+1], node.Content[i]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(node.Content) {
			return node.Content[i], node.Content[i]
		}
	}
	return nil, nil
}

// pointerKeys splits an RFC 6901 JSON pointer into unescaped keys.
func pointerKeys(p string) []string {
	if p == "" || p == "/" {
		return nil
	}
	keys := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, k := range keys {
		keys[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(k)
	}
	return keys
}

// leafErrors flattens kin-openapi's multi-errors into one error per problem.
func leafErrors(err error) []error {
	if err == nil {
		return nil
	}
	var multi openapi3.MultiError
	if errors.As(err, &multi) && !isWrapped(err) {
		var out []error
		for _, e := range multi {
			out = append(out, leafErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// isWrapped reports whether err is something other than a bare MultiError;
// a wrapped one keeps its context in its message and stays whole.
func isWrapped(err error) bool {
	_, bare := err.(openapi3.MultiError)
	return !bare
}

var originType = reflect.TypeFor[*openapi3.Origin]()

// originLine returns the position kin-openapi recorded for the deepest error
// of err's chain that carries an Origin (loaded with IncludeOrigin).
func originLine(err error) (int, int) {
	line, col := 0, 0
	for e := err; e != nil; e = errors.Unwrap(e) {
		if l, c := errorOrigin(e); l > 0 {
			line, col = l, c
		}
	}
	return line, col
}

func errorOrigin(err error) (int, int) {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return 0, 0
	}
	f := v.Elem().FieldByName("Origin")
	if !f.IsValid() || f.Type() != originType || f.IsNil() {
		return 0, 0
	}
	if key := f.Interface().(*openapi3.Origin).Key; key != nil {
		return key.Line, key.Column
	}
	return 0, 0
}

// contextPath rebuilds, from kin-openapi's context wrappers, the YAML path of
// an error that carries no Origin.
func contextPath(err error) []string {
	var path []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch w := e.(type) {
		case *openapi3.SectionValidationError:
			path = append(path, w.Section)
		case *openapi3.PathValidationError:
			path = append(path, w.Path)
		case *openapi3.WebhookValidationError:
			path = append(path, w.Name)
		case *openapi3.OperationValidationError:
			path = append(path, strings.ToLower(w.Method))
		case *openapi3.ComponentValidationError:
			path = append(path, componentSection(w.Section), w.Name)
		}
	}
	return path
}

// componentSection maps kin-openapi's component section names to the keys
// under components.
func componentSection(s string) string {
	switch s {
	case "request body":
		return "requestBodies"
	case "security scheme":
		return "securitySchemes"
	default:
		return s + "s"
	}
}

// innermost is the message of the last error in err's chain: the problem
// itself, without the context wrappers around it.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// refPosition finds the $ref whose target a load error names, since the
// loader reports dangling references without a position.
func refPosition(node *yaml.Node, msg string) (int, int) {
	if node == nil {
		return 0, 0
	}
	if node.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			if k.Value == "$ref" && v.Kind == yaml.ScalarNode && v.Value != "" && strings.Contains(msg, v.Value) {
				return k.Line, k.Column
			}
		}
	}
	for _, c := range node.Content {
		if line, col := refPosition(c, msg); line > 0 {
			return line, col
		}
	}
	return 0, 0
}
