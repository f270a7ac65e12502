//go:build integration

package integration

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// TestOutboxDatabaseOutageLosesNothing cuts a service sending through an
// outbox off its database and brings it back: a transaction's send during
// the outage fails with an error naming the cause, one a retry may cure;
// every command committed before the outage (its forwarding under way when
// it began) or after it is forwarded and handled, each applied once; no
// row is dead-lettered.
func TestOutboxDatabaseOutageLosesNothing(t *testing.T) {
	for _, tc := range sqlbusDialects {
		t.Run(string(tc.dialect), func(t *testing.T) {
			t.Parallel()
			d, direct := tc.dialect, sqlbusDB(t, tc.dialect, tc.env)
			db, proxy := proxiedDB(t, d, tc.env)
			ctx := context.Background()
			topic := strings.ReplaceAll(uniqueName("obx_outage", ""), "-", "_")
			dropOutboxTablesOf(t, d, direct, topic)
			store := outageStore(t, d, db, direct)
			inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
			require.NoError(t, err)
			cfg := outbox.Config{DB: db, Dialect: d, Transport: inner, Topic: topic}
			box, err := outbox.New(cfg)
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, box.Close()) })

			queue := uniqueName("obx-orders", "")
			runs := &ledger{}
			svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "outbox-outage", Transport: box, CommandStore: store.Commands(),
				Listen: []string{queue}, CloseTimeout: 10 * time.Second,
				HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)}})
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, svc.Close()) })
			saga := payOrders(t, svc, queue, runs, nil)
			startModel(t, svc)

			agg := cqrs.NewAggregate(svc, "payment")
			sendInTx := func(ctx context.Context, entity string) (cqrs.Envelope, error) {
				var env cqrs.Envelope
				err := store.WithinTx(ctx, func(ctx context.Context) error {
					var err error
					env, err = agg.Send(ctx, entity, PayOrder{Amount: 1})
					return err
				})
				return env, err
			}
			// send sends in a transaction as a client does that may meet the
			// outage's end: with an idempotency key, again after an error a
			// retry may cure.
			var sent []string
			send := func(entity string) {
				keyed := cqrs.ContextWithIdempotencyKey(ctx, entity)
				var env cqrs.Envelope
				var err error
				require.Eventually(t, func() bool {
					env, err = sendInTx(keyed, entity)
					return err == nil || sourceflow.IsPermanent(err)
				}, outagePatience, 20*time.Millisecond, "send %s", entity)
				require.NoError(t, err, "send %s: a permanent error, no retry cures it", entity)
				sent = append(sent, env.MessageID)
			}
			for i := range 20 {
				send(fmt.Sprintf("before-%d", i))
			}
			proxy.refuse()
			_, err = sendInTx(ctx, "during")
			require.Error(t, err, "a transaction without a database fails")
			assert.Regexp(t, outageCause, err.Error(), "the error names the cause")
			assert.False(t, sourceflow.IsPermanent(err), "an outage may pass: the transaction may be made again")
			t.Logf("transaction during the outage: %v", err)
			proxy.restore(t)
			for i := range 20 {
				send(fmt.Sprintf("after-%d", i))
			}

			assertOutageLostNothing(t, svc, saga, runs, sent)
			cfg.DB = direct
			letters, _, err := outbox.DeadLetters(ctx, cfg, outbox.DeadLetterQuery{Max: 1000})
			require.NoError(t, err)
			assert.Empty(t, letters, "an outage dead-letters no row")
			assert.Empty(t, inner.DeadLetters())
		})
	}
}

// outageEntities are the entities the outage tests send a command for.
func outageEntities() []string {
	var out []string
	for i := range 20 {
		out = append(out, fmt.Sprintf("before-%d", i), fmt.Sprintf("after-%d", i))
	}
	return out
}

// outageStore returns a cqrs SQL store on db with tables of its own,
// dropped after the test through direct.
func outageStore(t *testing.T, d sourceflow.Dialect, db, direct *sql.DB) *sqlstore.Store {
	t.Helper()
	prefix := strings.ReplaceAll(uniqueName("sfo", ""), "-", "_") + "_"
	store, err := sqlstore.New(context.Background(), db, sqlstore.Config{Dialect: d, TablePrefix: prefix})
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, suffix := range []string{"sequences", "commands", "entities", "views", "schema_version"} {
			_, err := direct.Exec("DROP TABLE IF EXISTS " + quoteIdent(d, prefix+suffix))
			assert.NoError(t, err)
		}
	})
	return store
}

// dropOutboxTablesOf drops the tables of the outbox topic on d after the
// test.
func dropOutboxTablesOf(t *testing.T, d sourceflow.Dialect, db *sql.DB, topic string) {
	t.Cleanup(func() {
		for _, table := range []string{"watermill_" + topic, "watermill_offsets_" + topic,
			"watermill_" + topic + "_dead_letters", "watermill_offsets_" + topic + "_dead_letters"} {
			_, err := db.Exec("DROP TABLE IF EXISTS " + quoteIdent(d, table))
			assert.NoError(t, err)
		}
	})
}
