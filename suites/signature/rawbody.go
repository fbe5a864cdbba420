package signature

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// rawVariants are genuine bodies whose bytes no JSON encoder would produce
// from the parsed value, so only a receiver that verifies the exact bytes
// it received accepts them all.
var rawVariants = []struct {
	label   string
	rewrite func([]byte) []byte
}{
	{"escaped unicode (\\u002b, \\u00eb)", func(b []byte) []byte {
		return encode(withVariables(b, map[string]any{"caller_name": "Zoë"}), style{escape: true})
	}},
	{"unusual key order (reversed)", func(b []byte) []byte { return encode(decode(b), style{reverse: true}) }},
	{"extra whitespace (indented, CRLF, trailing newline)", func(b []byte) []byte {
		return append(encode(decode(b), style{indent: true}), "\r\n"...)
	}},
	{"1.0-style numbers (1.0, 2.50, 1e2)", func(b []byte) []byte {
		return encode(withVariables(b, map[string]any{
			"attempt": json.Number("1.0"), "score": json.Number("2.50"), "limit": json.Number("1e2"),
		}), style{})
	}},
}

// style is how encode departs from a canonical encoder.
type style struct {
	reverse, indent, escape bool
}

// decode parses b keeping numbers as written.
func decode(b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	_ = dec.Decode(&v)
	return v
}

// withVariables parses b and sets its variables object.
func withVariables(b []byte, vars map[string]any) any {
	v := decode(b)
	if m, ok := v.(map[string]any); ok {
		m["variables"] = vars
	}
	return v
}

// encode writes v as JSON in the given style; keys are sorted (or reverse
// sorted), numbers are written exactly as they were parsed.
func encode(v any, s style) []byte {
	var b strings.Builder
	s.value(&b, v, 0)
	return []byte(b.String())
}

func (s style) value(b *strings.Builder, v any, depth int) {
	switch t := v.(type) {
	case map[string]any:
		s.object(b, t, depth)
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			s.value(b, e, depth+1)
		}
		b.WriteByte(']')
	case string:
		s.str(b, t)
	case json.Number:
		b.WriteString(t.String())
	default:
		out, _ := json.Marshal(t)
		b.Write(out)
	}
}

func (s style) object(b *strings.Builder, m map[string]any, depth int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if s.reverse {
		slices.Reverse(keys)
	}
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		s.newline(b, depth+1)
		s.str(b, k)
		if s.indent {
			b.WriteString(" :  ")
		} else {
			b.WriteByte(':')
		}
		s.value(b, m[k], depth+1)
	}
	if len(keys) > 0 {
		s.newline(b, depth)
	}
	b.WriteByte('}')
}

func (s style) newline(b *strings.Builder, depth int) {
	if s.indent {
		b.WriteString("\r\n" + strings.Repeat("\t", depth))
	}
}

// str writes a JSON string; with escape, '+' and every non-ASCII rune are
// written as \uXXXX escapes.
func (s style) str(b *strings.Builder, v string) {
	if !s.escape {
		out, _ := json.Marshal(v)
		b.Write(out)
		return
	}
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(b, `\u%04x\u%04x`, hi, lo)
		case r == '+' || r >= utf8.RuneSelf:
			fmt.Fprintf(b, `\u%04x`, r)
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
