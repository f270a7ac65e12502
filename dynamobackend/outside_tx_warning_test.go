package dynamobackend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/dynamobackend"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// A service built as the README says (Backend.NewService, the Backend's
// transactional idempotency middleware) has nothing to be warned of: its
// stores are the Backend's.
func TestNewService_WithTheBackendsIdempotencyIsNotWarnedOfAStoreOutsideItsTransaction(t *testing.T) {
	for _, outbox := range []bool{true, false} {
		t.Run(map[bool]string{true: "outbox", false: "no outbox"}[outbox], func(t *testing.T) {
			ctx := context.Background()
			b, _ := open(t, dynamobackend.Config{Outbox: outbox})
			transport, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, Logger: watermill.NopLogger{}})
			require.NoError(t, err)
			if !outbox {
				t.Cleanup(func() { _ = transport.Close() })
			}
			logs := watermill.NewCaptureLogger()
			claims, err := b.Idempotency(idempotency.MiddlewareConfig{})
			require.NoError(t, err)
			stack := middleware.NewStack()
			require.NoError(t, stack.Use(middleware.ConsumeIdempotency, "dynamodb", claims.Middleware))
			svc, err := b.NewService(ctx, cqrs.ServiceConfig{Name: "booking", Transport: transport, Listen: []string{"bookings", "booking-events"},
				Logger: logs, HandlerMiddleware: stack.HandlerMiddlewares()})
			require.NoError(t, err)
			seats := registerBooking(t, svc)
			require.NoError(t, svc.Start(ctx))
			t.Cleanup(func() { assert.NoError(t, svc.Close()) })

			_, err = cqrs.NewAggregate(svc, "booking").Send(ctx, "flight-7", reserveSeat{Seat: "12A"})
			require.NoError(t, err)
			require.EventuallyWithT(t, func(c *assert.CollectT) {
				_, found, err := seats.Get(ctx, "flight-7")
				assert.NoError(c, err)
				assert.True(c, found, "the view never saw the event")
				assert.GreaterOrEqual(c, claims.Stats().Completed, uint64(2), "the command and the event were not both recorded as handled")
			}, 30*time.Second, 50*time.Millisecond)
			var warned []any
			for _, m := range logs.Captured()[watermill.InfoLogLevel] {
				if strings.Contains(m.Msg, "does not join the transaction of the transactional idempotency middleware") {
					warned = append(warned, m.Fields["handler"])
				}
			}
			assert.Empty(t, warned, "a service on the Backend's own stores is warned that they are outside its transaction")
		})
	}
}
