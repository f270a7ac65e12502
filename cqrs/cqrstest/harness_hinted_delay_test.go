package cqrstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sourceflow "github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type chargeCard struct{ Amount int64 }
type card struct{ Charged int64 }

// TestHarnessSendDoesNotWaitOutHintedRetryDelays expects a harness's transport
// to redeliver promptly, whatever delay a handler's error hints, so that a
// test of a handler failing with sourceflow.RetryAfter (or with ErrNewerState,
// hinted 30s) sees the dead letter in milliseconds, as it does with an unhinted
// error. It fails because the harness's ChannelTransport honours the hint: the
// synchronous Send waits 7 pauses of a minute before the message is
// dead-lettered (3m30s for ErrNewerState), and ChannelConfig has no cap on a
// hinted delay for cqrstest.New to set.
func TestHarnessSendDoesNotWaitOutHintedRetryDelays(t *testing.T) {
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "cards", Listen: []string{"cards"}})
	h.Must(cqrs.RegisterCommand[chargeCard](h.Service, "test.ChargeCard", "cards"))
	h.Must(cqrs.Handle(cqrs.NewSaga[card](h.Service, "card"), func(context.Context, *card, chargeCard, cqrs.Envelope) ([]any, error) {
		return nil, sourceflow.RetryAfter(errors.New("gateway busy"), time.Minute)
	}))
	h.Start()

	go func() {
		_, _ = cqrs.NewAggregate(h.Service, "card").Send(context.Background(), "c1", chargeCard{Amount: 5})
	}()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, 1, h.Transport.DeadLetterCount(), "dead-lettered after its 8 deliveries")
	}, 5*time.Second, 10*time.Millisecond, "the harness waits out the handler's hinted delay of a minute between deliveries")
}
