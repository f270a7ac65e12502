package sqlbus

import "errors"

// ErrUnsupportedDialect is reported by Config.Validate for a dialect
// watermill-sql has no Pub/Sub for (anything but Postgres and MySQL).
var ErrUnsupportedDialect = errors.New("sqlbus: unsupported dialect")

// ErrInvalidMessage is returned, marked permanent (sourceflow.IsPermanent),
// by a publish of a message a topic's table cannot hold unchanged: an id
// longer than 36 characters, not valid UTF-8 or holding a NUL byte,
// metadata that is not valid UTF-8, or, on MySQL, a row larger than the
// server's max_allowed_packet. The error names each such message and why;
// the other messages of the publish are published.
var ErrInvalidMessage = errors.New("sqlbus: message cannot be stored")
