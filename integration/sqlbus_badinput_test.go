//go:build integration

package integration

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// sqlbusBadRow is one bad input of the SQL transport's catalogue: the
// message to publish to the listened destination, and what the reason of
// its dead letter must hold.
type sqlbusBadRow struct {
	name   string
	msg    func(t *testing.T, k sqlbusKeys, queue string) *message.Message
	reason []string
}

// sqlbusKeys is the fake KMS of the catalogue's listener, its Encrypter
// (under the listener's key, ownKey, the only one its Decrypter accepts)
// and an Encrypter under a second key the test disables.
type sqlbusKeys struct {
	kms      *encryptiontest.KMS
	ownKey   string
	own      *encryption.Encrypter
	other    *encryption.Encrypter
	otherKey string
}

// sqlbusBadRows lists the bad inputs a SQL destination can receive from
// another producer writing to its table.
func sqlbusBadRows() []sqlbusBadRow {
	decryptFailed := encryption.ErrDecrypt.Error()
	return []sqlbusBadRow{
		{"unknown type", func(t *testing.T, k sqlbusKeys, queue string) *message.Message {
			return sqlbusSealed(t, k.own, queue, sqlbusRawCommand("bad.Unheard", `{"amount":1}`))
		}, []string{cqrs.ErrUnknownType.Error() + `: "bad.Unheard"`}},
		{"payload that does not decode", func(t *testing.T, k sqlbusKeys, queue string) *message.Message {
			return sqlbusSealed(t, k.own, queue, sqlbusRawCommand("model.PayOrder", `{"amount":"many"`))
		}, []string{cqrs.ErrDecode.Error()}},
		{"garbled sequence", func(t *testing.T, k sqlbusKeys, queue string) *message.Message {
			m := sqlbusRawCommand("model.PayOrder", `{"amount":1}`)
			m.Metadata.Set(sourceflow.MetaSequence, "nine")
			return sqlbusSealed(t, k.own, queue, m)
		}, []string{cqrs.ErrEnvelope.Error(), sourceflow.MetaSequence}},
		{"sent in clear", func(_ *testing.T, _ sqlbusKeys, _ string) *message.Message {
			return sqlbusRawCommand("model.PayOrder", `{"amount":1}`)
		}, []string{decryptFailed, encryption.ErrNotEncrypted.Error()}},
		{"tampered ciphertext", func(t *testing.T, k sqlbusKeys, queue string) *message.Message {
			m := sqlbusEncrypted(t, k.own, queue)
			m.Payload[len(m.Payload)/2] ^= 0x01
			return m
		}, []string{decryptFailed, encryption.ErrTampered.Error()}},
		{"disabled KMS key", func(t *testing.T, k sqlbusKeys, queue string) *message.Message {
			m := sqlbusEncrypted(t, k.other, queue)
			k.kms.SetDisabled(k.otherKey, true)
			return m
		}, []string{decryptFailed, encryption.ErrKeyNotAllowed.Error()}},
	}
}

// TestSQLBusBadInputIsDeadLetteredWithItsReasonAndOthersFlow publishes each
// bad input of the catalogue to a listened SQL destination, between a
// command sent before and one sent after it, to a listener that decrypts
// what it consumes: the bad input is dead-lettered at once with a reason
// naming the problem and reaches no handler, and both commands are handled
// and applied once.
func TestSQLBusBadInputIsDeadLetteredWithItsReasonAndOthersFlow(t *testing.T) {
	for _, row := range sqlbusBadRows() {
		t.Run(row.name, func(t *testing.T) {
			eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
				runSQLBusBadRow(t, d, db, row)
			})
		})
	}
}

func runSQLBusBadRow(t *testing.T, d sourceflow.Dialect, db *sql.DB, row sqlbusBadRow) {
	queue := sqlbusName("badin", "")
	dropSQLBusTables(t, d, db, queue)
	tr, err := sqlbus.NewTransport(sqlbusConfig(d, db))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tr.Close()) })
	runCatalogueRow(t, tr, queue, row, func(m *message.Message) { publishRaw(t, sqlbusConfig(d, db), queue, m) },
		func(ctx context.Context) ([]cqrs.DeadLetter, error) {
			dead, _, err := sqlbus.DeadLetters(ctx, sqlbusConfig(d, db), queue, sqlbus.DeadLetterQuery{Max: 1000})
			return dead, err
		})
}

