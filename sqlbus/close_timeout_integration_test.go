//go:build integration

package sqlbus_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

type closeCmd struct{ N int }

type closeEntity struct{ N int }

// Config.CloseTimeout bounds how long a service's Close waits for a
// handler that runs until its context ends: the handler's context ends
// with it, and the Close error names it, as the transport's bound beyond
// the service's own.
func TestCloseTimeoutBoundsTheServicesClose(t *testing.T) {
	db := postgresDB(t)
	dest := "close_" + strings.ToLower(rand.Text()[:10])
	dropTables(t, db, dest)
	tr, err := sqlbus.NewTransport(sqlbus.Config{DB: db, Dialect: sourceflow.Postgres, PollInterval: 20 * time.Millisecond,
		CloseTimeout: 700 * time.Millisecond})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "closer-" + dest, Transport: tr, Listen: []string{dest}, CloseTimeout: 10 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, cqrs.RegisterCommand[closeCmd](svc, "close.Cmd", dest))
	running, ended := make(chan struct{}, 1), make(chan struct{})
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[closeEntity](svc, "entity"), func(ctx context.Context, _ *closeEntity, _ closeCmd, _ cqrs.Envelope) ([]any, error) {
		select {
		case running <- struct{}{}:
			<-ctx.Done()
			close(ended)
		default: // a later delivery of the message
		}
		return nil, ctx.Err()
	}))
	require.NoError(t, svc.Start(context.Background()))
	_, err = svc.CommandBus().Send(context.Background(), "e-1", closeCmd{N: 1})
	require.NoError(t, err)
	<-running
	err = svc.Close()
	require.ErrorContains(t, err, "handlers, or their subscriptions settling their messages, still running after ServiceConfig.CloseTimeout 10ms; "+
		"closing its subscriptions waits for them until the transport's PubSubConfig.CloseTimeout 700ms after the close began")
	<-ended // the transport's bound, not its 20s default, ended the handler's context
}

// postgresDB opens SOURCEFLOW_POSTGRES_DSN and closes it after the test.
func postgresDB(t *testing.T) *sql.DB {
	t.Helper()
	dsn := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	if dsn == "" {
		t.Fatal("SOURCEFLOW_POSTGRES_DSN is not set; run `make test` (it starts PostgreSQL)")
	}
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// dropTables drops, after the test, the tables of dest and its dead letters.
func dropTables(t *testing.T, db *sql.DB, dest string) {
	t.Cleanup(func() {
		for _, topic := range []string{sqlbus.Topic(dest), sqlbus.DeadLetterTopic(dest)} {
			for _, table := range []string{"watermill_" + topic, "watermill_offsets_" + topic} {
				_, err := db.Exec(`DROP TABLE IF EXISTS "` + table + `"`)
				assert.NoError(t, err)
			}
		}
	})
}
