package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A check cut short by its caller's context concludes nothing; one the
// server did not answer within its own bound, or answered, concludes.
func TestWarnPlaintextConcludesUnlessItsCallersContextEnded(t *testing.T) {
	f := &sqldbtest.DB{}
	f.HangOn("*")
	db := f.Open(t)
	ended, cancel := context.WithCancel(t.Context())
	cancel()

	assert.False(t, sqldb.WarnPlaintext(ended, db, sqldb.Postgres, "", time.Minute, watermill.NopLogger{}, "sqlbus"),
		"a check whose caller's context ended")
	assert.True(t, sqldb.WarnPlaintext(t.Context(), db, sqldb.Postgres, "", 10*time.Millisecond, watermill.NopLogger{}, "sqlbus"),
		"a check the server did not answer in time")
	f.HangOn("")
	f.Rows = sqldbtest.PostgresLink(false, "10.0.0.5", 5432)
	assert.True(t, sqldb.WarnPlaintext(t.Context(), db, sqldb.Postgres, "", time.Minute, watermill.NopLogger{}, "sqlbus"),
		"a check the server answered")
}