// runCatalogueRow runs one row of the catalogue on a listener of queue over tr
// that decrypts what it consumes: publish writes a message to queue as
// another producer would, and deadLetters reads queue's dead letters.
func runCatalogueRow(t *testing.T, tr cqrs.Transport, queue string, row sqlbusBadRow,
	publish func(*message.Message), deadLetters func(context.Context) ([]cqrs.DeadLetter, error)) {
	keys := newSQLBusKeys(t)
	// Only the listener's key is accepted, as awsbus's Decrypter does: a key
	// KMS merely refuses (disabled) is retried for encryption.KeyRefusalGrace.
	dec, err := encryption.NewDecrypter(keys.kms, encryption.DecrypterConfig{KeyIDs: []string{encryptiontest.ARN(keys.ownKey)}})
	require.NoError(t, err)
	runs := &ledger{}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "badin-worker", Transport: tr, Listen: []string{queue}, CloseTimeout: 10 * time.Second,
		HandlerMiddleware:   []message.HandlerMiddleware{memoryIdempotency(t), dec.Middleware},
		PublisherDecorators: []message.PublisherDecorator{keys.own.DecoratePublisher}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, svc.Close()) })
	saga := payOrders(t, svc, queue, runs, nil)
	startModel(t, svc)

	agg, ctx := cqrs.NewAggregate(svc, "payment"), context.Background()
	before, err := agg.Send(ctx, "before", PayOrder{Amount: 1})
	require.NoError(t, err)
	bad := row.msg(t, keys, queue)
	publish(bad)
	after, err := agg.Send(ctx, "after", PayOrder{Amount: 2})
	require.NoError(t, err)

	var dead []cqrs.DeadLetter
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var err error
		dead, err = deadLetters(ctx)
		require.NoError(c, err)
		assert.NotEmpty(c, dead)
		assert.Len(c, runs.messageIDs(svc.Name(), hPay), 2)
	}, 30*time.Second, 10*time.Millisecond, "the bad input is dead-lettered and both commands are handled")
	for _, dl := range dead { // at least once: a dead letter written again is the same message
		assert.Equal(t, bad.UUID, dl.Message.UUID, "only the bad input is dead-lettered")
	}
	t.Logf("%s=%q", sourceflow.MetaFailure, dead[0].Reason)
	for _, s := range row.reason {
		assert.Contains(t, dead[0].Reason, s)
	}
	assert.Equal(t, bad.Payload, dead[0].Message.Payload, "the dead letter keeps the body as it arrived")
	assert.ElementsMatch(t, []string{before.MessageID, after.MessageID}, runs.messageIDs(svc.Name(), hPay),
		"the bad input reaches no handler")
	for entity, amount := range map[string]int{"before": 1, "after": 2} {
		assert.Equal(t, Payment{Amount: amount, Commands: 1}, storedPayment(t, saga, entity), "%s applied once", entity)
	}
}

// newSQLBusKeys returns a fake KMS with two keys and an Encrypter under each.
func newSQLBusKeys(t *testing.T) sqlbusKeys {
	t.Helper()
	k := sqlbusKeys{kms: encryptiontest.New()}
	var err error
	k.ownKey = k.kms.CreateKey()
	k.own, err = encryption.NewEncrypter(k.kms, encryption.EncrypterConfig{KeyID: k.ownKey})
	require.NoError(t, err)
	k.otherKey = k.kms.CreateKey()
	k.other, err = encryption.NewEncrypter(k.kms, encryption.EncrypterConfig{KeyID: k.otherKey})
	require.NoError(t, err)
	return k
}

// sqlbusRawCommand returns a command for entity "bad" of type typ with
// payload, as another producer might write it.
func sqlbusRawCommand(typ, payload string) *message.Message {
	msg := message.NewMessage(watermill.NewUUID(), []byte(payload))
	cqrs.Envelope{Type: typ, MessageID: msg.UUID, EntityID: "bad", OccurredAt: time.Now()}.WriteTo(msg)
	return msg
}

// sqlbusEncrypted returns a well-formed PayOrder encrypted by enc for queue.
func sqlbusEncrypted(t *testing.T, enc *encryption.Encrypter, queue string) *message.Message {
	t.Helper()
	return sqlbusSealed(t, enc, queue, sqlbusRawCommand("model.PayOrder", `{"amount":5}`))
}

// sqlbusSealed returns msg encrypted by enc for queue: a producer holding
// the key sent what msg holds.
func sqlbusSealed(t *testing.T, enc *encryption.Encrypter, queue string, msg *message.Message) *message.Message {
	t.Helper()
	m, err := enc.Encrypt(context.Background(), queue, msg)
	require.NoError(t, err)
	return m
}
