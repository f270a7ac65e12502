package encryption_test

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// sealVersioned seals a message of payload version pver.
func sealVersioned(t *testing.T, f *fixture, pver string) *message.Message {
	t.Helper()
	m := envelopeMsg(f, `{"amount":7}`)
	m.Metadata.Set(sourceflow.MetaPayloadVersion, pver)
	out, err := f.enc.Encrypt(context.Background(), testDest, m)
	require.NoError(t, err)
	return out
}

// headerFlags returns the flags byte of msg's version 2 header.
func headerFlags(t *testing.T, msg *message.Message) byte {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(msg.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	require.Equal(t, encryption.HeaderVersion2, raw[0])
	return raw[1]
}

// TestAChangedPayloadVersionFailsAuthentication: a consumer upcasts a
// payload from the version sf_pver names, so rewriting it on a captured
// message (units read as cents) fails authentication, encrypted or signed.
func TestAChangedPayloadVersionFailsAuthentication(t *testing.T) {
	for _, sign := range []bool{false, true} {
		f := newFixture(t, encryption.EncrypterConfig{SignOnly: sign}, encryption.DecrypterConfig{Accept: acceptFor(sign)})
		for _, value := range []string{"1", "3", "0", "", "02"} {
			msg := sealVersioned(t, f, "2")
			msg.Metadata.Set(sourceflow.MetaPayloadVersion, value)
			err := f.dec.Decrypt(context.Background(), testDest, msg)
			require.ErrorIs(t, err, encryption.ErrTampered, "signed=%v, sf_pver 2 rewritten to %q", sign, value)
			assert.True(t, sourceflow.IsPermanent(err), "dead-lettered at once")
		}
		removed := sealVersioned(t, f, "2")
		delete(removed.Metadata, sourceflow.MetaPayloadVersion)
		require.ErrorIs(t, f.dec.Decrypt(context.Background(), testDest, removed), encryption.ErrTampered, "signed=%v, sf_pver removed", sign)

		intact := sealVersioned(t, f, "2")
		require.NoError(t, f.dec.Decrypt(context.Background(), testDest, intact), "signed=%v", sign)
		assert.Equal(t, `{"amount":7}`, string(intact.Payload))
		assert.Equal(t, "2", intact.Metadata.Get(sourceflow.MetaPayloadVersion))
	}
}

// TestAPayloadVersionWithoutItsFlagIsRefused: a header whose payload
// version flag was cleared, or a message sent without a payload version
// that gained one, is refused before its data key is unwrapped, naming the
// payload version.
func TestAPayloadVersionWithoutItsFlagIsRefused(t *testing.T) {
	for _, sign := range []bool{false, true} {
		f := newFixture(t, encryption.EncrypterConfig{SignOnly: sign}, encryption.DecrypterConfig{Accept: acceptFor(sign)})
		stripped := sealVersioned(t, f, "2")
		raw, err := base64.StdEncoding.DecodeString(stripped.Metadata.Get(sourceflow.MetaEncryption))
		require.NoError(t, err)
		require.NotZero(t, raw[1]&^1, "signed=%v: a message with a payload version carries a flag for it", sign)
		raw[1] &= 1 // only the signed flag left
		stripped.Metadata.Set(sourceflow.MetaEncryption, base64.StdEncoding.EncodeToString(raw))

		added := seal(t, f, `{"amount":7}`)
		added.Metadata.Set(sourceflow.MetaPayloadVersion, "2")

		for name, msg := range map[string]*message.Message{"flag cleared": stripped, "version added": added} {
			calls := f.kms.Calls().Decrypt
			err := f.newDecrypter(t, encryption.DecrypterConfig{Accept: acceptFor(sign)}).Decrypt(context.Background(), testDest, msg)
			require.ErrorIs(t, err, encryption.ErrTampered, "signed=%v, %s", sign, name)
			assert.True(t, sourceflow.IsPermanent(err))
			assert.Contains(t, err.Error(), `payload version (metadata sf_pver "2")`, name)
			assert.Equal(t, calls, f.kms.Calls().Decrypt, "signed=%v, %s: refused before KMS", sign, name)
		}
	}
}

// TestAMessageWithoutPayloadVersionCarriesNoFlag: a message of version 0
// (no sf_pver, or "0") carries the flags it did before the payload version
// was authenticated, so a Decrypter that does not know the flag still reads it.
func TestAMessageWithoutPayloadVersionCarriesNoFlag(t *testing.T) {
	for _, sign := range []bool{false, true} {
		f := newFixture(t, encryption.EncrypterConfig{SignOnly: sign}, encryption.DecrypterConfig{Accept: acceptFor(sign)})
		var want byte
		if sign {
			want = 1
		}
		assert.Equal(t, want, headerFlags(t, seal(t, f, `{}`)), "signed=%v, no sf_pver", sign)
		zero := sealVersioned(t, f, "0")
		assert.Equal(t, want, headerFlags(t, zero), "signed=%v, sf_pver 0", sign)
		zero.Metadata.Set(sourceflow.MetaPayloadVersion, "")
		require.NoError(t, f.dec.Decrypt(context.Background(), testDest, zero), "version 0 either way")
	}
}

// TestAVersion1MessageWithAPayloadVersionIsRefused: releases that wrote
// version 1 headers wrote no payload version, and a version 1 header
// authenticates none.
func TestAVersion1MessageWithAPayloadVersionIsRefused(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	dec := f.newDecrypter(t, encryption.DecrypterConfig{Version1Until: f.clock.Now().AddDate(0, 1, 0)})
	msg := sealVersion1(t, f, `{"amount":7}`)
	msg.Metadata.Set(sourceflow.MetaPayloadVersion, "2")
	err := dec.Decrypt(context.Background(), testDest, msg)
	require.ErrorIs(t, err, encryption.ErrTampered)
	assert.Contains(t, err.Error(), "sf_pver")
	require.NoError(t, dec.Decrypt(context.Background(), testDest, sealVersion1(t, f, `{"amount":7}`)))
}

// TestARewrittenPayloadVersionIsDeadLettered runs the Decrypter in a router:
// a message whose payload version was rewritten reaches the dead-letter
// stand-in with the reason, not the handler.
func TestARewrittenPayloadVersionIsDeadLettered(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	pubsub := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 8}, watermill.NopLogger{})
	handled, done := runRouter(t, f, pubsub)
	poisoned, err := pubsub.Subscribe(context.Background(), "poison")
	require.NoError(t, err)

	msg := sealVersioned(t, f, "2")
	msg.Metadata.Set(sourceflow.MetaPayloadVersion, "1")
	require.NoError(t, pubsub.Publish(testDest, msg))
	require.NoError(t, pubsub.Publish(testDest, sealVersioned(t, f, "2")))

	select {
	case m := <-poisoned:
		assert.Contains(t, m.Metadata.Get(sourceflow.MetaFailure), encryption.ErrTampered.Error())
		assert.Equal(t, "1", m.Metadata.Get(sourceflow.MetaPayloadVersion))
		m.Ack()
	case <-time.After(10 * time.Second):
		t.Fatal("the rewritten message never reached the poison topic")
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the intact message was not handled")
	}
	handled.mu.Lock()
	defer handled.mu.Unlock()
	assert.Len(t, handled.payloads, 1, "only the intact message reached the handler")
}
