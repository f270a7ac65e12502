//go:build integration

package integration

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// refusalLog counts the dead letters the transport could not publish.
type refusalLog struct {
	watermill.NopLogger
	refused atomic.Int32
}

func (l *refusalLog) Error(msg string, _ error, _ watermill.LogFields) {
	if msg == "Cannot dead-letter message; it stays on its topic" {
		l.refused.Add(1)
	}
}

func (l *refusalLog) With(watermill.LogFields) watermill.LoggerAdapter { return l }

// TestSQLBusOutagePastMaxDeliveriesDeadLettersNothing cuts a service off its
// database while a command is in its handler, whose handling needs the
// database, and keeps it cut off past MaxDeliveries and the dead letters
// that then fail (the dead-letter table is in the same database): once the
// database is back the command is handled, not dead-lettered.
func TestSQLBusOutagePastMaxDeliveriesDeadLettersNothing(t *testing.T) {
	for _, tc := range sqlbusDialects {
		t.Run(string(tc.dialect), func(t *testing.T) {
			t.Parallel()
			d, direct := tc.dialect, sqlbusDB(t, tc.dialect, tc.env)
			db, proxy := proxiedDB(t, d, tc.env)
			queue := sqlbusName("outage-dlq", "")
			dropSQLBusTables(t, d, direct, queue)
			inHand, begun := make(chan struct{}), make(chan struct{})
			var once sync.Once
			needsDB := func(h message.HandlerFunc) message.HandlerFunc {
				return func(msg *message.Message) ([]*message.Message, error) {
					once.Do(func() { close(inHand) })
					<-begun // the command is in its handler when the outage begins
					if err := db.PingContext(msg.Context()); err != nil {
						return nil, fmt.Errorf("store unreachable: %w", err)
					}
					return h(msg)
				}
			}
			logs, runs := &refusalLog{}, &ledger{}
			cfg := sqlbusConfig(d, db)
			cfg.Logger = logs
			svc := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: "outage-dlq-worker", Listen: []string{queue},
				HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t), needsDB}})
			payOrders(t, svc, queue, runs, nil)
			startModel(t, svc)

			env, err := cqrs.NewAggregate(svc, "payment").Send(context.Background(), "stuck", PayOrder{Amount: 1})
			require.NoError(t, err)
			<-inHand
			proxy.refuse()
			close(begun)
			require.Eventually(t, func() bool { return logs.refused.Load() >= 3 }, outagePatience, 10*time.Millisecond,
				"its dead letters are refused while the database is down")
			proxy.restore(t)

			var dead []cqrs.DeadLetter
			require.Eventually(t, func() bool {
				got, _, err := sqlbus.DeadLetters(context.Background(), sqlbusConfig(d, direct), queue, sqlbus.DeadLetterQuery{Max: 1000})
				if err != nil {
					return false
				}
				dead = got
				return len(dead) > 0 || len(runs.messageIDs(svc.Name(), hPay)) > 0
			}, outagePatience, 20*time.Millisecond, "the command is handled or dead-lettered")
			require.Empty(t, dead, "a command was dead-lettered though its handler would now succeed")
			assert.Equal(t, []string{env.MessageID}, runs.messageIDs(svc.Name(), hPay), "the command is handled")
		})
	}
}
