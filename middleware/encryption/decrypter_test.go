package encryption_test

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

func TestDecrypterConfig_Validate(t *testing.T) {
	valid := func() encryption.DecrypterConfig {
		return encryption.DecrypterConfig{KeyCacheEntries: 1, KeyCacheTTL: 1, Retry: sourceflow.RetryPolicy{MaxRetries: -1}}
	}
	tests := []struct {
		name    string
		modify  func(*encryption.DecrypterConfig)
		wantErr string
	}{
		{"valid", func(*encryption.DecrypterConfig) {}, ""},
		{"negative KeyCacheEntries", func(c *encryption.DecrypterConfig) { c.KeyCacheEntries = -1 }, "KeyCacheEntries"},
		{"negative MaxAge", func(c *encryption.DecrypterConfig) { c.MaxAge = -time.Hour }, "MaxAge: -1h0m0s, must not be negative"},
		{"negative MaxClockSkew", func(c *encryption.DecrypterConfig) { c.MaxClockSkew = -time.Minute }, "MaxClockSkew: -1m0s, must not be negative"},
		{"negative KeyCacheTTL", func(c *encryption.DecrypterConfig) { c.KeyCacheTTL = -1 }, "KeyCacheTTL"},
		{"negative Retry.MaxElapsed", func(c *encryption.DecrypterConfig) { c.Retry.MaxElapsed = -1 }, "Retry: MaxElapsed"},
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
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
	_, err := encryption.NewDecrypter(nil, encryption.DecrypterConfig{})
	require.Error(t, err)
}

// rewriteHeader parses m's header, lets fn change it and writes it back.
func rewriteHeader(t *testing.T, m *message.Message, fn func(*encryption.Header)) {
	t.Helper()
	h, _, err := encryption.ParseHeader(m.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	fn(&h)
	v, err := h.Encode()
	require.NoError(t, err)
	m.Metadata.Set(sourceflow.MetaEncryption, v)
}

func flipBody(at func(n int) int) func(*testing.T, *message.Message) {
	return func(t *testing.T, m *message.Message) {
		raw, err := base64.StdEncoding.DecodeString(string(m.Payload))
		require.NoError(t, err)
		raw[at(len(raw))] ^= 0x01
		m.Payload = []byte(base64.StdEncoding.EncodeToString(raw))
	}
}

type tamperCase struct {
	name   string
	tamper func(*testing.T, *message.Message)
	want   error
}

func tamperCases() []tamperCase {
	return []tamperCase{
		{"ciphertext byte", flipBody(func(int) int { return 0 }), encryption.ErrTampered},
		{"tag byte", flipBody(func(n int) int { return n - 1 }), encryption.ErrTampered},
		{"truncated body", func(_ *testing.T, m *message.Message) { m.Payload = m.Payload[:8] }, encryption.ErrTampered},
		{"body not base64", func(_ *testing.T, m *message.Message) { m.Payload = []byte("!!not base64!!") }, encryption.ErrTampered},
		{"nonce", func(t *testing.T, m *message.Message) {
			rewriteHeader(t, m, func(h *encryption.Header) { h.Nonce[0] ^= 1 })
		}, encryption.ErrTampered},
		{"key id", func(t *testing.T, m *message.Message) {
			rewriteHeader(t, m, func(h *encryption.Header) { h.KeyID = "arn:aws:kms:us-east-1:000000000000:key/other" })
		}, encryption.ErrTampered},
		{"wrapped key", func(t *testing.T, m *message.Message) {
			rewriteHeader(t, m, func(h *encryption.Header) { h.WrappedKey[len(h.WrappedKey)-1] ^= 1 })
		}, encryption.ErrTampered},
		{"header context rewritten to match", func(t *testing.T, m *message.Message) {
			rewriteHeader(t, m, func(h *encryption.Header) { h.Context.Destination = "payments" })
			m.Metadata.Set(sourceflow.MetaType, "payments.Charge")
			rewriteHeader(t, m, func(h *encryption.Header) { h.Context.Type = "payments.Charge" })
		}, encryption.ErrTampered},
		{"header version", func(_ *testing.T, m *message.Message) {
			raw, _ := base64.StdEncoding.DecodeString(m.Metadata.Get(sourceflow.MetaEncryption))
			raw[0] = 9
			m.Metadata.Set(sourceflow.MetaEncryption, base64.StdEncoding.EncodeToString(raw))
		}, encryption.ErrUnsupportedVersion},
		{"header truncated", func(_ *testing.T, m *message.Message) {
			raw, _ := base64.StdEncoding.DecodeString(m.Metadata.Get(sourceflow.MetaEncryption))
			m.Metadata.Set(sourceflow.MetaEncryption, base64.StdEncoding.EncodeToString(raw[:len(raw)-3]))
		}, encryption.ErrTampered},
		{"header trailing byte", func(_ *testing.T, m *message.Message) {
			raw, _ := base64.StdEncoding.DecodeString(m.Metadata.Get(sourceflow.MetaEncryption))
			m.Metadata.Set(sourceflow.MetaEncryption, base64.StdEncoding.EncodeToString(append(raw, 0)))
		}, encryption.ErrTampered},
		{"header not base64", func(_ *testing.T, m *message.Message) { m.Metadata.Set(sourceflow.MetaEncryption, "%%%") }, encryption.ErrTampered},
		{"header empty", func(_ *testing.T, m *message.Message) { m.Metadata.Set(sourceflow.MetaEncryption, "") }, encryption.ErrTampered},
	}
}

func TestDecrypt_Tampered(t *testing.T) {
	for _, tt := range tamperCases() {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
			m := f.encrypt(t, []byte("secret order payload"))
			tt.tamper(t, m)
			before := string(m.Payload)
			dest := testDest
			if tt.name == "header context rewritten to match" {
				dest = "payments" // a body moved to payments with a header forged to match
			}
			for _, dec := range []*encryption.Decrypter{f.newDecrypter(t, encryption.DecrypterConfig{}), f.dec} {
				err := dec.Decrypt(context.Background(), dest, m)
				require.ErrorIs(t, err, tt.want)
				require.ErrorIs(t, err, encryption.ErrDecrypt)
				assert.True(t, sourceflow.IsPermanent(err), "tampering is permanent")
				assert.Equal(t, before, string(m.Payload), "message unchanged on error")
				assert.NotContains(t, err.Error(), "secret order payload")
			}
			untouched := f.encrypt(t, []byte("next"))
			require.NoError(t, f.dec.Decrypt(context.Background(), testDest, untouched), "other messages still decrypt")
		})
	}
}

