//go:build integration

package integration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusPermanentFailureIsDeadLetteredWithItsReason sends commands to a
// saga that refuses one entity permanently: that command lands in the
// destination's dead-letter table with its reason, readable through
// sqlbus.DeadLetters, while the commands of the other entities, sent before
// and after it, flow.
func TestSQLBusPermanentFailureIsDeadLetteredWithItsReason(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		queue := sqlbusName("perm", ".fifo")
		dropSQLBusTables(t, d, db, queue)
		runs := &ledger{}
		svc := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "perm-worker", Listen: []string{queue},
			HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)}})
		require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", queue))
		saga := cqrs.NewSaga[Payment](svc, "payment")
		require.NoError(t, cqrs.Handle(saga, func(_ context.Context, s *Payment, c PayOrder, env cqrs.Envelope) ([]any, error) {
			if env.EntityID == "declined" {
				return nil, sourceflow.Permanent(errors.New("card declined"))
			}
			runs.add(svc.Name(), hPay, env)
			s.Amount += c.Amount
			return nil, nil
		}))
		startModel(t, svc)

		agg, ctx := cqrs.NewAggregate(svc, "payment"), context.Background()
		var good []string
		var bad cqrs.Envelope
		for i, entity := range []string{"ok-1", "ok-2", "declined", "ok-3", "ok-4"} {
			env, err := agg.Send(ctx, entity, PayOrder{Amount: i})
			require.NoError(t, err)
			if entity == "declined" {
				bad = env
				continue
			}
			good = append(good, env.MessageID)
		}
		var dead []cqrs.DeadLetter
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			var err error
			dead, _, err = sqlbus.DeadLetters(ctx, sqlbusConfig(d, db), queue, sqlbus.DeadLetterQuery{Max: 1000})
			require.NoError(c, err)
			assert.NotEmpty(c, dead)
			assert.Len(c, runs.messageIDs(svc.Name(), hPay), len(good))
		}, 30*time.Second, 10*time.Millisecond, "the refused command is dead-lettered and the others are handled")
		for _, dl := range dead { // at least once: a redelivered dead letter is the same message
			assert.Equal(t, bad.MessageID, dl.Message.Metadata.Get(sourceflow.MetaMessageID), "only the refused command is dead-lettered")
		}
		assert.Equal(t, "model.PayOrder", dead[0].Message.Metadata.Get(sourceflow.MetaType))
		assert.Contains(t, dead[0].Reason, "card declined")
		assert.JSONEq(t, `{"amount":2}`, string(dead[0].Message.Payload))
		assert.Equal(t, "declined", dead[0].Message.Metadata.Get(sourceflow.MetaEntityID))
		assert.ElementsMatch(t, good, runs.messageIDs(svc.Name(), hPay))
		_, found, err := saga.Load(ctx, "declined")
		require.NoError(t, err)
		assert.False(t, found, "the refused command changed no state")
	})
}

// TestSQLBusMessageWithoutEnvelopeIsDeadLettered publishes a plain Watermill
// message (no SourceFlow metadata, a body that is not even JSON) to a
// listened destination: it is dead-lettered with the reason, its body kept
// byte for byte, and a command sent after it is handled.
func TestSQLBusMessageWithoutEnvelopeIsDeadLettered(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		queue := sqlbusName("bare", "")
		dropSQLBusTables(t, d, db, queue)
		runs := &ledger{}
		svc := sqlbusService(t, sqlbusConfig(d, db), cqrs.ServiceConfig{Name: "bare-worker", Listen: []string{queue}})
		require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", queue))
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](svc, "payment"), func(_ context.Context, _ *Payment, _ PayOrder, env cqrs.Envelope) ([]any, error) {
			runs.add(svc.Name(), hPay, env)
			return nil, nil
		}))
		startModel(t, svc)

		bare := message.NewMessage(watermill.NewUUID(), []byte("not json \x00\xff"))
		publishRaw(t, sqlbusConfig(d, db), queue, bare)
		badRow := insertBadMetadataRow(t, d, db, queue)
		good, err := cqrs.NewAggregate(svc, "payment").Send(context.Background(), "order-1", PayOrder{Amount: 1})
		require.NoError(t, err)

		var dead []cqrs.DeadLetter
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			var err error
			dead, _, err = sqlbus.DeadLetters(context.Background(), sqlbusConfig(d, db), queue, sqlbus.DeadLetterQuery{Max: 1000})
			require.NoError(c, err)
			assert.GreaterOrEqual(c, len(dead), 2)
			assert.Len(c, runs.messageIDs(svc.Name(), hPay), 1)
		}, 30*time.Second, 10*time.Millisecond, "the bare message and the bad row are dead-lettered and the command is handled")
		byID := map[string]cqrs.DeadLetter{}
		for _, dl := range dead {
			byID[dl.Message.UUID] = dl
		}
		require.Len(t, byID, 2, "only the bare message and the bad row are dead-lettered")
		require.Contains(t, byID, bare.UUID)
		require.Contains(t, byID, badRow)
		assert.Empty(t, byID[bare.UUID].Message.Metadata.Get(sourceflow.MetaMessageID))
		assert.Contains(t, byID[bare.UUID].Reason, cqrs.ErrEnvelope.Error())
		assert.Equal(t, []byte("not json \x00\xff"), []byte(byID[bare.UUID].Message.Payload))
		assert.True(t, strings.HasPrefix(byID[badRow].Reason, "the row's metadata column is not a JSON object of strings"),
			"the reason says why the row could not be handled, first: %q", byID[badRow].Reason)
		assert.Contains(t, byID[badRow].Message.Metadata.Get("sf_bad_row"), "metadata column is not a JSON object of strings",
			"the dead letter says why its metadata was dropped")
		assert.Equal(t, []string{good.MessageID}, runs.messageIDs(svc.Name(), hPay))
		t.Logf("%s: %s=%q; bad row: %q", d, sourceflow.MetaFailure, byID[bare.UUID].Reason, byID[badRow].Reason)
	})
}

// publishRaw publishes msgs to destination through a transport of its own,
// bound for a service that routes nothing: what any Watermill producer
// writing to the table would do.
func publishRaw(t *testing.T, cfg sqlbus.Config, destination string, msgs ...*message.Message) {
	t.Helper()
	tr, err := sqlbus.NewTransport(cfg)
	require.NoError(t, err)
	defer func() { require.NoError(t, tr.Close()) }()
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: fmt.Sprintf("raw-%d", nameSeq.Add(1))}))
	pub, err := tr.Publisher(destination)
	require.NoError(t, err)
	require.NoError(t, pub.Publish(destination, msgs...))
}

// insertBadMetadataRow writes a row whose metadata is JSON but not an object
// of strings straight into destination's table, as a foreign writer might,
// and returns its uuid.
func insertBadMetadataRow(t *testing.T, d sourceflow.Dialect, db *sql.DB, destination string) string {
	t.Helper()
	id := watermill.NewUUID()
	q := `INSERT INTO "watermill_` + sqlbus.Topic(destination) + `" ("uuid", "payload", "metadata", "transaction_id") VALUES ($1, $2, $3, pg_current_xact_id())`
	if d == sourceflow.MySQL {
		q = "INSERT INTO `watermill_" + sqlbus.Topic(destination) + "` (`uuid`, `payload`, `metadata`) VALUES (?, ?, ?)"
	}
	_, err := db.ExecContext(context.Background(), q, id, []byte(`{}`), `{"sf_type": 7}`)
	require.NoError(t, err)
	return id
}
