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

// TestARedriveCountAddedAfterSealingKeepsTheMessageReadable: a redrive
// counts itself (sf_redrives, sf_redriven_at) on a sealed message, twice
// here; the message still decrypts, or verifies when signed only, and
// keeps the count.
func TestARedriveCountAddedAfterSealingKeepsTheMessageReadable(t *testing.T) {
	for _, sign := range []bool{false, true} {
		f := newFixture(t, encryption.EncrypterConfig{SignOnly: sign}, encryption.DecrypterConfig{Accept: acceptFor(sign)})
		msg := seal(t, f, `{"amount":7}`)
		at := f.clock.Now()
		sourceflow.CountRedrive(msg.Metadata, at)
		sourceflow.CountRedrive(msg.Metadata, at.Add(time.Minute))

		require.NoError(t, f.dec.Decrypt(context.Background(), testDest, msg), "signed=%v", sign)
		assert.Equal(t, `{"amount":7}`, string(msg.Payload))
		assert.Equal(t, 2, sourceflow.Redrives(msg.Metadata))
		assert.Equal(t, at.Add(time.Minute).UTC().Format(time.RFC3339Nano), msg.Metadata.Get(sourceflow.MetaRedrivenAt))
	}
}
