package encryption_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// panickingKMS is a KMS client with a bug: its data-key calls panic.
type panickingKMS struct{ encryption.KMSAPI }

func (panickingKMS) GenerateDataKey(context.Context, *kms.GenerateDataKeyInput, ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	panic("kms client bug")
}

func (panickingKMS) Decrypt(context.Context, *kms.DecryptInput, ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	panic("kms client bug")
}

// A panic inside the KMS client reaches the operator: the Encrypter and
// the Decrypter log it once, at error level, with the stack that the
// callers' one-line error (a *ClientPanicError) keeps out of its text.
func TestClientPanicIsLoggedWithItsStack(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	sealed := f.encrypt(t, []byte(`{"id":"o-1"}`))
	for name, use := range map[string]func(logger watermill.LoggerAdapter) error{
		"Encrypter": func(logger watermill.LoggerAdapter) error {
			enc, err := encryption.NewEncrypter(panickingKMS{f.kms}, encryption.EncrypterConfig{KeyID: testAlias, Logger: logger})
			require.NoError(t, err)
			_, err = enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{}`)))
			return err
		},
		"Decrypter": func(logger watermill.LoggerAdapter) error {
			dec, err := encryption.NewDecrypter(panickingKMS{f.kms}, encryption.DecrypterConfig{Logger: logger})
			require.NoError(t, err)
			return dec.Decrypt(context.Background(), testDest, sealed.Copy())
		},
	} {
		t.Run(name, func(t *testing.T) {
			logs := watermill.NewCaptureLogger()

			err := use(logs)

			var panicked *encryption.ClientPanicError
			require.ErrorAs(t, err, &panicked)
			assert.NotContains(t, err.Error(), "goroutine", "no stack in the error's text")
			var lines []watermill.CapturedMessage
			for _, l := range logs.Captured()[watermill.ErrorLogLevel] {
				if _, has := l.Fields["stack"]; has {
					lines = append(lines, l)
				}
			}
			require.Len(t, lines, 1, "logged once, with its stack")
			assert.Contains(t, lines[0].Msg, "KMS client panicked")
			assert.Equal(t, panicked.Error(), lines[0].Err.Error())
			assert.Equal(t, string(panicked.Stack), lines[0].Fields["stack"])
			assert.Contains(t, lines[0].Fields["stack"], "panickingKMS", "the stack shows where")
		})
	}
}

// describePanickingKMS is a KMS client whose DescribeKey panics.
type describePanickingKMS struct{ encryption.KMSAPI }

func (describePanickingKMS) DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	panic("kms client bug")
}

// A panic of the KMS client in DescribeKey, which the Decrypter calls to
// resolve an alias of KeyIDs, is a *ClientPanicError as one in Decrypt
// is, so the message is tried again rather than dead-lettered as a
// handler's panic, and it is logged once with its stack.
func TestDescribeKeyPanicIsAClientPanicError(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	sealed := f.encrypt(t, []byte(`{"id":"o-1"}`))
	logs := watermill.NewCaptureLogger()
	dec, err := encryption.NewDecrypter(describePanickingKMS{f.kms}, encryption.DecrypterConfig{KeyIDs: []string{testAlias}, Logger: logs})
	require.NoError(t, err)

	err = dec.Decrypt(context.Background(), testDest, sealed.Copy())

	var panicked *encryption.ClientPanicError
	require.ErrorAs(t, err, &panicked)
	require.ErrorIs(t, err, encryption.ErrKMS)
	assert.False(t, sourceflow.IsPermanent(err), "tried again")
	var lines []watermill.CapturedMessage
	for _, l := range logs.Captured()[watermill.ErrorLogLevel] {
		if _, has := l.Fields["stack"]; has {
			lines = append(lines, l)
		}
	}
	require.Len(t, lines, 1, "logged once, with its stack")
	assert.Equal(t, string(panicked.Stack), lines[0].Fields["stack"])
	assert.Equal(t, "DescribeKey", lines[0].Fields["operation"])
}
