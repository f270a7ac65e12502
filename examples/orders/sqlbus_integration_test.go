//go:build integration

package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// The unchanged service code runs on PostgreSQL tables: every order
// completes, with the state in memory or in the same database.
func TestRunOnPostgresTransport(t *testing.T) {
	dsn := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	if dsn == "" {
		t.Fatal("SOURCEFLOW_POSTGRES_DSN is not set; run `make test`, which starts PostgreSQL")
	}
	for _, store := range []string{"memory", "postgres"} {
		t.Run(store, func(t *testing.T) {
			p := runPrefix()
			dropTransportTables(t, dsn, p)
			var out, errOut bytes.Buffer
			args := []string{"-transport", "postgres", "-dsn", dsn, "-store", store, "-table-prefix", "sf" + p[1:len(p)-1] + "_",
				"-n", "50", "-print-traces", "-prefix", p}
			code := run(context.Background(), args, &out, &errOut)
			require.Equal(t, 0, code, errOut.String())
			for _, want := range []string{"transport:          postgres", "orders created:     50", "payments processed: 50",
				"orders completed:   50", "traces:             50"} {
				assert.Contains(t, out.String(), want)
			}
			assert.NotContains(t, errOut.String(), "level=ERROR", "a clean run and shutdown log no error")
		})
	}
}

// dropTransportTables drops, after the test, the tables of the flow's
// destinations under prefix.
func dropTransportTables(t *testing.T, dsn, prefix string) {
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		require.NoError(t, err)
		defer db.Close()
		d, err := newDestinations("fifo", prefix)
		require.NoError(t, err)
		for _, dest := range []string{d.ordersQueue, d.paymentsQueue, d.orderEvents, d.paymentEvents} {
			for _, topic := range []string{sqlbus.Topic(dest), sqlbus.DeadLetterTopic(dest)} {
				_, err := db.Exec(`DROP TABLE IF EXISTS "watermill_` + topic + `", "watermill_offsets_` + topic + `"`)
				require.NoError(t, err)
			}
		}
	})
}
