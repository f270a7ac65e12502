package encryption_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// Two authentic encrypted messages of two types, sent to one destination
// with one message id: both are handled, in the consume order of the Stack
// (idempotency before decryption). A producer allowed to send one type
// cannot have another type's message acknowledged as a duplicate.
func TestIdempotencyHandlesEncryptedMessagesOfTwoTypesSharingAnID(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{
		Destination: func(*message.Message) string { return testDest }})
	store, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, store.Close()) })
	idem, err := idempotency.NewMiddleware(store, idempotency.MiddlewareConfig{Consumer: "svc/orders"})
	require.NoError(t, err)
	var handled []string
	h := idem.Middleware(f.dec.Middleware(func(m *message.Message) ([]*message.Message, error) {
		handled = append(handled, m.Metadata.Get(sourceflow.MetaType)+" "+string(m.Payload))
		return nil, nil
	}))
	send := func(typ, payload string) {
		out, err := f.enc.Encrypt(context.Background(), testDest, newMsg(typ, []byte(payload)))
		require.NoError(t, err)
		require.Equal(t, "m-1", out.Metadata.Get(sourceflow.MetaMessageID))
		_, err = h(out)
		require.NoError(t, err)
	}
	send("billing.Refund", `{"amount":1}`)
	send(testType, `{"order":"o-1"}`)
	send(testType, `{"order":"o-1"}`) // a redelivery
	assert.Equal(t, []string{`billing.Refund {"amount":1}`, testType + ` {"order":"o-1"}`}, handled)
}
