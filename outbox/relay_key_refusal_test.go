package outbox

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// encryptingTransport gives the inner transport's publishers through an
// Encrypter, as a transport whose publishers encrypt does.
type encryptingTransport struct {
	*cqrs.ChannelTransport
	enc *encryption.Encrypter
}

func (e encryptingTransport) Publisher(destination string) (message.Publisher, error) {
	pub, err := e.ChannelTransport.Publisher(destination)
	if err != nil {
		return nil, err
	}
	return e.enc.DecoratePublisher(pub)
}

// A row whose message the inner transport cannot encrypt because KMS
// refuses the key is retried, the outbox waiting for an operator to enable
// or grant it, until the key has been refused for the grace; then the row
// is dead-lettered with a reason saying since when, and the rows behind it
// go out instead of waiting for ever.
func TestRowsWhoseKeyStaysRefusedAreDeadLetteredAfterTheGrace(t *testing.T) {
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	kms := encryptiontest.New()
	key := kms.CreateKey()
	clock := clocktest.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	enc, err := encryption.NewEncrypter(kms, encryption.EncrypterConfig{KeyID: key, Clock: clock})
	require.NoError(t, err)
	r := newRelay(encryptingTransport{ChannelTransport: channel, enc: enc}, "outbox_test", nil, watermill.NopLogger{})
	row := func() *message.Message {
		m := message.NewMessage("m-1", []byte("{}"))
		m.Metadata.Set(sourceflow.MetaType, "orders.PlaceOrder")
		return m
	}

	kms.SetDisabled(key, true)
	err = r.Publish("orders", row())
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.NotErrorIs(t, err, ErrUndeliverable, "retried while an operator may enable the key")
	clock.Advance(encryption.KeyRefusalGrace - time.Second)
	assert.NotErrorIs(t, r.Publish("orders", row()), ErrUndeliverable, "still within the grace")

	clock.Advance(time.Second)
	err = r.Publish("orders", row())
	require.ErrorIs(t, err, ErrUndeliverable)
	assert.Contains(t, err.Error(), "since 2026-01-01T00:00:00Z")
}
