package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// startServices starts the services a role runs (both for "all") on the
// chosen transport and stores; orders is nil when the role is payments. The
// service code is the same for every transport and store.
func startServices(ctx context.Context, opts options, obs *observability, c *counters) (*ordersService, func(), error) {
	w, err := wireServices(ctx, opts, obs, c)
	if err != nil {
		return nil, nil, err
	}
	for _, svc := range rolesServices(opts.role, w.payments, w.orders) { // payments listens before orders sends to it
		if err := svc.Start(ctx); err != nil { // Start's error names the service
			return nil, nil, errors.Join(err, w.closers.closeAll())
		}
		w.closers.add(svc.Close)
	}
	orders := w.orders
	if opts.role == "payments" {
		orders = nil
	}
	return orders, func() {
		if err := w.closers.closeAll(); err != nil {
			fmt.Fprintln(os.Stderr, "orders: close:", err)
		}
		c.duplicates = count64(w.ordPipe.idem.Stats().Duplicates + w.payPipe.idem.Stats().Duplicates)
		c.kms = kmsSummary(w.transports.orders, w.transports.payments)
	}, nil
}

// wired is everything a role's services need, built but not started.
type wired struct {
	payments         *cqrs.Service
	orders           *ordersService
	transports       transports
	payPipe, ordPipe *pipeline
	closers          closers
}

// wireServices opens the stores and builds the transports, pipelines and
// services; closers closes what it opened.
func wireServices(ctx context.Context, opts options, obs *observability, c *counters) (*wired, error) {
	w := &wired{}
	fail := func(err error) (*wired, error) { return nil, errors.Join(err, w.closers.closeAll()) }
	var err error
	if w.transports, err = newTransports(ctx, opts, newLogger(opts)); err != nil {
		return fail(err)
	}
	w.closers.add(w.transports.close)
	st, err := openStores(ctx, opts, true)
	if err != nil {
		return fail(err)
	}
	w.closers.add(st.close) // closed first: a store's outbox closes the transport behind it
	if err := st.configureAll(ctx, &w.transports); err != nil {
		return fail(err)
	}
	health := withStoreHealth(w.transports.health, st.health)
	obs.health.Store(&health)
	if w.payPipe, w.ordPipe, err = newPipelines(opts, obs, w.transports, st, &w.closers); err != nil {
		return fail(err)
	}
	c.pipeline = w.ordPipe.stack.String()
	if w.payments, w.orders, err = newServices(opts, w.transports, w.payPipe, w.ordPipe, c); err != nil {
		return fail(err)
	}
	return w, nil
}

// closers close what a start opened, last opened first.
type closers []func() error

func (c *closers) add(f func() error) { *c = append(*c, f) }

func (c *closers) closeAll() error {
	var errs []error
	for i := len(*c) - 1; i >= 0; i-- {
		errs = append(errs, (*c)[i]())
	}
	return errors.Join(errs...)
}

// rolesServices lists the services a role runs, in start order.
func rolesServices(role string, payments *cqrs.Service, orders *ordersService) []*cqrs.Service {
	switch role {
	case "orders":
		return []*cqrs.Service{orders.svc}
	case "payments":
		return []*cqrs.Service{payments}
	}
	return []*cqrs.Service{payments, orders.svc}
}

func newLogger(opts options) watermill.LoggerAdapter {
	return watermill.NewSlogLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: opts.logLevel})))
}

// newPipelines builds the payments and orders pipelines, adding what closes
// them to closers.
func newPipelines(opts options, obs *observability, tr transports, st *stores, closers *closers) (pay, ord *pipeline, err error) {
	systems := tracingSystems(opts.transport)
	if pay, err = newPipeline(obs, systems, tr.payments, st); err != nil {
		return nil, nil, err
	}
	closers.add(pay.close)
	if ord, err = newPipeline(obs, systems, tr.orders, st); err != nil {
		return nil, nil, err
	}
	closers.add(ord.close)
	return pay, ord, nil
}

// tracingSystems is the tracing configuration naming the messaging systems
// of transport: on AWS, commands go to SQS and events to SNS, and both are
// received from SQS.
func tracingSystems(transport string) tracing.Config {
	switch transport {
	case "aws":
		return tracing.Config{MessagingSystem: tracing.SystemAWSSQS, EventMessagingSystem: tracing.SystemAWSSNS}
	case "postgres":
		return tracing.Config{MessagingSystem: tracing.SQLBusSystem(sourceflow.Postgres)}
	}
	return tracing.Config{MessagingSystem: tracing.SystemGoChannel}
}

