//go:build integration

package integration

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusConformance runs the cqrs transport conformance suite on the SQL
// transport, on PostgreSQL and on MariaDB/MySQL: every service instance has
// its own transport on the shared database; the dead letters are read with
// sqlbus.DeadLetters.
func TestSQLBusConformance(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		cfg := sqlbusConfig(d, db)
		cqrstest.RunTransport(t, cqrstest.TransportHarness{
			New: func(t *testing.T) cqrs.Transport {
				tr, err := sqlbus.NewTransport(cfg)
				require.NoError(t, err)
				t.Cleanup(func() { assert.NoError(t, tr.Close(), "close transport") })
				return tr
			},
			Destination: func(t *testing.T, kind sourceflow.Kind, ordered bool) string {
				suffix := ""
				if ordered {
					suffix = ".fifo"
				}
				dest := sqlbusName("tc-"+kind.String(), suffix)
				dropSQLBusTables(t, d, db, dest)
				return dest
			},
			DeadLetters: func(t *testing.T, destination string) map[string]string {
				dead, _, err := sqlbus.DeadLetters(context.Background(), cfg, destination, sqlbus.DeadLetterQuery{Max: 1000})
				require.NoError(t, err)
				out := map[string]string{}
				for _, dl := range dead {
					id := dl.Message.Metadata.Get(sourceflow.MetaMessageID)
					if id == "" {
						id = dl.Message.UUID
					}
					out[id] = dl.Reason
				}
				return out
			},
			Instances: 2,
			Ordered:   true,
			Timeout:   30 * time.Second,
		})
	})
}
