package encryption_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// BenchmarkEncryptDecrypt1KiB measures one encrypt and one decrypt of a
// 1 KiB message with warm caches on both sides.
func BenchmarkEncryptDecrypt1KiB(b *testing.B) {
	kms := encryptiontest.New()
	kms.SetAlias(testAlias, kms.CreateKey())
	enc, err := encryption.NewEncrypter(kms, encryption.EncrypterConfig{KeyID: testAlias})
	require.NoError(b, err)
	dec, err := encryption.NewDecrypter(kms, encryption.DecrypterConfig{})
	require.NoError(b, err)
	payload := make([]byte, 1024)
	in := newMsg(testType, payload)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		out, err := enc.Encrypt(ctx, testDest, in)
		if err != nil {
			b.Fatal(err)
		}
		if err := dec.Decrypt(ctx, testDest, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(kms.Calls().GenerateDataKey+kms.Calls().Decrypt), "kms-calls")
}

// BenchmarkEncrypt1KiB measures one encrypt of a 1 KiB message with a
// warm data key cache, sealed (AES-GCM) and signed (SignOnly).
//
//	go test -run '^$' -bench Encrypt1KiB -benchmem ./middleware/encryption
func BenchmarkEncrypt1KiB(b *testing.B) {
	for _, signOnly := range []bool{false, true} {
		name := "sealed"
		if signOnly {
			name = "signed"
		}
		b.Run(name, func(b *testing.B) {
			enc := newEncrypter(b, signOnly)
			in := newMsg(testType, make([]byte, 1024))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := enc.Encrypt(ctx, testDest, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// newEncrypter returns an Encrypter of testAlias on a fake KMS, sealing or,
// with signOnly, signing.
func newEncrypter(tb testing.TB, signOnly bool) *encryption.Encrypter {
	tb.Helper()
	kms := encryptiontest.New()
	kms.SetAlias(testAlias, kms.CreateKey())
	enc, err := encryption.NewEncrypter(kms, encryption.EncrypterConfig{KeyID: testAlias, SignOnly: signOnly})
	require.NoError(tb, err)
	return enc
}

// kmsCallsFor10000 sends 10,000 messages of one type to one destination
// through an Encrypter and a Decrypter at default settings and returns the
// KMS calls each made.
func kmsCallsFor10000(tb testing.TB) (generate, decrypt int64) {
	kms := encryptiontest.New()
	kms.SetAlias(testAlias, kms.CreateKey())
	enc, err := encryption.NewEncrypter(kms, encryption.EncrypterConfig{KeyID: testAlias})
	require.NoError(tb, err)
	dec, err := encryption.NewDecrypter(kms, encryption.DecrypterConfig{})
	require.NoError(tb, err)
	ctx := context.Background()
	for range 10_000 {
		m := newMsg(testType, []byte(`{"order":"o-1"}`))
		out, err := enc.Encrypt(ctx, testDest, m)
		require.NoError(tb, err)
		require.NoError(tb, dec.Decrypt(ctx, testDest, out))
	}
	return enc.Stats().GenerateDataKeyCalls, dec.Stats().DecryptCalls
}

// BenchmarkKMSCallsPer10000Messages reports KMS calls per 10,000 messages at
// default settings (a per-message Decrypt would report 10,000).
func BenchmarkKMSCallsPer10000Messages(b *testing.B) {
	b.ReportAllocs()
	var generate, decrypt int64
	for b.Loop() {
		generate, decrypt = kmsCallsFor10000(b)
	}
	b.ReportMetric(float64(generate), "GenerateDataKey/10k-msgs")
	b.ReportMetric(float64(decrypt), "Decrypt/10k-msgs")
}

// TestKMSCallsPer10000Messages holds the call budget: at most two
// GenerateDataKey and two Decrypt calls per 10,000 messages and instance.
func TestKMSCallsPer10000Messages(t *testing.T) {
	generate, decrypt := kmsCallsFor10000(t)
	require.LessOrEqual(t, generate, int64(2))
	require.LessOrEqual(t, decrypt, int64(2))
	require.Positive(t, generate)
	require.Positive(t, decrypt)
}
