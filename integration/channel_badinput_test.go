//go:build integration

package integration

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestChannelTransportBadInputIsDeadLetteredWithItsReasonAndOthersFlow
// runs the SQL transport's catalogue of bad inputs (unknown type,
// undecodable payload, garbled sequence, a message in clear, tampered
// ciphertext, disabled KMS key) on the in-process transport: each is dead-lettered with a reason
// naming the problem and reaches no handler, and the commands sent before
// and after it are handled and applied once.
func TestChannelTransportBadInputIsDeadLetteredWithItsReasonAndOthersFlow(t *testing.T) {
	for _, row := range sqlbusBadRows() {
		t.Run(row.name, func(t *testing.T) {
			tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, tr.Close()) })
			const queue = "badin"
			runCatalogueRow(t, tr, queue, row, func(m *message.Message) {
				pub, err := tr.Publisher(queue)
				require.NoError(t, err)
				require.NoError(t, pub.Publish(queue, m))
			}, func(context.Context) ([]cqrs.DeadLetter, error) { return tr.DeadLetters(), nil })
		})
	}
}
