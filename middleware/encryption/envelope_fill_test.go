package encryption_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A message sent without SourceFlow's envelope (a plain Watermill message)
// gets its message id and occurred-at from the Encrypter, authenticated with
// the payload. A replay under a fresh Watermill UUID keeps the message id
// the idempotency middleware deduplicates on (it prefers
// sourceflow.MetaMessageID to the UUID), a changed id fails authentication,
// and DecrypterConfig.MaxAge applies to the message.
func TestEncryptAuthenticatesTheIDAndTimeOfAMessageSentWithoutThem(t *testing.T) {
	ctx := context.Background()
	for _, signOnly := range []bool{false, true} {
		f := newFixture(t, encryption.EncrypterConfig{SignOnly: signOnly}, encryption.DecrypterConfig{MaxAge: time.Hour, Accept: acceptFor(signOnly)})
		plain := message.NewMessage("uuid-1", []byte(`{"amount":7}`))
		plain.Metadata.Set(sourceflow.MetaType, testType)

		out, err := f.enc.Encrypt(ctx, testDest, plain)
		require.NoError(t, err)
		assert.Equal(t, "uuid-1", out.Metadata.Get(sourceflow.MetaMessageID), "sign only: %v", signOnly)
		assert.Equal(t, f.clock.Now().UTC().Format(time.RFC3339Nano), out.Metadata.Get(sourceflow.MetaOccurredAt))
		assert.Empty(t, plain.Metadata.Get(sourceflow.MetaMessageID), "the message given is not changed")

		replay := withUUID(out, "uuid-2")
		require.NoError(t, f.dec.Decrypt(ctx, testDest, replay))
		assert.Equal(t, "uuid-1", replay.Metadata.Get(sourceflow.MetaMessageID), "a replay keeps the first message id")

		forged := withUUID(out, "uuid-3")
		forged.Metadata.Set(sourceflow.MetaMessageID, "uuid-3")
		require.ErrorIs(t, f.dec.Decrypt(ctx, testDest, forged), encryption.ErrTampered)

		late := withUUID(out, "uuid-4")
		f.clock.Advance(2 * time.Hour)
		require.ErrorIs(t, f.dec.Decrypt(ctx, testDest, late), encryption.ErrExpired)
	}
}

// A message sent through SourceFlow's model keeps the id and time it has.
func TestEncryptKeepsTheIDAndTimeAMessageHas(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	msg := newMsg(testType, []byte(`{}`))
	msg.Metadata.Set(sourceflow.MetaOccurredAt, "2023-11-14T22:00:00Z")
	out, err := f.enc.Encrypt(context.Background(), testDest, msg)
	require.NoError(t, err)
	assert.Equal(t, "m-1", out.Metadata.Get(sourceflow.MetaMessageID))
	assert.Equal(t, "2023-11-14T22:00:00Z", out.Metadata.Get(sourceflow.MetaOccurredAt))
}

// withUUID returns a copy of msg under another Watermill UUID, as a replay
// of it would arrive.
func withUUID(msg *message.Message, uuid string) *message.Message {
	c := message.NewMessage(uuid, append([]byte(nil), msg.Payload...))
	c.Metadata = maps.Clone(msg.Metadata)
	return c
}

// A message whose occurred-at time is not RFC 3339 would be refused by
// every Decrypter, so the Encrypter refuses it before any KMS call.
func TestEncryptRefusesAnOccurredAtNoDecrypterAccepts(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	msg := newMsg(testType, []byte(`{}`))
	msg.Metadata.Set(sourceflow.MetaOccurredAt, "yesterday")
	_, err := f.enc.Encrypt(context.Background(), testDest, msg)
	require.ErrorIs(t, err, encryption.ErrEncrypt)
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Contains(t, err.Error(), `occurred-at "yesterday"`)
	assert.Zero(t, f.kms.Calls().GenerateDataKey)
}
