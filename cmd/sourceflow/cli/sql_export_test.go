package cli

import (
	"errors"
	"io"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// ParseDSN returns how the sql commands name the DSN dsn (with --dialect
// dialect, "" to guess it) in their messages: the DSN without its password,
// and the dialect and host.
func ParseDSN(dsn, dialect string) (redacted, where string, err error) {
	t, err := connFlags{dsn: dsn, dialect: dialect}.resolveDSN()
	return t.redacted, t.where(), err
}

// DriverDSN returns the DSN the sql commands give the driver for dsn (with
// --dialect dialect, "" to guess it).
func DriverDSN(dsn, dialect string) (string, error) {
	t, err := connFlags{dsn: dsn, dialect: dialect}.resolveDSN()
	return t.driverDSN(), err
}

// Scrub returns the text of an error holding the password of dsn as the
// sql commands print it.
func Scrub(dsn, text string) string { return ScrubAs(dsn, "", text) }

// ScrubAs is Scrub with --dialect dialect ("" to guess it).
func ScrubAs(dsn, dialect, text string) string {
	t, err := connFlags{dsn: dsn, dialect: dialect}.resolveDSN()
	if err != nil {
		return err.Error()
	}
	return t.scrub(errors.New(text)).Error()
}

// SQLDeadLettersJSON writes dead as sql dead-letters -o json prints them
// (--payload when payload is set; an outbox's when isOutbox is set).
func SQLDeadLettersJSON(w io.Writer, dead []cqrs.DeadLetter, isOutbox, payload bool) error {
	return writeJSON(w, sqlLetters(dead, isOutbox, payload))
}
