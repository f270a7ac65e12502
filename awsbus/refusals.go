package awsbus

import "github.com/sourceflow-go/sourceflow/internal/errtext"

// refusals joins the errors of the messages of one publish refused before
// sending. Its text names the first ten (errtext.List), one a line, then
// how many more: one Publish may carry thousands of messages, and the
// text reaches log lines and dead-letter reasons. errors.Is and errors.As
// reach every one of them.
type refusals []error

func (r refusals) Error() string {
	return errtext.List(len(r), "\n", "\n", func(i int) string { return r[i].Error() })
}

// Unwrap returns every refusal.
func (r refusals) Unwrap() []error { return r }
