package sqldbtest

import (
	"os"
	"path/filepath"
	"testing"
)

// DSN returns the DSN of a test database of dialect: for "sqlite" a fresh
// file in the test's temporary directory, otherwise the value of env.
// Without that value the test fails when required (the integration run,
// whose environment starts PostgreSQL) and is skipped otherwise, saying
// which tests did not run.
func DSN(t testing.TB, dialect, env string, required bool) string {
	t.Helper()
	if dialect == "sqlite" {
		return "file:" + filepath.Join(t.TempDir(), "test.db")
	}
	if dsn := os.Getenv(env); dsn != "" {
		return dsn
	}
	msg := env + " is not set: the " + dialect + " tests of " + t.Name() + " did NOT run (make test starts a database and sets it)"
	if required {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED: " + msg)
	return ""
}
