package idempotency

import "errors"

// joinErrors is errors.Join(err, also) but err itself when also is nil (and
// also when err is): a lone error is not wrapped in a join of one, so what
// records it (a span's exception.type, errors.As on its type) sees the
// error as it was returned.
func joinErrors(err, also error) error {
	switch {
	case also == nil:
		return err
	case err == nil:
		return also
	}
	return errors.Join(err, also)
}
