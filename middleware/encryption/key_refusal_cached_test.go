package encryption_test

import (
	"context"
	"sync"
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

// typesRefusingKMS is the fake KMS behind a key policy whose conditions on
// the encryption context deny GenerateDataKey for some message types, to
// which more can be added (a policy update rolling out).
type typesRefusingKMS struct {
	*encryptiontest.KMS
	mu      sync.Mutex
	refused map[string]bool
}

func (k *typesRefusingKMS) refuse(typ string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.refused[typ] = true
}

func (k *typesRefusingKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	k.mu.Lock()
	refused := k.refused[in.EncryptionContext[encryption.ContextKeyType]]
	k.mu.Unlock()
	if refused {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied by the key policy's condition"}
	}
	return k.KMS.GenerateDataKey(ctx, in, opts...)
}

// refusingEncrypter returns an Encrypter of f's key on f's clock, with
// data keys kept for maxAge, behind a typesRefusingKMS denying refusedType.
func (f *fixture) refusingEncrypter(t *testing.T, maxAge time.Duration) (*typesRefusingKMS, *encryption.Encrypter) {
	t.Helper()
	api := &typesRefusingKMS{KMS: f.kms, refused: map[string]bool{refusedType: true}}
	enc, err := encryption.NewEncrypter(api, encryption.EncrypterConfig{KeyID: testAlias, Clock: f.clock, DataKeyMaxAge: maxAge})
	require.NoError(t, err)
	return api, enc
}

// sender returns a function that encrypts a message of a type for testDest
// with enc and returns the error.
func sender(enc *encryption.Encrypter) func(typ string) error {
	return func(typ string) error {
		_, err := enc.Encrypt(context.Background(), testDest, newMsg(typ, []byte("{}")))
		return err
	}
}

// A context denied past its grace, while the key keeps sealing another
// type's messages with a cached data key, is permanent under its own
// context: a cached seal ends no context's run of refusals, only the run
// of the key unavailable whole (the next test), which a denial never
// starts, so a context the key starts denying later has a grace of its own.
func TestEncrypt_AKeyServingFromTheCacheIsNotRefusedWhole(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	api, enc := f.refusingEncrypter(t, time.Hour)
	send := sender(enc)
	require.NoError(t, send(testType))
	calls := enc.Stats().GenerateDataKeyCalls
	require.Error(t, send(refusedType))
	for range 15 {
		f.clock.Advance(time.Minute)
		require.NoError(t, send(testType))
		require.Error(t, send(refusedType))
	}
	assert.True(t, sourceflow.IsPermanent(send(refusedType)), "past the grace under its own context, the cached seals notwithstanding")
	require.Equal(t, calls+17, enc.Stats().GenerateDataKeyCalls, "the other type was served from the cache only")

	api.refuse("orders.Later")
	err := send("orders.Later")
	require.ErrorIs(t, err, encryption.ErrAccessDenied)
	assert.False(t, sourceflow.IsPermanent(err), "denied under its own context only now: a grace of its own")
}

// A key KMS reports unavailable (disabled) is not taken as unavailable
// whole while it keeps sealing messages with a cached data key: each
// cached seal ends the run of the key whole, though another context's
// refusals, closer together than the grace, would keep that run going
// past it. A context refused since the start is past its own grace, while
// one refused first after the grace has a grace of its own, until the key
// has sealed nothing for the grace.
func TestEncrypt_AnUnavailableKeyServingFromTheCacheIsNotUnavailableWhole(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{DataKeyMaxAge: time.Hour}, encryption.DecrypterConfig{})
	send := sender(f.enc)
	require.NoError(t, send(testType))
	calls := f.enc.Stats().GenerateDataKeyCalls
	f.kms.SetDisabled(f.keyID, true)
	require.ErrorIs(t, send(refusedType), encryption.ErrKeyUnavailable)
	const every = 5 * time.Minute // refusals this close together add up
	for range 4 {
		f.clock.Advance(every)
		require.NoError(t, send(testType), "sealed with the cached data key")
		require.ErrorIs(t, send(refusedType), encryption.ErrKeyUnavailable)
	}
	assert.True(t, sourceflow.IsPermanent(send(refusedType)), "past the grace under its own context")
	require.Equal(t, calls+6, f.enc.Stats().GenerateDataKeyCalls, "the other type was served from the cache only")

	err := send("orders.Later")
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.False(t, sourceflow.IsPermanent(err), "the key sealed a message from the cache just now: a grace of its own")

	for range 3 {
		f.clock.Advance(every)
		require.ErrorIs(t, send(refusedType), encryption.ErrKeyUnavailable)
	}
	err = send("orders.Other")
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.True(t, sourceflow.IsPermanent(err), "unavailable whole for the grace since the last cached seal")
}
