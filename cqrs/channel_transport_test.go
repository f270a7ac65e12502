package cqrs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestDeadLetterAfterLastDeliveryNamesTheLastError: a message that fails on
// every delivery is dead-lettered with the number of deliveries and the
// handler's last error.
func TestDeadLetterAfterLastDeliveryNamesTheLastError(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeliveries: 2, RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc := newService(t, tr, "orders", "orders")
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		return nil, errors.New("card declined")
	}))
	start(t, svc)
	_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
	require.NoError(t, err)

	eventually(t, func() bool { return tr.DeadLetterCount() == 1 }, "the message is dead-lettered")
	dl := tr.DeadLetters()[0]
	assert.Equal(t, 2, dl.Deliveries)
	assert.Contains(t, dl.Reason, "failed 2 deliveries")
	assert.Contains(t, dl.Reason, "card declined")
}

// In process nothing redelivers later, so a message whose handler keeps
// finding it held elsewhere (sourceflow.ErrInProgress) is dead-lettered
// after its last delivery, naming the error, rather than handed back to
// gochannel, which would deliver it again at once, forever.
func TestChannelTransportDeadLettersAMessageHeldElsewhere(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeliveries: 2, RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc := newService(t, tr, "orders", "orders")
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		return nil, fmt.Errorf("claim: %w", sourceflow.ErrInProgress)
	}))
	start(t, svc)
	_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
	require.NoError(t, err)

	eventually(t, func() bool { return tr.DeadLetterCount() == 1 }, "the message is dead-lettered")
	assert.Contains(t, tr.DeadLetters()[0].Reason, sourceflow.ErrInProgress.Error())
}
