package sqldb_test

import (
	"database/sql/driver"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// ZonelessOnce looks each table up once and warns of each zoneless one
// once, naming the component; a failed lookup is logged at debug level
// only and leaves its tables to be looked up again.
func TestZonelessOnceLooksEachTableUpOnce(t *testing.T) {
	f := &sqldbtest.DB{Rows: map[string][]driver.Value{"pg_attribute": {"watermill_orders"}}}
	db := f.Open(t)
	logger := watermill.NewCaptureLogger()
	var once sqldb.ZonelessOnce

	f.FailOn("pg_attribute", errors.New("permission denied"))
	once.Warn(t.Context(), db, sqldb.Postgres, logger, "sqlbus", "watermill_orders")
	assert.Empty(t, logger.Captured()[watermill.InfoLogLevel])
	assert.Len(t, logger.Captured()[watermill.DebugLogLevel], 1, "the failed lookup")

	f.FailOn("", nil)
	once.Warn(t.Context(), db, sqldb.Postgres, logger, "sqlbus", "watermill_orders")
	once.Warn(t.Context(), db, sqldb.Postgres, logger, "sqlbus", "watermill_orders")
	assert.Len(t, f.Ran("pg_attribute"), 2, "looked up again after the failure, then no more")
	warned := logger.Captured()[watermill.InfoLogLevel]
	require.Len(t, warned, 1)
	assert.Equal(t, "sqlbus: "+sqldb.ZonelessWarning("watermill_orders"), warned[0].Msg)
	assert.Equal(t, "watermill_orders", warned[0].Fields["table"])
}

// On MySQL nothing is looked up.
func TestZonelessOnceQueriesNothingOnMySQL(t *testing.T) {
	f := &sqldbtest.DB{}
	var once sqldb.ZonelessOnce
	once.Warn(t.Context(), f.Open(t), sqldb.MySQL, watermill.NewCaptureLogger(), "sqlbus", "watermill_orders")
	assert.Empty(t, f.Ran(""))
}
