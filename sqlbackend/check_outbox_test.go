package sqlbackend_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// TestCheck_ReportsADroppedOutboxTableOnceBound checks that Check passes
// on a configured service's outbox before its first Bind (which makes the
// outbox's tables), and after it, and fails naming each dropped outbox
// table, and the outbox's remedy, once they are dropped.
func TestCheck_ReportsADroppedOutboxTableOnceBound(t *testing.T) {
	for _, d := range dialects {
		if d.dialect != sourceflow.SQLite { // the outbox runs on PostgreSQL and MySQL
			t.Run(string(d.dialect), func(t *testing.T) { checkDroppedOutboxTables(t, d) })
		}
	}
}

// checkDroppedOutboxTables runs TestCheck_ReportsADroppedOutboxTableOnceBound
// on d.
func checkDroppedOutboxTables(t *testing.T, d dialect) {
	ctx := context.Background()
	b := d.open(t, sqlbackend.Config{Outbox: true})
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	name := "billing_" + strings.TrimSuffix(uniquePrefix(), "_")
	cfg := cqrs.ServiceConfig{Name: name, Transport: inner}
	require.NoError(t, b.Configure(ctx, &cfg))
	topic := outbox.TopicFor(name)
	t.Cleanup(func() { dropOutboxTables(t, b.Store().DB(), topic) })
	require.NoError(t, b.Check(ctx), "the outbox's tables are checked before the Bind that makes them")

	require.NoError(t, cfg.Transport.Bind(ctx, sourceflow.Binding{Service: name}))
	require.NoError(t, b.Check(ctx))
	dropped := []string{"watermill_offsets_" + topic, "watermill_" + topic + "_dead_letters", "sourceflow_outbox_held_" + topic}
	for _, table := range dropped {
		_, err := b.Store().DB().ExecContext(ctx, "DROP TABLE "+table)
		require.NoError(t, err)
	}

	err = b.Check(ctx)
	require.ErrorIs(t, err, sqlbackend.ErrMissingTable)
	assert.ErrorContains(t, err, "table missing: "+strings.Join(dropped, ", ")+" (")
	assert.ErrorContains(t, err, "the outbox makes its tables")
}

// dropOutboxTables drops the tables of the outbox topic.
func dropOutboxTables(t testing.TB, db *sql.DB, topic string) {
	for _, table := range outbox.Tables(topic) {
		_, err := db.Exec("DROP TABLE IF EXISTS " + table)
		assert.NoError(t, err)
	}
}
