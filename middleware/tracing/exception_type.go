package tracing

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// errSample is the error the carrier samples below are built around.
var errSample = errors.New("cause")

// permanentMark is the type of sourceflow.Permanent's mark, which carries
// the failure it marks first and sourceflow.ErrPermanent after it (and of
// sourceflow.StoreUnavailable's, the same type with its own sentinel).
var permanentMark = reflect.TypeOf(sourceflow.Permanent(errSample))

// carriers are the types of the errors that only carry another out of the
// pipeline: fmt.Errorf's %w (the cqrs dispatcher's "handler ..." context),
// errors.Join (the idempotency middleware's failure and release), and
// sourceflow's permanent, store-unavailable and retry-after marks. None names the failure; the
// error it carries does.
var carriers = map[reflect.Type]bool{
	reflect.TypeOf(fmt.Errorf("%w", errSample)):                 true,
	reflect.TypeOf(fmt.Errorf("%w%w", errSample, errSample)):    true,
	reflect.TypeOf(errors.Join(errSample)):                      true,
	permanentMark:                                               true,
	reflect.TypeOf(sourceflow.RetryAfter(errSample, time.Hour)): true,
}

// exceptionType is the exception.type of err, named as the SDK's
// RecordError names a type, but of the error the carriers around err
// carry, so that a handler's failure is named by its own type; a carrier of
// several errors (errors.Join of a failure and a failed release) keeps its
// own.
func exceptionType(err error) string {
	for carriers[reflect.TypeOf(err)] {
		next := carried(err)
		if next == nil {
			break
		}
		err = next
	}
	t := reflect.TypeOf(err)
	if t.PkgPath() == "" && t.Name() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}

// carried is the one error the carrier err carries: the only one, or a
// permanent mark's first; nil when it carries several.
func carried(err error) error {
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return u.Unwrap()
	case interface{ Unwrap() []error }:
		if errs := u.Unwrap(); len(errs) == 1 || (len(errs) > 0 && reflect.TypeOf(err) == permanentMark) {
			return errs[0]
		}
	}
	return nil
}
