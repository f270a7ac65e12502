package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// countingOutbox stands for a store's outbox that counts its dead letters.
type countingOutbox struct {
	cqrs.Transport
	service string
}

func (o countingOutbox) DeadLettersByDestination() map[string]int64 {
	return map[string]int64{o.service: 1}
}

// Each service's metrics read the dead letters of its outbox besides those
// of its inner transport.
func TestOutboxDeadLettersJoinTheServicesMetrics(t *testing.T) {
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = inner.Close() })
	tr := &transports{
		orders:   wiring{transport: inner, deadLetters: []metrics.DeadLetterSource{inner}},
		payments: wiring{transport: inner},
	}
	s := &stores{outbox: func(service string, inner cqrs.Transport) (cqrs.Transport, error) {
		return countingOutbox{Transport: inner, service: service}, nil
	}}
	var c closers
	require.NoError(t, s.withOutbox(tr, &c))
	t.Cleanup(func() { _ = c.closeAll() })
	require.Len(t, tr.orders.deadLetters, 2)
	assert.Equal(t, inner, tr.orders.deadLetters[0])
	assert.Equal(t, map[string]int64{"orders": 1}, tr.orders.deadLetters[1].DeadLettersByDestination())
	require.Len(t, tr.payments.deadLetters, 1)
	assert.Equal(t, map[string]int64{"payments": 1}, tr.payments.deadLetters[0].DeadLettersByDestination())
}
