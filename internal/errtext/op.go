package errtext

// OpError is WrapOp's error: that of operation Op on Subject in the
// package whose errors start with Prefix. It carries them as data, so
// that a caller that would name the operation again finds it with
// errors.As instead of searching the error's text.
type OpError struct {
	// Prefix starts the text of the package's errors ("sqlstore: ").
	Prefix string
	// Op is the operation ("complete").
	Op string
	// Subject is what the operation was on (a key's text).
	Subject string

	drop string
	err  error
}

// WrapOp returns err as the error of operation op on subject, in the words
// of the package whose errors start with prefix: "<prefix><op> <subject>:
// <err's text>", worded as Wrap words it (drop left out where err's text
// starts with it; a nil err gives the context alone). errors.Is and
// errors.As reach err.
func WrapOp(prefix, op, subject, drop string, err error) error {
	return &OpError{Prefix: prefix, Op: op, Subject: subject, drop: drop, err: err}
}

// Error implements error.
func (e *OpError) Error() string {
	return text(e.Prefix+e.Op+" "+e.Subject, e.drop, e.err)
}

// Unwrap returns the wrapped error.
func (e *OpError) Unwrap() error { return e.err }
