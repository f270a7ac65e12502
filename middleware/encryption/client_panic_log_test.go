package encryption_test

import (
	"context"
	"testing"
	"time"

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
			dec, err := encryption.NewDecrypter(panickingKMS{f.kms}, encryption.DecrypterConfig{Logger: logger, Clock: f.clock})
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
	dec, err := encryption.NewDecrypter(describePanickingKMS{f.kms}, encryption.DecrypterConfig{KeyIDs: []string{testAlias}, Logger: logs, Clock: f.clock})
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

// stackLines returns the error lines of logs that carry a stack.
func stackLines(logs *watermill.CaptureLoggerAdapter) []watermill.CapturedMessage {
	var lines []watermill.CapturedMessage
	for _, l := range logs.Captured()[watermill.ErrorLogLevel] {
		if _, has := l.Fields["stack"]; has {
			lines = append(lines, l)
		}
	}
	return lines
}

// A KMS client that panics on every call does not log a stack per call
// (one per message): the first panic of an operation is logged with its
// stack, the later ones within a minute are only counted, and the next
// one logged, a minute on, says how many were not. Each operation has its
// own minute.
func TestClientPanicLogIsThrottledPerOperation(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	sealed := f.encrypt(t, []byte(`{"id":"o-1"}`))
	logs := watermill.NewCaptureLogger()
	enc := newEncrypterOn(t, f, panickingKMS{f.kms}, encryption.EncrypterConfig{Logger: logs})
	dec := newDecrypterOn(t, f, panickingKMS{f.kms}, encryption.DecrypterConfig{Logger: logs})
	encrypt := func() {
		_, err := enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{}`)))
		var panicked *encryption.ClientPanicError
		require.ErrorAs(t, err, &panicked, "every caller gets the panic as its error")
	}

	for range 5 {
		encrypt()
	}
	require.ErrorIs(t, dec.Decrypt(context.Background(), testDest, sealed.Copy()), encryption.ErrKMS)
	lines := stackLines(logs)
	require.Equal(t, 2, len(lines), "the first of each operation")
	assert.Equal(t, "GenerateDataKey", lines[0].Fields["operation"])
	assert.NotContains(t, lines[0].Fields, "panics_not_logged")
	assert.Equal(t, "Decrypt", lines[1].Fields["operation"])

	f.clock.Advance(59 * time.Second)
	encrypt()
	require.Equal(t, 2, len(stackLines(logs)), "still within the minute")

	f.clock.Advance(time.Second)
	encrypt()
	lines = stackLines(logs)
	require.Equal(t, 3, len(lines), "a minute after the first")
	assert.Equal(t, "GenerateDataKey", lines[2].Fields["operation"])
	assert.Equal(t, 5, lines[2].Fields["panics_not_logged"], "the panics since the last line logged")
	assert.Contains(t, lines[2].Fields["stack"], "panickingKMS")
}
