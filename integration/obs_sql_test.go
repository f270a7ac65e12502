//go:build integration

package integration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// stallTransport is a transport whose publishers fail while stalled is set:
// an outbox relay in front of it stalls.
type stallTransport struct {
	cqrs.Transport
	stalled *atomic.Bool
}

// Publisher returns the inner transport's publisher of dest, stalled.
func (s stallTransport) Publisher(dest string) (message.Publisher, error) {
	p, err := s.Transport.Publisher(dest)
	return stallPublisher{p, s.stalled}, err
}

// stallPublisher fails every Publish while stalled is set.
type stallPublisher struct {
	message.Publisher
	stalled *atomic.Bool
}

// Publish refuses msgs while stalled, else publishes them.
func (s stallPublisher) Publish(topic string, msgs ...*message.Message) error {
	if s.stalled.Load() {
		return errors.New("relay target unreachable")
	}
	return s.Publisher.Publish(topic, msgs...)
}

// obsSQLRig is the obs rig's A and B on sqlbus (PostgreSQL): A sends
// PayOrder to B, whose saga raises OrderPaid through a transactional outbox
// whose relay can be stalled. Spans go to one recorder, logs to one capture
// logger.
type obsSQLRig struct {
	db      *sql.DB
	tr      *tracing.Tracing
	rec     *tracetest.SpanRecorder
	logs    *watermill.CaptureLoggerAdapter
	store   *sqlstore.Store
	stalled atomic.Bool
	payQ    string
	paidT   string
	topic   string
}

func newObsSQLRig(t *testing.T) *obsSQLRig {
	t.Helper()
	d := sourceflow.Postgres
	r := &obsSQLRig{db: sqlbusDB(t, d, "SOURCEFLOW_POSTGRES_DSN"), rec: tracetest.NewSpanRecorder(), logs: watermill.NewCaptureLogger(),
		payQ: sqlbusName("obs-pay", ""), paidT: sqlbusName("obs-paid", ""),
		topic: strings.ReplaceAll(uniqueName("obs_obx", ""), "-", "_")}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	var err error
	r.tr, err = tracing.New(tracing.Config{TracerProvider: tp})
	require.NoError(t, err)
	dropOutboxTablesOf(t, d, r.db, r.topic)
	dropSQLBusTables(t, d, r.db, r.payQ, r.paidT)
	r.store = outageStore(t, d, r.db, r.db)
	return r
}

// service builds a service on sqlbus, through the stallable outbox when
// withOutbox, with the tracing middleware and the rig's types.
func (r *obsSQLRig) service(t *testing.T, name string, withOutbox bool, listen ...string) *cqrs.Service {
	t.Helper()
	bcfg := sqlbusConfig(sourceflow.Postgres, r.db)
	bcfg.Logger = r.logs
	inner, err := sqlbus.NewTransport(bcfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = inner.Close() })
	scfg := cqrs.ServiceConfig{Name: name, Listen: listen, CloseTimeout: 10 * time.Second, Transport: inner,
		HandlerMiddleware:   []message.HandlerMiddleware{r.tr.Middleware, memoryIdempotency(t)},
		PublisherDecorators: []message.PublisherDecorator{r.tr.DecoratePublisher}}
	if withOutbox {
		box, err := outbox.New(outbox.Config{DB: r.db, Dialect: sourceflow.Postgres, Topic: r.topic, Logger: r.logs,
			Transport: stallTransport{inner, &r.stalled}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = box.Close() })
		scfg.Transport, scfg.CommandStore, scfg.EntityStore = box, r.store.Commands(), r.store.Entities()
	}
	svc, err := cqrs.NewService(scfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", r.payQ))
	require.NoError(t, cqrs.RegisterEvent[OrderPaid](svc, "model.OrderPaid", r.paidT))
	return svc
}

// start builds and starts A and B and returns A's aggregate.
func (r *obsSQLRig) start(t *testing.T) *cqrs.Aggregate {
	t.Helper()
	a, b := r.service(t, "obs-a", false), r.service(t, "obs-b", true, r.payQ)
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](b, "payment"), func(_ context.Context, s *Payment, cmd PayOrder, _ cqrs.Envelope) ([]any, error) {
		s.Amount += cmd.Amount
		return []any{OrderPaid(cmd)}, nil
	}))
	startModel(t, b, a)
	return cqrs.NewAggregate(a, "order")
}

// TestObsOutboxForwardFailureLogNamesTheMessage: with the outbox relay
// stalled (its inner publish fails), the only trace of the incident is the
// outbox's "forwarding failed" log line, and it names the row by the
// Watermill forwarder's envelope UUID, an id no span, metric or other log
// line carries. An SRE cannot tell which message (id, type, trace) is stuck.
// The line should name the stuck message's own id (sourceflow.MetaMessageID,
// the spans' messaging.message.id).
func TestObsOutboxForwardFailureLogNamesTheMessage(t *testing.T) {
	r := newObsSQLRig(t)
	agg := r.start(t)
	r.stalled.Store(true)
	_, err := agg.Send(context.Background(), "stuck", PayOrder{Amount: obsOK})
	require.NoError(t, err)
	var line watermill.CapturedMessage
	require.Eventually(t, func() bool {
		for _, e := range r.logs.Captured()[watermill.ErrorLogLevel] {
			if strings.Contains(e.Msg, "forwarding failed") {
				line = e
				return true
			}
		}
		return false
	}, time.Minute, 50*time.Millisecond, "the relay logs its failure")
	var stuck string
	for _, s := range r.rec.Ended() {
		if strings.HasPrefix(s.Name(), "send ") && spanAttr(s, "sourceflow.type") == "model.OrderPaid" {
			stuck = spanAttr(s, "messaging.message.id")
		}
	}
	require.NotEmpty(t, stuck, "the event was written to the outbox")
	assert.Contains(t, fmt.Sprint(line.Fields), stuck, "the relay's failure names the stuck message's id; fields: %v", line.Fields)
}
