package sqlbus

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A dead letter too large for max_allowed_packet gives up where its
// handler failed (sourceflow.MetaFailedHost, MetaFailedVersion) before it
// cuts its reason, as awsbus's copy does: every dead letter says why it is
// there, the rest only helps.
func TestFitDeadLetterDropsTheFailedOriginBeforeCuttingTheReason(t *testing.T) {
	m := message.NewMessage("id-1", []byte(strings.Repeat("x", 1000)))
	reason := strings.Repeat("r", 400)
	m.Metadata.Set(sourceflow.MetaFailure, reason)
	bare := m.Copy()
	m.Metadata.Set(sourceflow.MetaFailedHost, strings.Repeat("h", 60))
	m.Metadata.Set(sourceflow.MetaFailedVersion, strings.Repeat("v", 100))
	limit := rowBytes(bare)
	for fits(bare, limit) != nil {
		limit++
	}
	require.Error(t, fits(m, limit), "the origin takes the row past the limit")

	fitDeadLetter(m, limit)
	require.NoError(t, fits(m, limit))
	assert.Equal(t, reason, m.Metadata.Get(sourceflow.MetaFailure), "the reason was cut to keep the host and version")
}
