package encryption_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"testing"
	"testing/quick"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

func TestEncrypterConfig_Validate(t *testing.T) {
	valid := func() encryption.EncrypterConfig {
		return encryption.EncrypterConfig{
			KeyID: "alias/x", DataKeyMaxAge: 1, DataKeyMaxMessages: 1, DataKeyMaxBytes: 1,
			DataKeyCacheEntries: 1, MaxMessageBytes: 1, Retry: sourceflow.RetryPolicy{MaxRetries: -1},
		}
	}
	tests := []struct {
		name    string
		modify  func(*encryption.EncrypterConfig)
		wantErr string
	}{
		{"valid", func(*encryption.EncrypterConfig) {}, ""},
		{"missing KeyID", func(c *encryption.EncrypterConfig) { c.KeyID = "" }, "KeyID"},
		{"negative DataKeyMaxAge", func(c *encryption.EncrypterConfig) { c.DataKeyMaxAge = -1 }, "DataKeyMaxAge"},
		{"zero DataKeyMaxMessages", func(c *encryption.EncrypterConfig) { c.DataKeyMaxMessages = 0 }, "DataKeyMaxMessages"},
		{"DataKeyMaxMessages at the GCM bound", func(c *encryption.EncrypterConfig) { c.DataKeyMaxMessages = 1 << 32 }, ""},
		{"DataKeyMaxMessages past the GCM bound", func(c *encryption.EncrypterConfig) { c.DataKeyMaxMessages = 1<<32 + 1 }, "DataKeyMaxMessages: 4294967297"},
		{"zero DataKeyMaxBytes", func(c *encryption.EncrypterConfig) { c.DataKeyMaxBytes = 0 }, "DataKeyMaxBytes"},
		{"zero DataKeyCacheEntries", func(c *encryption.EncrypterConfig) { c.DataKeyCacheEntries = 0 }, "DataKeyCacheEntries"},
		{"zero MaxMessageBytes", func(c *encryption.EncrypterConfig) { c.MaxMessageBytes = 0 }, "MaxMessageBytes"},
		{"negative Retry.InitialInterval", func(c *encryption.EncrypterConfig) { c.Retry.InitialInterval = -1 }, "Retry: InitialInterval"},
		{"Retry.MaxInterval below initial", func(c *encryption.EncrypterConfig) { c.Retry.InitialInterval, c.Retry.MaxInterval = 2, 1 }, "Retry: MaxInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.modify(&cfg)
			err := cfg.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
	t.Run("reports every problem", func(t *testing.T) {
		err := encryption.EncrypterConfig{}.Validate()
		require.Error(t, err)
		for _, field := range []string{"KeyID", "DataKeyMaxAge", "DataKeyMaxMessages", "MaxMessageBytes"} {
			assert.Contains(t, err.Error(), field)
		}
	})
	t.Run("constructor applies defaults", func(t *testing.T) {
		_, err := encryption.NewEncrypter(encryptiontest.New(), encryption.EncrypterConfig{KeyID: "alias/x"})
		require.NoError(t, err)
		_, err = encryption.NewEncrypter(encryptiontest.New(), encryption.EncrypterConfig{})
		require.ErrorContains(t, err, "invalid EncrypterConfig")
		_, err = encryption.NewEncrypter(nil, encryption.EncrypterConfig{KeyID: "alias/x"})
		require.Error(t, err)
	})
}

func TestEncrypt_RoundTripRandomPayloads(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{MaxMessageBytes: encryption.SQSMaxMessageBytes}, encryption.DecrypterConfig{})
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 15, 16, 17, 1023, 1024, 256 << 10}
	for range 60 {
		sizes = append(sizes, rng.IntN(256<<10+1))
	}
	for _, size := range sizes {
		payload := make([]byte, size)
		for i := range payload {
			payload[i] = byte(rng.UintN(256))
		}
		enc := f.encrypt(t, payload)
		require.Len(t, enc.Payload, base64.StdEncoding.EncodedLen(size+16), "size %d", size)
		require.NoError(t, f.dec.Decrypt(context.Background(), testDest, enc), "size %d", size)
		require.True(t, bytes.Equal(payload, enc.Payload), "size %d: plaintext differs", size)
		require.Empty(t, enc.Metadata.Get(sourceflow.MetaEncryption), "header removed after decryption")
	}
}