func TestDecrypt_ContextMismatch(t *testing.T) {
	tests := []struct {
		name     string
		dest     string
		typ      string
		app      string
		contains string
	}{
		{"copied to another queue", "payments", testType, "", `destination "payments", encrypted for "orders"`},
		{"relabelled as another type", testDest, "orders.CancelOrder", "", `type "orders.CancelOrder"`},
		{"type removed", testDest, "", "", `type ""`},
		{"another application", testDest, testType, "billing", `app "billing"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
			m := f.encrypt(t, []byte("secret"))
			if tt.typ == "" {
				delete(m.Metadata, sourceflow.MetaType)
			} else {
				m.Metadata.Set(sourceflow.MetaType, tt.typ)
			}
			dec := f.newDecrypter(t, encryption.DecrypterConfig{AppName: tt.app})
			err := dec.Decrypt(context.Background(), tt.dest, m)
			require.ErrorIs(t, err, encryption.ErrContextMismatch)
			assert.True(t, sourceflow.IsPermanent(err))
			assert.Contains(t, err.Error(), tt.contains)
			assert.Zero(t, f.kms.Calls().Decrypt, "a mismatch is caught before any KMS call")
		})
	}
}

func TestDecrypt_KeyProblems(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fixture)
		want  error
	}{
		{"disabled key", func(f *fixture) { f.kms.SetDisabled(f.keyID, true) }, encryption.ErrKeyUnavailable},
		{"access denied", func(f *fixture) { f.kms.SetDenied(f.keyID, true) }, encryption.ErrAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
			m := f.encrypt(t, []byte("secret"))
			tt.setup(f)
			err := f.dec.Decrypt(context.Background(), testDest, m)
			require.ErrorIs(t, err, tt.want)
			assert.False(t, sourceflow.IsPermanent(err), "an operator can undo it: retried within KeyRefusalGrace")

			_, err = f.enc.Encrypt(context.Background(), "elsewhere", newMsg(testType, []byte("x")))
			require.ErrorIs(t, err, tt.want, "the produce side reports it too")
			require.ErrorIs(t, err, encryption.ErrEncrypt)
			assert.False(t, sourceflow.IsPermanent(err), "the Encrypter's own key: an operator can fix it")
		})
	}
	t.Run("unknown key", func(t *testing.T) {
		f := newFixture(t, encryption.EncrypterConfig{KeyID: "alias/missing"}, encryption.DecrypterConfig{})
		_, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte("x")))
		require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
		assert.False(t, sourceflow.IsPermanent(err), "the Encrypter's own key: an operator can create it")
	})
}

// A logger or clock variable declared but never assigned is refused,
// naming the field, instead of panicking on the first message.
func TestNewEncrypterAndDecrypterRefuseTypedNils(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	var logger *watermill.StdLoggerAdapter
	var clock *clocktest.Manual
	_, err := encryption.NewEncrypter(f.kms, encryption.EncrypterConfig{KeyID: testAlias, Logger: logger, Clock: clock})
	assert.ErrorContains(t, err, "Logger: nil *watermill.StdLoggerAdapter, must be non-nil or left unset")
	assert.ErrorContains(t, err, "Clock: nil *clocktest.Manual, must be non-nil or left unset")
	_, err = encryption.NewDecrypter(f.kms, encryption.DecrypterConfig{Logger: logger, Clock: clock})
	assert.ErrorContains(t, err, "Logger: nil *watermill.StdLoggerAdapter")
	assert.ErrorContains(t, err, "Clock: nil *clocktest.Manual")
}

func TestNewDecrypter_RefusesAnUnknownAccept(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	_, err := encryption.NewDecrypter(f.kms, encryption.DecrypterConfig{Accept: 7})
	require.Error(t, err)
	assert.ErrorContains(t, err, "Accept: 7, must be AcceptEncrypted, AcceptSigned or AcceptUnprotected")
	assert.Equal(t, "encrypted or signed", encryption.AcceptSigned.String())
}

// By default a Decrypter refuses a message sent in clear, which anyone who
// may send to the destination could forge; AcceptUnprotected lets it
// through while producers move to encryption.
func TestDecrypt_RefusesPlaintextByDefault(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	plain := newMsg(testType, []byte("plaintext"))
	err := f.dec.Decrypt(context.Background(), testDest, plain)
	require.ErrorIs(t, err, encryption.ErrNotEncrypted)
	assert.True(t, sourceflow.IsPermanent(err))

	assert.ErrorContains(t, err, `destination "`+testDest+`" requires encrypted messages`)

	lenient := f.newDecrypter(t, encryption.DecrypterConfig{Accept: encryption.AcceptUnprotected})
	require.NoError(t, lenient.Decrypt(context.Background(), testDest, plain))
	assert.Equal(t, "plaintext", string(plain.Payload), "plaintext passes under AcceptUnprotected")

	m := f.encrypt(t, []byte("ok"))
	require.NoError(t, f.dec.Decrypt(context.Background(), testDest, m))
	assert.Equal(t, "ok", string(m.Payload))
}

func TestDecrypt_RotationAndAliasMove(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	old := f.encrypt(t, []byte("under the old key"))

	newKey := f.kms.CreateKey()
	f.kms.SetAlias(testAlias, newKey)
	f.clock.Advance(6 * 60e9) // past DataKeyMaxAge: the next message needs a new data key
	fresh := f.encrypt(t, []byte("under the new key"))

	hOld, _, err := encryption.ParseHeader(old.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	hNew, _, err := encryption.ParseHeader(fresh.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	assert.NotEqual(t, hOld.KeyID, hNew.KeyID, "the alias now resolves to the new key")

	dec := f.newDecrypter(t, encryption.DecrypterConfig{})
	require.NoError(t, dec.Decrypt(context.Background(), testDest, old))
	require.NoError(t, dec.Decrypt(context.Background(), testDest, fresh))
	assert.Equal(t, "under the old key", string(old.Payload))
	assert.Equal(t, "under the new key", string(fresh.Payload))
	assert.Zero(t, f.kms.Calls().DecryptWithKeyID, "decryption never pins a key id")
}

func TestKMSThrottling(t *testing.T) {
	codes := []string{"ThrottlingException", "LimitExceededException", "KMSInternalException"}
	for _, code := range codes {
		t.Run(code+" retried", func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
			f.kms.Throttle(2, code)
			m := f.encrypt(t, []byte("x"))
			f.kms.Throttle(3, code)
			require.NoError(t, f.dec.Decrypt(context.Background(), testDest, m))
			assert.Equal(t, int64(2), f.enc.Stats().Retries)
			assert.Equal(t, int64(3), f.dec.Stats().Retries)
			assert.Equal(t, int64(4), f.dec.Stats().DecryptCalls)
		})
		t.Run(code+" exhausted is not permanent", func(t *testing.T) {
			f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{Retry: sourceflow.RetryPolicy{MaxRetries: 2}})
			m := f.encrypt(t, []byte("x"))
			f.kms.Throttle(3, code)
			err := f.dec.Decrypt(context.Background(), testDest, m)
			require.ErrorIs(t, err, encryption.ErrThrottled)
			assert.False(t, sourceflow.IsPermanent(err))
			require.NoError(t, f.dec.Decrypt(context.Background(), testDest, m), "a later attempt succeeds")
		})
	}
	t.Run("cancelled context is not permanent", func(t *testing.T) {
		f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
		m := f.encrypt(t, []byte("x"))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		f.kms.Throttle(1, "")
		err := f.dec.Decrypt(ctx, testDest, m)
		require.Error(t, err)
		assert.True(t, errors.Is(err, encryption.ErrKMS) && !sourceflow.IsPermanent(err), "%v", err)
	})
}

// TestErrorsAndLogsHoldNoSecrets drives every failure path and checks that
// neither error strings nor log lines contain payload or key bytes.
func TestErrorsAndLogsHoldNoSecrets(t *testing.T) {
	payload := []byte("TOP-SECRET-PAYLOAD-4111111111111111")
	logs := &captureLogger{}
	f := newFixture(t, encryption.EncrypterConfig{Logger: logs}, encryption.DecrypterConfig{Logger: logs})
	var errs []error
	decrypt := func(dest string, mutate func(*message.Message)) {
		m := f.encrypt(t, payload)
		mutate(m)
		errs = append(errs, f.dec.Decrypt(context.Background(), dest, m))
	}
	decrypt(testDest, func(m *message.Message) { flipBody(func(int) int { return 3 })(t, m) })
	decrypt("other", func(*message.Message) {})
	decrypt(testDest, func(m *message.Message) { rewriteHeader(t, m, func(h *encryption.Header) { h.Nonce[1] ^= 1 }) })
	decrypt(testDest, func(m *message.Message) { delete(m.Metadata, sourceflow.MetaEncryption) })
	f.kms.Throttle(100, "")
	decrypt(testDest, func(m *message.Message) { rewriteHeader(t, m, func(h *encryption.Header) { h.WrappedKey[0] ^= 1 }) })
	_, err := f.enc.Encrypt(context.Background(), "new-dest", newMsg(testType, payload))
	errs = append(errs, err)
	f.kms.Throttle(0, "")
	f.kms.SetDisabled(f.keyID, true)
	decrypt(testDest, func(m *message.Message) { rewriteHeader(t, m, func(h *encryption.Header) { h.WrappedKey[0] ^= 1 }) })

	var text string
	for _, err := range errs {
		require.Error(t, err)
		text += err.Error() + "\n"
	}
	text += logs.text()
	require.NotEmpty(t, logs.text())
	for _, form := range secretForms(payload) {
		assert.NotContains(t, text, form)
	}
	assert.NotContains(t, text, "4111111111111111")
	keys := f.kms.DataKeys()
	require.NotEmpty(t, keys)
	for _, key := range keys {
		for _, form := range secretForms(key) {
			assert.NotContains(t, text, form)
		}
	}
}
