//go:build integration

package sqlbackend_test

// The integration run (make test) starts PostgreSQL and must exercise it: a
// missing DSN fails there instead of skipping.
const postgresRequired = true