func TestEncrypt_RoundTripQuick(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	roundTrip := func(payload []byte, typ, dest string) bool {
		enc, err := f.enc.Encrypt(context.Background(), dest, newMsg(typ, payload))
		if err != nil {
			return false
		}
		return f.dec.Decrypt(context.Background(), dest, enc) == nil && bytes.Equal(enc.Payload, payload)
	}
	require.NoError(t, quick.Check(roundTrip, &quick.Config{MaxCount: 300}))
}

func TestEncrypt_EqualPlaintextsGiveDifferentCiphertexts(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	payload := []byte(`{"order":"o-1","amount":100}`)
	seen := map[string]bool{}
	nonces := map[string]bool{}
	for range 100 {
		enc := f.encrypt(t, payload)
		h, _, err := encryption.ParseHeader(enc.Metadata.Get(sourceflow.MetaEncryption))
		require.NoError(t, err)
		require.False(t, seen[string(enc.Payload)], "ciphertext repeated")
		require.False(t, nonces[string(h.Nonce)], "nonce repeated")
		seen[string(enc.Payload)], nonces[string(h.Nonce)] = true, true
	}
	assert.Equal(t, 1, f.kms.Calls().GenerateDataKey, "one data key serves all 100 messages")
}

func TestEncrypt_NoPlaintextInOutput(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	rng := rand.New(rand.NewPCG(3, 4))
	payloads := [][]byte{
		bytes.Repeat([]byte(`{"customer":"alice@example.com","card":"4111111111111111"}`), 50),
		bytes.Repeat([]byte{0}, 4096),
	}
	random := make([]byte, 8192)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	payloads = append(payloads, random)
	for _, p := range payloads {
		out := wire(f.encrypt(t, p))
		assert.False(t, hasWindow(out, p, 8), "plaintext substring of 8 bytes in output")
		assert.False(t, hasWindow(out, []byte(base64.StdEncoding.EncodeToString(p)), 8), "base64 plaintext in output")
	}
	for _, key := range f.kms.DataKeys() {
		for _, form := range secretForms(key) {
			assert.NotContains(t, string(wire(f.encrypt(t, []byte("x")))), form)
		}
	}
}

func TestEncrypt_DoesNotChangeInput(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	in := newMsg(testType, []byte("plain"))
	out, err := f.enc.Encrypt(context.Background(), testDest, in)
	require.NoError(t, err)
	assert.Equal(t, "plain", string(in.Payload))
	assert.Empty(t, in.Metadata.Get(sourceflow.MetaEncryption))
	assert.Equal(t, in.UUID, out.UUID)
	assert.Equal(t, "m-1", out.Metadata.Get(sourceflow.MetaMessageID), "other metadata is kept")
}

func TestEncrypt_TooLarge(t *testing.T) {
	limits := func(dest string) int {
		if dest == "big-queue" {
			return encryption.SQSMaxMessageBytes
		}
		return 0
	}
	f := newFixture(t, encryption.EncrypterConfig{MaxMessageBytesFor: limits}, encryption.DecrypterConfig{})
	payload := make([]byte, 200<<10) // base64 grows it past 256 KiB

	_, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, payload))
	require.ErrorIs(t, err, encryption.ErrTooLarge)
	require.ErrorIs(t, err, encryption.ErrEncrypt)
	assert.True(t, sourceflow.IsPermanent(err))
	var tooLarge *encryption.TooLargeError
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, encryption.DefaultMaxMessageBytes, tooLarge.Limit)
	assert.Greater(t, tooLarge.Size, tooLarge.Limit)
	assert.Equal(t, testDest, tooLarge.Destination)
	assert.Contains(t, err.Error(), "262144")

	_, err = f.enc.Encrypt(context.Background(), "big-queue", newMsg(testType, payload))
	require.NoError(t, err, "the per-destination limit applies")
	assert.Equal(t, 1<<20, encryption.SQSMaxMessageBytes)
	assert.Equal(t, 256<<10, encryption.SNSMaxMessageBytes)
}

