//go:build integration

package sqlbackend_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// outageCommands is how many commands arrive while the database is cut off.
const outageCommands = 5

// storeFailures counts, per message, the handlings that failed because the
// service's store was unavailable (sourceflow.ErrStoreUnavailable).
type storeFailures struct {
	mu     sync.Mutex
	counts map[string]int
}

// middleware counts the store-unavailable failures of the handlings it
// wraps.
func (f *storeFailures) middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if sourceflow.IsStoreUnavailable(err) {
			f.mu.Lock()
			f.counts[msg.UUID]++
			f.mu.Unlock()
		}
		return out, err
	}
}

// each reports whether n messages failed, each more than times times.
func (f *storeFailures) each(n, times int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.counts) < n {
		return false
	}
	for _, c := range f.counts {
		if c <= times {
			return false
		}
	}
	return true
}

// TestService_WaitsOutADatabaseOutageWithoutDeadLettering cuts a service
// on the Backend (its stores and transactional idempotency, reached
// through a proxy) off PostgreSQL while commands arrive on an async
// ChannelTransport, whose own link stays up, for longer than the 13s
// PubSubTransport's defaults redeliver a failing message for (70ms
// ChannelTransport's): every delivery fails because the store is
// unavailable, none is dead-lettered, the outage is logged, and once the
// link is back each command and its event are handled once.
func TestService_WaitsOutADatabaseOutageWithoutDeadLettering(t *testing.T) {
	d := dialect{sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN"}
	ctx := context.Background()
	dsn := d.dsn(t)
	target := sqldb.Address(d.dialect, dsn)
	p := newProxy(t, target)
	prefix := uniquePrefix()
	b, err := sqlbackend.Open(ctx, sqlbackend.Config{Dialect: d.dialect, DSN: strings.Replace(dsn, target, p.addr, 1),
		TablePrefix: prefix, ConnectTimeout: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, b.Close()) })
	t.Cleanup(func() { dropTables(t, b.Store().DB(), prefix) }) // the link is back by then

	logs := watermill.NewCaptureLogger()
	transport, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, Logger: logs})
	require.NoError(t, err)
	name := "billing_" + strings.TrimSuffix(uniquePrefix(), "_")
	cfg := cqrs.ServiceConfig{Name: name, Transport: transport, Listen: []string{"invoices", "invoice-events"},
		Logger: watermill.NopLogger{}}
	require.NoError(t, b.Configure(ctx, &cfg))
	claims, err := b.Idempotency(idempotency.MiddlewareConfig{})
	require.NoError(t, err)
	stack := middleware.NewStack()
	require.NoError(t, stack.Use(middleware.ConsumeIdempotency, "sql", claims.Middleware))
	failures := &storeFailures{counts: map[string]int{}}
	cfg.HandlerMiddleware = append([]message.HandlerMiddleware{failures.middleware}, stack.HandlerMiddlewares()...)
	svc, cards := newBilling(t, cfg)
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) }) // before the Backend's Close

	agg := cqrs.NewAggregate(newSender(t, transport), "invoice")
	p.stop()
	cut, restored := time.Now(), false
	t.Cleanup(func() {
		if !restored { // the test failed during the outage: the tables are dropped through the link
			p.start(t)
		}
	})
	for i := range outageCommands {
		_, err := agg.Send(ctx, fmt.Sprintf("inv-%d", i), openInvoice{Amount: 10 + i})
		require.NoError(t, err, "the transport's link is up")
	}
	budget := cqrs.RedeliveryPauses(cqrs.DefaultMaxDeliveries, cqrs.DefaultRedeliveryDelay)
	require.Eventually(t, func() bool {
		return len(transport.DeadLetters()) > 0 ||
			failures.each(outageCommands, cqrs.DefaultMaxDeliveries) && time.Since(cut) > budget+time.Second
	}, budget+20*time.Second, 50*time.Millisecond, "each command failed more than MaxDeliveries times, for longer than %s", budget)
	require.Empty(t, transport.DeadLetters(), "a command was dead-lettered during the outage")
	p.start(t)
	restored = true
	t.Logf("link cut for %s", time.Since(cut))

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		for i := range outageCommands {
			card, found, err := cards.Get(ctx, fmt.Sprintf("inv-%d", i))
			assert.NoError(c, err)
			assert.True(c, found && card.Total == 10+i, "inv-%d: %+v", i, card)
		}
		assert.GreaterOrEqual(c, claims.Stats().Completed, uint64(2*outageCommands), "commands and events recorded as handled")
	}, 20*time.Second, 20*time.Millisecond)
	assert.Empty(t, transport.DeadLetters(), "nothing is dead-lettered")
	assertHandledOnce(t, b)
	assertOutageLogged(t, logs)
}

// newSender returns a started service on transport, on memory stores,
// that sends the billing commands: they arrive from elsewhere, whatever
// the billing service's database does.
func newSender(t *testing.T, transport cqrs.Transport) *cqrs.Service {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing-client", Transport: transport, Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[openInvoice](svc, "billing.OpenInvoice", "invoices"))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })
	return svc
}

// assertHandledOnce checks that each outage command was applied once: the
// saga state saved once.
func assertHandledOnce(t *testing.T, b *sqlbackend.Backend) {
	t.Helper()
	ctx := context.Background()
	for i := range outageCommands {
		id := fmt.Sprintf("inv-%d", i)
		state, err := b.Store().Entities().Load(ctx, "invoice", id)
		require.NoError(t, err)
		assert.Equal(t, int64(1), state.Version, "%s: the saga state was not saved once", id)
	}
}

// assertOutageLogged checks that the transport logged the outage, with the
// store's error, and its end.
func assertOutageLogged(t *testing.T, logs *watermill.CaptureLoggerAdapter) {
	t.Helper()
	lines := 0
	for _, c := range logs.Captured()[watermill.ErrorLogLevel] {
		if strings.HasPrefix(c.Msg, "State store unavailable") {
			lines++
			assert.Contains(t, c.Fields["last_error"], "sqlstore", "the store's error")
		}
	}
	assert.Positive(t, lines, "the outage is logged")
	assert.True(t, hasPrefix(logs, "cleared: State store unavailable"), "the outage's end is logged")
}

// hasPrefix reports whether logs has an info line starting with prefix.
func hasPrefix(logs *watermill.CaptureLoggerAdapter, prefix string) bool {
	for _, c := range logs.Captured()[watermill.InfoLogLevel] {
		if strings.HasPrefix(c.Msg, prefix) {
			return true
		}
	}
	return false
}
