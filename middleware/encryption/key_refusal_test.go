package encryption_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

const refusedType = "orders.Refused"

// typeRefusingKMS is the fake KMS behind a key policy whose condition on
// the encryption context denies GenerateDataKey for one message type: the
// key serves every other type.
type typeRefusingKMS struct {
	*encryptiontest.KMS
	typ string
}

func (k typeRefusingKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	if in.EncryptionContext[encryption.ContextKeyType] == k.typ {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied by the key policy's condition"}
	}
	return k.KMS.GenerateDataKey(ctx, in, opts...)
}

// A key GenerateDataKey refuses under one encryption context is retried
// (not permanent) until it was refused there for KeyRefusalGrace; then
// the error is permanent and says since when, so an outbox dead-letters
// the message instead of holding every message behind it for ever. Other
// types under the same key are unaffected.
func TestEncrypt_AKeyRefusedUnderAContextIsPermanentThereAfterTheGrace(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	enc, err := encryption.NewEncrypter(typeRefusingKMS{KMS: f.kms, typ: refusedType},
		encryption.EncrypterConfig{KeyID: testAlias, Clock: f.clock})
	require.NoError(t, err)
	send := func(typ string) error {
		_, err := enc.Encrypt(context.Background(), testDest, newMsg(typ, []byte("{}")))
		return err
	}

	err = send(refusedType)
	require.ErrorIs(t, err, encryption.ErrAccessDenied)
	assert.False(t, sourceflow.IsPermanent(err), "retried at first")
	f.clock.Advance(encryption.KeyRefusalGrace - time.Second)
	assert.False(t, sourceflow.IsPermanent(send(refusedType)), "still within the grace")
	require.NoError(t, send(testType), "the key serves the other types")

	f.clock.Advance(time.Second)
	err = send(refusedType)
	require.ErrorIs(t, err, encryption.ErrEncrypt)
	require.ErrorIs(t, err, encryption.ErrAccessDenied)
	assert.True(t, sourceflow.IsPermanent(err), "past the grace")
	assert.Contains(t, err.Error(), "key refused since 2023-11-14T22:13:20Z")
	require.NoError(t, send(testType))
	assert.Equal(t, 15*time.Minute, encryption.KeyRefusalGrace, "the outbox's grace for a destination without a publisher")
}

// A key refused whole (disabled) fails every message once it has served
// none for KeyRefusalGrace: an outbox relaying in order does not wait a
// whole grace again for each encryption context behind the first.
func TestEncrypt_AKeyRefusedWholeFailsEveryContextAfterOneGrace(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	f.kms.SetDisabled(f.keyID, true)
	send := func(typ string) error {
		_, err := f.enc.Encrypt(context.Background(), testDest, newMsg(typ, []byte("{}")))
		return err
	}
	require.ErrorIs(t, send(testType), encryption.ErrKeyUnavailable)
	f.clock.Advance(encryption.KeyRefusalGrace)
	assert.True(t, sourceflow.IsPermanent(send(testType)), "past the grace")

	err := send(refusedType)
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.True(t, sourceflow.IsPermanent(err), "another context's first refusal, the key having served none for the grace")
	assert.Contains(t, err.Error(), "key refused since 2023-11-14T22:13:20Z")

	f.kms.SetDisabled(f.keyID, false)
	require.NoError(t, send(testType))
	f.kms.SetDisabled(f.keyID, true)
	f.clock.Advance(5 * time.Minute) // the cached data key retires
	assert.False(t, sourceflow.IsPermanent(send("orders.Other")), "the key served a message: a new grace")
}

// A success under the context ends the run of refusals: a key disabled
// again later has a whole grace again.
func TestEncrypt_AKeyServedAgainStartsTheGraceAgain(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	f.kms.SetDisabled(f.keyID, true)
	_, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte("{}")))
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	f.clock.Advance(encryption.KeyRefusalGrace - time.Second)
	f.kms.SetDisabled(f.keyID, false)
	f.encrypt(t, []byte("{}"))

	f.kms.SetDisabled(f.keyID, true)
	f.clock.Advance(5 * time.Minute) // the cached data key retires
	_, err = f.enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte("{}")))
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.False(t, sourceflow.IsPermanent(err), "a new run of refusals")
}

