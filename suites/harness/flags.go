package harness

import "strings"

// listFlag is a repeatable flag whose values are kept whole (--env values
// may contain commas).
type listFlag []string

func (l *listFlag) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, " ")
}

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// commaList is a repeatable flag of comma-separated values (--only a,b
// --only c); a pointer field so the zero Config's slice is filled in place.
type commaList struct{ items *[]string }

func (c *commaList) String() string {
	if c == nil || c.items == nil {
		return ""
	}
	return strings.Join(*c.items, ",")
}

func (c *commaList) Set(v string) error {
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*c.items = append(*c.items, item)
		}
	}
	return nil
}
