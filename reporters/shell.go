package reporters

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// shq quotes s for POSIX shells: single quotes keep every byte literal, and a
// single quote itself is closed, escaped and reopened.
func shq(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// printfExact is a printf command that writes exactly the bytes of s, with
// no trailing newline added. Readable bodies (printable UTF-8 and newlines) are passed verbatim as a %s argument, which a reader can compare with
// the transcript by eye; anything else (a carriage return, which HTML and
// copy/paste would turn into a newline, or invalid UTF-8) becomes a printf
// format with octal escapes, which bash and POSIX printf both decode. Tabs
// are escaped too: pasted into an interactive shell they trigger completion.
func printfExact(s string) string {
	if s == "" {
		return "printf ''"
	}
	if readable(s) {
		return "printf '%s' " + shq(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			b.WriteString("%%")
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\'' || c == '-' && i == 0: // a leading '-' would read as an option
			fmt.Fprintf(&b, `\%03o`, c)
		case c == '\n' || c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, `\%03o`, c)
		}
	}
	return "printf '" + b.String() + "'"
}

// readable reports whether s survives HTML rendering and copy/paste intact.
func readable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' || r == 0x7f || r == utf8.RuneError || r >= 0x80 && r < 0xa0 {
			return false
		}
	}
	return true
}
