package encryption_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// A version 1 header does not authenticate its envelope: anyone who ever
// captured one version 1 message (a dead-letter queue, a log of bodies, a
// queue they may read) could send it again under a fresh message id, so
// idempotency lets it through, for another entity, and with its
// occurred-at removed, so no MaxAge applies. A default Decrypter refuses
// version 1 (Version1Until unset), and one reading it during an upgrade
// requires an occurred-at within MaxAge.
func TestAVersion1MessageSentAgainForAnotherEntityIsRefused(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	captured := sealVersion1(t, f, `{"order_no":1,"amount":100}`)
	f.clock.Advance(365 * 24 * time.Hour) // a year later

	replay := captured.Copy()
	replay.Metadata.Set(sourceflow.MetaMessageID, "fresh-id")
	replay.Metadata.Set(sourceflow.MetaEntityID, "another-customer")
	delete(replay.Metadata, sourceflow.MetaOccurredAt)
	err := f.dec.Decrypt(context.Background(), testDest, replay)
	require.ErrorIs(t, err, encryption.ErrUnsupportedVersion, "by default")

	upgrading := f.newDecrypter(t, encryption.DecrypterConfig{Version1Until: upgradeEnd})
	require.ErrorIs(t, upgrading.Decrypt(context.Background(), testDest, replay.Copy()), encryption.ErrExpired,
		"during an upgrade, no occurred-at")
}
