//go:build !integration

package sqlbackend_test

// The unit run has no database environment; the PostgreSQL and MySQL cases
// are skipped loudly and run in the integration run (make test).
const postgresRequired = false
