package cqrs

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// errPrefix starts the text of this package's errors.
const errPrefix = "cqrs: "

// wrap returns err after the context format and args describe (say
// "cqrs: start \"svc\""); nil err gives the context alone. When err's text
// starts with "cqrs: " too (one of this package's), that prefix is not
// repeated after the context: a Start's error, which wraps its steps'
// errors, which may wrap this package's sentinels, says "cqrs:" once per
// line (see errtext.Wrap). errors.Is and errors.As reach err.
func wrap(err error, format string, args ...any) error {
	return errtext.Wrap(fmt.Sprintf(format, args...), errPrefix, err)
}
