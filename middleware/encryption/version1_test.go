package encryption_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// upgradeEnd is the Version1Until of the tests' upgrades: 1 February 2027,
// after the fixture clock's start plus MaxAge.
var upgradeEnd = time.Date(2027, time.February, 1, 0, 0, 0, 0, time.UTC)

func TestVersion1HeadersAreReadUntilTheirDeadline(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	upgrading := f.newDecrypter(t, encryption.DecrypterConfig{Version1Until: upgradeEnd})
	msg := sealVersion1(t, f, `{"amount":7}`)
	require.NoError(t, upgrading.Decrypt(context.Background(), testDest, msg), "before Version1Until")
	assert.Equal(t, `{"amount":7}`, string(msg.Payload))

	closed := f.newDecrypter(t, encryption.DecrypterConfig{Version1Until: f.clock.Now()})
	err := closed.Decrypt(context.Background(), testDest, sealVersion1(t, f, `{"amount":7}`))
	require.ErrorIs(t, err, encryption.ErrUnsupportedVersion)
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Contains(t, err.Error(), "version 1 (its envelope is not authenticated) was accepted until")
}

// A Decrypter without Version1Until refuses every version 1 header, whose
// envelope is not authenticated, and names the option that reads them
// during an upgrade; one with it reads them until that time.
func TestVersion1HeadersAreRefusedByDefault(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	err := f.dec.Decrypt(context.Background(), testDest, sealVersion1(t, f, "default"))
	require.ErrorIs(t, err, encryption.ErrUnsupportedVersion)
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Contains(t, err.Error(), "version 1 (its envelope is not authenticated) is refused; set DecrypterConfig.Version1Until")

	deadline := upgradeEnd
	upgrading := f.newDecrypter(t, encryption.DecrypterConfig{Version1Until: deadline})
	f.clock.Advance(deadline.Sub(f.clock.Now()) - time.Second)
	require.NoError(t, upgrading.Decrypt(context.Background(), testDest, sealVersion1(t, f, "before")))

	f.clock.Advance(time.Second)
	err = upgrading.Decrypt(context.Background(), testDest, sealVersion1(t, f, "at"))
	require.ErrorIs(t, err, encryption.ErrUnsupportedVersion)
	assert.Contains(t, err.Error(), "2027-02-01T00:00:00Z")
}

// Even where Version1Until reads them, a version 1 message must carry an
// occurred-at within MaxAge: one without it, or older, is refused.
func TestVersion1MessagesMustBeDatedWithinTheMaxAge(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	upgrading := f.newDecrypter(t, encryption.DecrypterConfig{Version1Until: upgradeEnd})

	undated := sealVersion1(t, f, `{"amount":7}`)
	delete(undated.Metadata, sourceflow.MetaOccurredAt)
	err := upgrading.Decrypt(context.Background(), testDest, undated)
	require.ErrorIs(t, err, encryption.ErrExpired)
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Contains(t, err.Error(), "carries no occurred-at time")

	old := sealVersion1(t, f, `{"amount":7}`)
	f.clock.Advance(encryption.DefaultMaxAge + time.Minute)
	require.ErrorIs(t, upgrading.Decrypt(context.Background(), testDest, old), encryption.ErrExpired)
}