// A refused key is logged with the Encrypter's logger, at most once a
// minute, with the key, the context and since when it is refused.
func TestEncrypt_ARefusedKeyIsLoggedAtMostOnceAMinute(t *testing.T) {
	log := &captureLogger{}
	f := newFixture(t, encryption.EncrypterConfig{Logger: log}, encryption.DecrypterConfig{})
	f.kms.SetDenied(f.keyID, true)
	refusals := func() int { return strings.Count(log.text(), "KMS refuses the key") }
	send := func() {
		_, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte("{}")))
		require.ErrorIs(t, err, encryption.ErrAccessDenied)
	}

	send()
	require.Equal(t, 1, refusals())
	assert.Contains(t, log.text(), "key_id="+testAlias)
	assert.Contains(t, log.text(), "destination="+testDest)
	assert.Contains(t, log.text(), "type="+testType)
	assert.Contains(t, log.text(), "refused_since=2023-11-14T22:13:20Z")
	f.clock.Advance(59 * time.Second)
	send()
	assert.Equal(t, 1, refusals(), "not again within the minute")
	f.clock.Advance(time.Second)
	send()
	assert.Equal(t, 2, refusals())
}

// The refusal log's minute is per encryption context: a context refused
// every few seconds does not hide another context's refusal.
func TestEncrypt_EachRefusedContextIsLoggedOnceAMinute(t *testing.T) {
	log := &captureLogger{}
	f := newFixture(t, encryption.EncrypterConfig{Logger: log}, encryption.DecrypterConfig{})
	f.kms.SetDenied(f.keyID, true)
	refusals := func() int { return strings.Count(log.text(), "KMS refuses the key") }
	send := func(typ string) {
		_, err := f.enc.Encrypt(context.Background(), testDest, newMsg(typ, []byte("{}")))
		require.ErrorIs(t, err, encryption.ErrAccessDenied)
	}

	send(testType)
	require.Equal(t, 1, refusals())
	f.clock.Advance(5 * time.Second)
	send(refusedType)
	require.Equal(t, 2, refusals(), "another context in the same minute")
	assert.Contains(t, log.text(), "type="+refusedType)
	f.clock.Advance(5 * time.Second)
	send(testType)
	send(refusedType)
	assert.Equal(t, 2, refusals(), "neither again within its minute")
	f.clock.Advance(50 * time.Second)
	send(testType)
	assert.Equal(t, 3, refusals(), "a minute after its last log")
	send(refusedType)
	assert.Equal(t, 3, refusals(), "55 seconds after its last log")
}

// The first refusal of a context past its grace is logged at once, even
// less than a minute after a "retried" log of that context, so the log
// says when its messages start failing permanently.
func TestEncrypt_TheFirstRefusalPastTheGraceIsLoggedAtOnce(t *testing.T) {
	log := &captureLogger{}
	f := newFixture(t, encryption.EncrypterConfig{Logger: log}, encryption.DecrypterConfig{})
	f.kms.SetDenied(f.keyID, true)
	logged := func(what string) int { return strings.Count(log.text(), what) }
	send := func() {
		_, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte("{}")))
		require.ErrorIs(t, err, encryption.ErrAccessDenied)
	}

	send()
	f.clock.Advance(encryption.KeyRefusalGrace - 30*time.Second)
	send()
	require.Equal(t, 2, logged("retried until the grace ends"))
	f.clock.Advance(30 * time.Second)
	send()
	assert.Equal(t, 1, logged("past the grace; its messages fail permanently"), "30 seconds after the last log")
	f.clock.Advance(30 * time.Second)
	send()
	assert.Equal(t, 1, logged("past the grace"), "then once a minute")
}

// Stats counts the KMS calls that failed, on both sides, for the metrics
// package: a refused key shows there, not only in Failures.
func TestStats_CountFailedKMSCalls(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	out := f.encrypt(t, []byte("{}"))
	f.kms.SetDisabled(f.keyID, true)
	_, err := f.enc.Encrypt(context.Background(), "payments", newMsg(testType, []byte("{}")))
	require.Error(t, err)
	require.Error(t, f.dec.Decrypt(context.Background(), testDest, out))

	e, d := f.enc.Stats(), f.dec.Stats()
	assert.Equal(t, int64(1), e.GenerateDataKeyFailures)
	assert.Zero(t, e.DecryptFailures)
	assert.Equal(t, int64(1), d.DecryptFailures)
	assert.Zero(t, d.GenerateDataKeyFailures)
}
