package awsbus

import "strings"

// refusals joins the errors of the messages of one publish refused before
// sending. Its text names the first ten (maxListed), one a line, then
// how many more: one Publish may carry thousands of messages, and the
// text reaches log lines and dead-letter reasons. errors.Is and errors.As
// reach every one of them.
type refusals []error

func (r refusals) Error() string {
	return strings.Join(listed(len(r), func(i int) string { return r[i].Error() }), "\n")
}

// Unwrap returns every refusal.
func (r refusals) Unwrap() []error { return r }
