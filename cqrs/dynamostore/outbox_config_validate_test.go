package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
)

// OutboxConfig.Validate takes a zero RelayAfter and SweepInterval for
// their defaults, as NewOutbox does.
func TestOutboxConfigValidateTakesZeroFieldsForTheirDefaults(t *testing.T) {
	cfg := dynamostore.OutboxConfig{Transport: &innerTransport{}, Name: "orders"}
	require.NoError(t, cfg.Validate())
	_, err := dynamostore.NewOutbox(context.Background(), newStore(t), cfg)
	require.NoError(t, err)

	cfg.RelayAfter = time.Millisecond
	assert.ErrorContains(t, cfg.Validate(), "RelayAfter: 1ms")
}
