package errtext

// Joined joins the errors of many items, the messages of one publish
// refused before sending among them. Its text names the first MaxListed
// (List), one a line, then how many more: one Publish may carry thousands
// of messages, and the text reaches log lines and dead-letter reasons.
// errors.Is and errors.As reach every one of them.
type Joined []error

func (j Joined) Error() string {
	return List(len(j), "\n", "\n", func(i int) string { return j[i].Error() })
}

// Unwrap returns every error.
func (j Joined) Unwrap() []error { return j }