func TestDecorate_PublishesEncryptedAndLosesNothingOnError(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	pubsub := gochannel.NewGoChannel(gochannel.Config{Persistent: true}, nil)
	t.Cleanup(func() { _ = pubsub.Close() })
	pub, err := f.enc.DecoratePublisher(pubsub)
	require.NoError(t, err)
	var _ message.PublisherDecorator = f.enc.DecoratePublisher

	err = pub.Publish(testDest, newMsg(testType, []byte("ok")), newMsg(testType, make([]byte, 300<<10)))
	require.ErrorIs(t, err, encryption.ErrTooLarge)
	require.NoError(t, pub.Publish(testDest, newMsg(testType, []byte("one")), newMsg(testType, []byte("two"))))

	msgs, err := pubsub.Subscribe(context.Background(), testDest)
	require.NoError(t, err)
	var got []string
	for range 2 {
		m := <-msgs
		require.NotEmpty(t, m.Metadata.Get(sourceflow.MetaEncryption))
		require.NoError(t, f.dec.Decrypt(context.Background(), testDest, m))
		got = append(got, string(m.Payload))
		m.Ack()
	}
	assert.ElementsMatch(t, []string{"one", "two"}, got, "the next batch was published whole")
	select {
	case m := <-msgs:
		t.Fatalf("the failed batch published a message of %d bytes", len(m.Payload))
	case <-time.After(50 * time.Millisecond):
	}
	assert.Equal(t, int64(3), f.enc.Stats().Messages)
	assert.Equal(t, int64(1), f.enc.Stats().Failures)
}

// A disabled or denied key is the Encrypter's own, which an operator can
// enable or grant again: the messages waiting for it (in an outbox, say) get
// an error that is not permanent, so they are retried rather than
// dead-lettered, and they are encrypted once the key is back.
func TestEncrypt_AKeyAnOperatorCanFixIsRetried(t *testing.T) {
	for name, set := range map[string]func(k *encryptiontest.KMS, keyID string, on bool){
		"disabled": (*encryptiontest.KMS).SetDisabled,
		"denied":   (*encryptiontest.KMS).SetDenied,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
			set(f.kms, f.keyID, true)
			_, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte("waiting")))
			require.ErrorIs(t, err, encryption.ErrEncrypt)
			assert.False(t, sourceflow.IsPermanent(err))

			set(f.kms, f.keyID, false)
			out, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte("waiting")))
			require.NoError(t, err)
			require.NoError(t, f.dec.Decrypt(context.Background(), testDest, out))
			assert.Equal(t, "waiting", string(out.Payload))
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *fixture) string
		wantErr error
	}{
		{"enabled key through alias", func(f *fixture) string { return testAlias }, nil},
		{"key ARN", func(f *fixture) string { return encryptiontest.ARN(f.keyID) }, nil},
		{"unknown alias", func(f *fixture) string { return "alias/missing" }, encryption.ErrKeyUnavailable},
		{"disabled key", func(f *fixture) string { f.kms.SetDisabled(f.keyID, true); return testAlias }, encryption.ErrKeyUnavailable},
		{"access denied", func(f *fixture) string { f.kms.SetDenied(f.keyID, true); return testAlias }, encryption.ErrAccessDenied},
		{"throttled then fine", func(f *fixture) string { f.kms.Throttle(2, ""); return testAlias }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
			enc, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: tt.setup(f), Retry: fastRetryConfig()})
			require.NoError(t, err)
			err = enc.Check(context.Background())
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.GreaterOrEqual(t, enc.Stats().DescribeKeyCalls, int64(1))
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.False(t, errors.Is(err, encryption.ErrThrottled))
		})
	}
}

func fastRetryConfig() sourceflow.RetryPolicy {
	var c sourceflow.RetryPolicy
	fastRetry(&c)
	return c
}
