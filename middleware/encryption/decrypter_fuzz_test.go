package encryption_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// fuzzNow is the fuzz fixture's clock: the occurred-at time the Encrypter
// gives the messages it encrypts.
var fuzzNow = time.Unix(1_700_000_000, 0)

// fuzzFixture is an Encrypter and a Decrypter on a fake KMS, built once per
// fuzz target, and the messages it encrypted: the only authentic inputs.
type fuzzFixture struct {
	enc       *encryption.Encrypter
	dec       *encryption.Decrypter
	authentic []authentic
}

// authentic is one message the fixture encrypted, in decoded form, and the
// payload version it carried.
type authentic struct {
	aad, sealed []byte
	plaintext   []byte
	pver        string
}

func newFuzzFixture(tb testing.TB) *fuzzFixture {
	tb.Helper()
	kms := encryptiontest.New()
	kms.SetAlias(testAlias, kms.CreateKey())
	clock := clocktest.NewStepping(fuzzNow)
	var err error
	fx := &fuzzFixture{}
	fx.enc, err = encryption.NewEncrypter(kms, encryption.EncrypterConfig{KeyID: testAlias, Clock: clock})
	require.NoError(tb, err)
	fx.dec, err = encryption.NewDecrypter(kms, encryption.DecrypterConfig{Clock: clock})
	require.NoError(tb, err)
	return fx
}

// encrypt encrypts payload as a testType message of payload version pver
// (none when empty) for testDest and records it as authentic.
func (fx *fuzzFixture) encrypt(tb testing.TB, payload []byte, pver string) *message.Message {
	tb.Helper()
	msg := newMsg(testType, bytes.Clone(payload))
	if pver != "" {
		msg.Metadata.Set(sourceflow.MetaPayloadVersion, pver)
	}
	out, err := fx.enc.Encrypt(context.Background(), testDest, msg)
	require.NoError(tb, err)
	_, aad, err := encryption.ParseHeader(out.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(tb, err)
	sealed, err := base64.StdEncoding.DecodeString(string(out.Payload))
	require.NoError(tb, err)
	fx.authentic = append(fx.authentic, authentic{aad: aad, sealed: sealed, plaintext: bytes.Clone(payload), pver: pver})
	return out
}

// plaintextOf returns the plaintext of an authentic header and body received
// with payload version pver, nil for any other. A message sent without a
// payload version may be received with "0", the same version.
func (fx *fuzzFixture) plaintextOf(header string, body []byte, pver string) []byte {
	_, aad, err := encryption.ParseHeader(header)
	if err != nil {
		return nil
	}
	sealed, err := base64.StdEncoding.DecodeString(string(body))
	if err != nil {
		return nil
	}
	for _, a := range fx.authentic {
		if bytes.Equal(a.aad, aad) && bytes.Equal(a.sealed, sealed) && (pver == a.pver || a.pver == "" && pver == "0") {
			return a.plaintext
		}
	}
	return nil
}

// FuzzDecrypt decrypts arbitrary headers and bodies under arbitrary types,
// destinations and payload versions (metadata sourceflow.MetaPayloadVersion,
// absent when empty). Only a message the fixture encrypted, received under
// its own type, destination and payload version, decrypts, and then to its
// plaintext. Anything else
// fails with ErrDecrypt, a specific sentinel and a permanent mark, and
// leaves the message unchanged.
func FuzzDecrypt(f *testing.F) {
	fx := newFuzzFixture(f)
	for i, p := range [][]byte{[]byte(`{"amount":7}`), {}, bytes.Repeat([]byte{0xff}, 100)} {
		pver := [...]string{"", "2", "0"}[i]
		msg := fx.encrypt(f, p, pver)
		header, body := msg.Metadata.Get(sourceflow.MetaEncryption), []byte(msg.Payload)
		f.Add(header, body, testType, testDest, pver)
		f.Add(header, body, testType, "payments", pver)
		f.Add(header, body, testType, testDest, "3")
		f.Add(header, append(bytes.Clone(body[:len(body)-4]), "AAAA"...), testType, testDest, pver)
		f.Add(header[:len(header)-4]+"AAAA", body, testType, testDest, pver)
	}
	f.Add("", []byte("plain"), testType, testDest, "")
	f.Fuzz(func(t *testing.T, header string, body []byte, typ, destination, pver string) {
		msg := message.NewMessage("m-1", bytes.Clone(body))
		msg.Metadata.Set(sourceflow.MetaType, typ)
		msg.Metadata.Set(sourceflow.MetaMessageID, "m-1")                                   // as newMsg sets it
		msg.Metadata.Set(sourceflow.MetaOccurredAt, fuzzNow.UTC().Format(time.RFC3339Nano)) // as the Encrypter sets it
		msg.Metadata.Set(sourceflow.MetaEncryption, header)
		if pver != "" {
			msg.Metadata.Set(sourceflow.MetaPayloadVersion, pver)
		}
		err := fx.dec.Decrypt(context.Background(), destination, msg)
		want := fx.plaintextOf(header, body, pver)
		if typ != testType || destination != testDest {
			want = nil
		}
		if err == nil {
			require.NotNil(t, want, "decrypted a message that was not encrypted here: header %q body %q", header, body)
			require.Equal(t, want, []byte(msg.Payload))
			require.NotContains(t, msg.Metadata, sourceflow.MetaEncryption)
			return
		}
		require.ErrorIs(t, err, encryption.ErrDecrypt)
		require.True(t, sourceflow.IsPermanent(err), "not permanent: %v", err)
		require.True(t, errors.Is(err, encryption.ErrTampered) || errors.Is(err, encryption.ErrContextMismatch) ||
			errors.Is(err, encryption.ErrUnsupportedVersion), "no specific sentinel: %v", err)
		require.Equal(t, body, []byte(msg.Payload), "payload changed by a failed decryption")
		require.Equal(t, header, msg.Metadata.Get(sourceflow.MetaEncryption))
		if want != nil {
			t.Fatalf("authentic message failed: %v", err)
		}
	})
}
