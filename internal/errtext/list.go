package errtext

import (
	"strconv"
	"strings"
)

// MaxListed is how many items List names.
const MaxListed = 10

// List names the first MaxListed of n items, text(i) for item i, joined
// with sep; when there are more, it adds moreSep and "and N more": one
// call may carry thousands of items (messages, attribute keys), and the
// text reaches log lines and dead-letter reasons. List(12, ", ", ", ", …)
// reads "a, b, …, j, and 2 more"; List(12, ",", " ", …) reads "a,b,…,j and
// 2 more".
func List(n int, sep, moreSep string, text func(i int) string) string {
	shown := min(n, MaxListed)
	var b strings.Builder
	for i := range shown {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(text(i))
	}
	if more := n - shown; more > 0 {
		b.WriteString(moreSep + "and " + strconv.Itoa(more) + " more")
	}
	return b.String()
}
