package sqlbus

import "errors"

// ErrUnsupportedDialect is reported by Config.Validate for a dialect
// watermill-sql has no Pub/Sub for (anything but Postgres and MySQL).
var ErrUnsupportedDialect = errors.New("sqlbus: unsupported dialect")
