package sourceflow

import "errors"

// markedError carries err marked with mark, a sentinel errors.Is finds
// (ErrPermanent, ErrStoreUnavailable); its text is err's, and err stays
// reachable with errors.Is and errors.As.
type markedError struct{ err, mark error }

func (e markedError) Error() string { return e.err.Error() }

func (e markedError) Unwrap() []error { return []error{e.err, e.mark} }

// markWith marks err with mark. A nil err is nil, and an error marked so
// already is returned as it is.
func markWith(err, mark error) error {
	if err == nil || errors.Is(err, mark) {
		return err
	}
	return markedError{err: err, mark: mark}
}
