// Package spec is the machine-readable contract of MiniVoice's webhooks: the
// OpenAPI 3.1 document, its event catalogue and examples, payload validation,
// and the signing scheme and retry policy carried in its x-minivoice extensions.
// Everything else in mvh is driven by a *Spec, so adding an event to the
// document needs no code change.
package spec

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"

	"github.com/getkin/kin-openapi/openapi3"
)

// DefaultName is how the embedded document is named in messages.
const DefaultName = "minivoice-webhooks.yaml"

//go:embed minivoice-webhooks.yaml
var defaultDocument []byte

// DefaultDocument returns the bytes of the embedded contract.
func DefaultDocument() []byte { return append([]byte(nil), defaultDocument...) }

// ErrInvalid marks a document that parses but breaks the contract's shape
// (missing extensions, a webhook without a JSON body, ...).
var ErrInvalid = errors.New("invalid spec")

// Spec is a loaded contract. It is immutable after Load and safe for
// concurrent use.
type Spec struct {
	name      string
	doc       *openapi3.T
	events    []Event
	byName    map[string]*Event
	signature Scheme
	retry     RetryPolicy
}

// Default parses the embedded contract. It cannot fail on a clean build; the
// error is returned rather than panicking so callers keep one code path.
func Default() (*Spec, error) { return Parse(context.Background(), DefaultName, defaultDocument) }

// Load reads a contract from path; an empty path means the embedded one.
func Load(ctx context.Context, path string) (*Spec, error) {
	if path == "" {
		return Default()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load spec %s: %w", path, err)
	}
	return Parse(ctx, path, data)
}

// Parse loads a contract from bytes; name is used in messages only.
func Parse(ctx context.Context, name string, data []byte) (*Spec, error) {
	doc, err := loadDocument(ctx, data, false)
	if err != nil {
		return nil, fmt.Errorf("load spec %s: %w", name, err)
	}
	s := &Spec{name: name, doc: doc}
	if s.signature, err = parseScheme(doc.Extensions); err != nil {
		return nil, fmt.Errorf("load spec %s: %w", name, err)
	}
	if s.retry, err = parseRetry(doc.Extensions); err != nil {
		return nil, fmt.Errorf("load spec %s: %w", name, err)
	}
	if err := s.buildCatalogue(); err != nil {
		return nil, fmt.Errorf("load spec %s: %w", name, err)
	}
	return s, nil
}

func loadDocument(ctx context.Context, data []byte, origin bool) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	loader.IncludeOrigin = origin
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, loaderError{err}
	}
	if !doc.IsOpenAPI31OrLater() {
		return nil, fmt.Errorf("%w: openapi %q, want 3.1", ErrInvalid, doc.OpenAPI)
	}
	return doc, nil
}

// loaderError words a kin-openapi loader error the way Lint does (see
// loadMessage), with its line, keeping the original in the chain. It is
// not ErrInvalid: that sentinel means a readable document that breaks the
// contract's rules.
type loaderError struct{ err error }

func (e loaderError) Error() string {
	if line, _ := yamlErrorPosition(e.err); line > 0 {
		return fmt.Sprintf("line %d: %s", line, loadMessage(e.err))
	}
	return loadMessage(e.err)
}
func (e loaderError) Unwrap() error { return e.err }

// Name is the file the contract came from.
func (s *Spec) Name() string { return s.name }

// Title is the document's info title; reports carry it.
func (s *Spec) Title() string { return s.doc.Info.Title }

// Version is the document's info version; reports carry it.
func (s *Spec) Version() string { return s.doc.Info.Version }

// Document exposes the parsed OpenAPI document for callers that need more
// than the catalogue (the linter, request validation).
func (s *Spec) Document() *openapi3.T { return s.doc }

// Signature is the signing scheme read from x-minivoice-signature.
func (s *Spec) Signature() Scheme { return s.signature }

// Retry is the delivery retry policy read from x-minivoice-retry.
func (s *Spec) Retry() RetryPolicy { return s.retry }
