package sqlstore

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// refused marks as sourceflow.Permanent an error with which the database
// refused a write's values (see invalidData): the same values are refused
// on every try, so the message is dead-lettered with the reason instead of
// delivered again. Other errors, a lost connection, a deadlock, a
// serialization failure or a lock wait timeout among them, are returned as
// they are, to be retried.
func refused(err error) error {
	if classify(err) != invalidData {
		return err
	}
	return sourceflow.Permanent(fmt.Errorf("the database refused the values: %w", err))
}
