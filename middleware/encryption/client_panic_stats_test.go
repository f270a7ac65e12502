package encryption_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A KMS call during which the client panicked is a failed call in Stats,
// as one KMS refused: the metrics of failed calls show a client that
// panics on every call.
func TestClientPanicCountsAsAFailedCall(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	sealed := f.encrypt(t, []byte(`{"id":"o-1"}`))
	enc, err := encryption.NewEncrypter(panickingKMS{f.kms}, encryption.EncrypterConfig{KeyID: testAlias})
	require.NoError(t, err)
	dec, err := encryption.NewDecrypter(panickingKMS{f.kms}, encryption.DecrypterConfig{Clock: f.clock})
	require.NoError(t, err)

	_, err = enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte(`{}`)))
	require.ErrorAs(t, err, new(*encryption.ClientPanicError))
	err = dec.Decrypt(context.Background(), testDest, sealed.Copy())
	require.ErrorAs(t, err, new(*encryption.ClientPanicError))

	assert.Equal(t, int64(1), enc.Stats().GenerateDataKeyFailures)
	assert.Equal(t, int64(1), dec.Stats().DecryptFailures)
}

// A panic of the KMS client in the DescribeKey of Encrypter.Check, which a
// transport's health check calls, is the check's error, a
// *ClientPanicError, logged once with its stack: not the end of the
// process.
func TestCheckReportsAClientPanic(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	logs := watermill.NewCaptureLogger()
	enc, err := encryption.NewEncrypter(describePanickingKMS{f.kms}, encryption.EncrypterConfig{KeyID: testAlias, Logger: logs})
	require.NoError(t, err)

	err = enc.Check(context.Background())

	require.ErrorAs(t, err, new(*encryption.ClientPanicError))
	require.ErrorIs(t, err, encryption.ErrKMS)
	stacks := 0
	for _, l := range logs.Captured()[watermill.ErrorLogLevel] {
		if _, has := l.Fields["stack"]; has {
			stacks++
		}
	}
	assert.Equal(t, 1, stacks, "logged once, with its stack")
}
