package awsbus

import (
	"fmt"
	"strings"
)

// refusals joins the errors of the messages of one publish refused before
// sending. Its text names the first maxListedFailures, one a line, then
// how many more: one Publish may carry thousands of messages, and the
// text reaches log lines and dead-letter reasons. errors.Is and errors.As
// reach every one of them.
type refusals []error

func (r refusals) Error() string {
	n := min(len(r), maxListedFailures)
	lines := make([]string, n, n+1)
	for i, err := range r[:n] {
		lines[i] = err.Error()
	}
	if more := len(r) - n; more > 0 {
		lines = append(lines, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns every refusal.
func (r refusals) Unwrap() []error { return r }
