package spec

import _ "embed"

//go:embed mock-api.yaml
var mockAPIDocument []byte

// MockAPIDocument returns the OpenAPI 3.1 description of the control API of
// `mvh mock serve`. It lives beside the webhook contract so both documents
// are versioned, linted and served from one place; package mock validates
// every control request against it.
func MockAPIDocument() []byte { return append([]byte(nil), mockAPIDocument...) }
