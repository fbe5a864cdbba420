package spec

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

type openapiSchema = openapi3.Schema

// samples are legal strings a hand-written handler often gets wrong:
// beyond ASCII (accents, CJK, right-to-left, combining marks, emoji), JSON
// escapes, markup, and space at the edges.
var samples = [...]string{
	"Zoë Ünal", "東京都港区", "مرحبا بالعالم", "e\u0301clair", "📞☎️🎧", "Ελλάδα",
	`quote " and backslash \`, "line\nbreak\ttab", "<script>alert(1)</script>",
	" padded ", "+4930123456", "'; DROP TABLE events; --", "\u2028separator\u2029",
}

// stringFor generates a string for schema: a date-time in one of several
// spellings for format date-time, otherwise text that respects minLength,
// maxLength and pattern, falling back to the example where the pattern
// admits nothing the generator thought of.
func (g *gen) stringFor(schema *openapiSchema, example any) any {
	ex, _ := example.(string)
	if schema.Format == "date-time" {
		for range 8 {
			if s := g.dateTime(); matches(schema.Pattern, s) {
				return s
			}
		}
		return ex
	}
	for range 8 {
		s := g.text(int(schema.MinLength), ex)
		n := uint64(utf8.RuneCountInString(s))
		if schema.MaxLength != nil && n > *schema.MaxLength {
			continue
		}
		if matches(schema.Pattern, s) {
			return s
		}
	}
	return ex
}

// text is a string of at least minLen runes: the example, a sample, a
// single rune, a long mixed string, or empty where that is allowed.
func (g *gen) text(minLen int, example string) string {
	var s string
	switch g.rng.IntN(6) {
	case 0:
		s = example
	case 1, 2:
		s = samples[g.rng.IntN(len(samples))]
	case 3:
		r := []rune("aZ9é東🎧")
		s = string(r[g.rng.IntN(len(r))])
	case 4:
		s = strings.Repeat(samples[g.rng.IntN(len(samples))]+"-", 20+g.rng.IntN(200))
	default:
		s = ""
	}
	for utf8.RuneCountInString(s) < minLen {
		s += "x"
	}
	return s
}

// dateTime is an RFC 3339 UTC instant in one of the spellings the format
// allows: whole seconds, or fractions of one to nine digits; over a range
// from 1970 to 9999, leap days included.
func (g *gen) dateTime() string {
	instants := []time.Time{
		time.Date(2026, 5, 29, 12, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 23, 59, 59, 999999999, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Unix(g.rng.Int64N(4102444800), int64(g.rng.IntN(1e9))).UTC(),
	}
	t := instants[g.rng.IntN(len(instants))]
	digits := g.rng.IntN(10)
	if digits == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	frac := fmt.Sprintf("%09d", t.Nanosecond())[:digits]
	return t.Format("2006-01-02T15:04:05") + "." + frac + "Z"
}

// integer is a value within the schema's bounds, edges preferred.
func (g *gen) integer(schema *openapiSchema) any {
	lo, hi := float64(-1<<53), float64(1<<53)
	if schema.Min != nil {
		lo = math.Ceil(*schema.Min)
	}
	if schema.Max != nil {
		hi = math.Floor(*schema.Max)
	}
	switch g.rng.IntN(4) {
	case 0:
		return lo
	case 1:
		return hi
	case 2:
		return math.Max(lo, math.Min(hi, 0))
	}
	return lo + math.Floor(g.rng.Float64()*(hi-lo))
}

// number is a value within the schema's bounds.
func (g *gen) number(schema *openapiSchema) any {
	lo, hi := -1e9, 1e9
	if schema.Min != nil {
		lo = *schema.Min
	}
	if schema.Max != nil {
		hi = *schema.Max
	}
	return lo + g.rng.Float64()*(hi-lo)
}
