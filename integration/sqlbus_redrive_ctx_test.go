//go:build integration

package integration

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusRedriveEndsWithItsContext: a Redrive whose insert into the
// destination waits on a lock another session holds returns once its
// context ends, leaving the dead letter where it was.
func TestSQLBusRedriveEndsWithItsContext(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		dest := sqlbusName("redrive-ctx", "")
		dropSQLBusTables(t, d, db, dest)
		cfg := sqlbusConfig(d, db)
		writeRows(t, d, db, sqlbus.DeadLetterTopic(dest), message.NewMessage(watermill.NewUUID(), []byte("dead")))
		writeRows(t, d, db, sqlbus.Topic(dest), message.NewMessage(watermill.NewUUID(), []byte("live")))

		// Another session holds the destination's table.
		holder, err := db.Conn(context.Background())
		require.NoError(t, err)
		release := func() {}
		if d == sourceflow.MySQL {
			_, err = holder.ExecContext(context.Background(), "LOCK TABLES `watermill_"+sqlbus.Topic(dest)+"` WRITE")
			require.NoError(t, err)
			release = func() { _, _ = holder.ExecContext(context.Background(), "UNLOCK TABLES") }
		} else {
			tx, err := holder.BeginTx(context.Background(), nil)
			require.NoError(t, err)
			_, err = tx.Exec(`LOCK TABLE "watermill_` + sqlbus.Topic(dest) + `" IN ACCESS EXCLUSIVE MODE`)
			require.NoError(t, err)
			release = func() { _ = tx.Rollback() }
		}
		released := false
		releaseOnce := func() {
			if !released {
				released = true
				release()
				require.NoError(t, holder.Close())
			}
		}
		t.Cleanup(releaseOnce)

		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, err := sqlbus.Redrive(ctx, cfg, dest)
			done <- err
		}()
		select {
		case err := <-done:
			assert.Error(t, err, "Redrive fails with its context")
		case <-time.After(15 * time.Second):
			releaseOnce()
			<-done
			t.Fatal("Redrive went on 15s after its context ended, waiting on the destination's lock")
		}
		releaseOnce()
		left, _, err := sqlbus.DeadLetters(context.Background(), cfg, dest, sqlbus.DeadLetterQuery{Max: 1000})
		require.NoError(t, err)
		assert.Len(t, left, 1, "the dead letter stays where it was")
	})
}

// writeRows writes msgs into the table of topic with watermill-sql's
// publisher and the transport's schema, creating the table.
func writeRows(t *testing.T, d sourceflow.Dialect, db *sql.DB, topic string, msgs ...*message.Message) {
	t.Helper()
	payload := func(string) string { return "BYTEA" }
	if d == sourceflow.MySQL {
		payload = func(string) string { return "LONGBLOB" }
	}
	pub, err := wsql.NewPublisher(wsql.BeginnerFromStdSQL(db), wsql.PublisherConfig{
		SchemaAdapter: sqldb.WatermillSchema("sqlbus", d, 10, payload), AutoInitializeSchema: true}, watermill.NopLogger{})
	require.NoError(t, err)
	require.NoError(t, pub.Publish(topic, msgs...))
	require.NoError(t, pub.Close())
}