// newServices builds the payments and orders services on their transports,
// stores (the wiring's base configurations) and pipelines, with hooks
// counting what they handle.
func newServices(opts options, tr transports, payPipe, ordPipe *pipeline, c *counters) (*cqrs.Service, *ordersService, error) {
	logger := newLogger(opts)
	payCfg := tr.payments.base
	payCfg.Logger = logger.With(watermill.LogFields{"service": "payments"})
	payCfg.HandlerMiddleware, payCfg.PublisherDecorators = payPipe.stack.HandlerMiddlewares(), payPipe.stack.PublisherDecorators()
	payCfg.Hooks = cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{
		c.handlers.track, count(map[string]*atomic.Int64{"payments.ProcessPayment": &c.paid}),
	}}
	payments, err := newPaymentsService(payCfg, opts.dests)
	if err != nil {
		return nil, nil, err
	}
	ordCfg := tr.orders.base
	ordCfg.Logger = logger.With(watermill.LogFields{"service": "orders"})
	ordCfg.HandlerMiddleware, ordCfg.PublisherDecorators = ordPipe.stack.HandlerMiddlewares(), ordPipe.stack.PublisherDecorators()
	ordCfg.Hooks = cqrs.Hooks{
		CommandSubscribe: []message.HandlerMiddleware{
			c.handlers.track, count(map[string]*atomic.Int64{"orders.CreateOrder": &c.created}),
			slow("orders.CreateOrder", opts.slowEvery, opts.slowHandler),
		},
		EventSubscribe: []message.HandlerMiddleware{c.handlers.track, count(map[string]*atomic.Int64{
			"orders.OrderCreated": &c.views, "payments.PaymentProcessed": &c.views})},
	}
	orders, err := newOrdersService(ordCfg, opts.dests)
	return payments, orders, err
}

// wiring is what one service gets from its transport and its stores: the
// transport itself (behind a store's outbox, the outbox), the circuit
// breaker of its publishes, its queue depths (AWS and SQL), its dead-letter
// counts (the transport's and, behind a store's outbox, the outbox's), on
// AWS its KMS encryption, and the service's configuration as the stores
// filled it (stores.configureAll).
type wiring struct {
	transport   cqrs.Transport
	base        cqrs.ServiceConfig
	breaker     *middleware.CircuitBreaker
	depth       metrics.DepthSource
	deadLetters []metrics.DeadLetterSource
	enc         *encryption.Encrypter
	dec         *encryption.Decrypter
}

// transports holds the wiring of each service.
type transports struct {
	orders, payments wiring
	close            func() error
	// health reports whether the transports are healthy, with details.
	health func(ctx context.Context) (bool, any)
}

func newTransports(ctx context.Context, opts options, logger watermill.LoggerAdapter) (transports, error) {
	brk, err := newBreakers(logger)
	if err != nil {
		return transports{}, err
	}
	switch opts.transport {
	case "aws":
		return newAWSTransports(ctx, opts, logger, brk)
	case "postgres":
		return newSQLTransports(ctx, opts, logger, brk)
	}
	// With a SQL store a handler publishes inside its transaction; an
	// asynchronous hand-over lets that transaction commit before the
	// message's own handler begins one.
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Logger: logger, Async: opts.store != "memory"})
	if err != nil {
		return transports{}, err
	}
	health := func(context.Context) (bool, any) {
		return true, map[string]any{"transport": "gochannel", "dead_letters": len(tr.DeadLetters()), "circuits": brk.circuits()}
	}
	return transports{
		// One transport serves both services: its dead letters, of both
		// services' destinations, are exported once, with the orders
		// service's metrics.
		orders: wiring{transport: tr, breaker: brk.orders, deadLetters: []metrics.DeadLetterSource{tr}}, payments: wiring{transport: tr, breaker: brk.payments},
		close: tr.Close, health: health,
	}, nil
}

// kmsSummary sums the KMS calls of every service's encryption; empty when
// encryption is off.
func kmsSummary(ws ...wiring) string {
	var gen, dec, msgs int64
	for _, w := range ws {
		if w.enc == nil {
			return ""
		}
		e, d := w.enc.Stats(), w.dec.Stats()
		gen += e.GenerateDataKeyCalls
		dec += d.DecryptCalls
		msgs += e.Messages
	}
	return fmt.Sprintf("%d messages encrypted with %d GenerateDataKey and %d Decrypt calls", msgs, gen, dec)
}
