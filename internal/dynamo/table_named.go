package dynamo

import (
	"errors"
	"fmt"
)

// tableNamed is an error whose text names the table of its request already
// (a request cut unanswered, or still failing after its retries), so that
// NameTable does not name it twice.
type tableNamed struct{ err error }

func (e tableNamed) Error() string { return e.err.Error() }

func (e tableNamed) Unwrap() error { return e.err }

// NameTable returns err, the error of a request on table that Retry.Do
// returned, naming table: as it is when Do named it already, else
// prefixed with it. It returns nil for nil.
func NameTable(table string, err error) error {
	if err == nil || errors.As(err, new(tableNamed)) {
		return err
	}
	return fmt.Errorf("dynamodb: %s: %w", tables(table), err)
}
