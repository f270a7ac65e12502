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
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// startServices starts the payments and orders services on the chosen
// transport. The service code is the same for every transport.
func startServices(ctx context.Context, opts options, obs *observability, c *counters) (*ordersService, func(), error) {
	logger := watermill.NewSlogLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: opts.logLevel})))
	var closers []func() error // run in reverse on failure or at the end
	closeAll := func() error {
		var errs []error
		for i := len(closers) - 1; i >= 0; i-- {
			errs = append(errs, closers[i]())
		}
		return errors.Join(errs...)
	}
	fail := func(err error) (*ordersService, func(), error) { return nil, nil, errors.Join(err, closeAll()) }

	transports, err := newTransports(ctx, opts, logger)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, transports.close)
	obs.health = transports.health
	system := map[string]string{"gochannel": "gochannel", "aws": "aws_sqs"}[opts.transport]
	payPipe, err := newPipeline(obs, system, transports.payments)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, payPipe.close)
	ordPipe, err := newPipeline(obs, system, transports.orders)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, ordPipe.close)
	c.pipeline = ordPipe.stack.String()
	payments, orders, err := newServices(transports, payPipe, ordPipe, logger, c)
	if err != nil {
		return fail(err)
	}
	for _, svc := range []*cqrs.Service{payments, orders.svc} { // payments listens before orders sends to it
		if err := svc.Start(ctx); err != nil {
			return fail(fmt.Errorf("start %s: %w", svc.Name(), err))
		}
		closers = append(closers, svc.Close)
	}
	return orders, func() {
		_ = closeAll()
		c.duplicates = int64(ordPipe.idem.Stats().Duplicates + payPipe.idem.Stats().Duplicates)
		c.kms = kmsSummary(transports.orders, transports.payments)
	}, nil
}

// newServices builds the payments and orders services on their transports
// and pipelines, with hooks counting what they handle.
func newServices(tr transports, payPipe, ordPipe *pipeline, logger watermill.LoggerAdapter, c *counters) (*cqrs.Service, *ordersService, error) {
	payments, err := newPaymentsService(cqrs.ServiceConfig{
		Logger:              logger.With(watermill.LogFields{"service": "payments"}),
		Transport:           tr.payments.transport,
		HandlerMiddleware:   payPipe.stack.HandlerMiddlewares(),
		PublisherDecorators: payPipe.stack.PublisherDecorators(),
		Hooks:               cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{count(map[string]*atomic.Int64{"payments.ProcessPayment": &c.paid})}},
	})
	if err != nil {
		return nil, nil, err
	}
	orders, err := newOrdersService(cqrs.ServiceConfig{
		Logger:              logger.With(watermill.LogFields{"service": "orders"}),
		Transport:           tr.orders.transport,
		HandlerMiddleware:   ordPipe.stack.HandlerMiddlewares(),
		PublisherDecorators: ordPipe.stack.PublisherDecorators(),
		Hooks: cqrs.Hooks{
			CommandSubscribe: []message.HandlerMiddleware{count(map[string]*atomic.Int64{"orders.CreateOrder": &c.created})},
			EventSubscribe: []message.HandlerMiddleware{count(map[string]*atomic.Int64{
				"orders.OrderCreated": &c.views, "payments.PaymentProcessed": &c.views})},
		},
	})
	return payments, orders, err
}

// count is a subscribe hook counting successfully handled messages by type.
func count(by map[string]*atomic.Int64) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if c := by[msg.Metadata.Get(sourceflow.MetaType)]; c != nil && err == nil {
				c.Add(1)
			}
			return out, err
		}
	}
}

// wiring is what one service gets from its transport: the transport itself
// and, on AWS, its queue depths and KMS encryption.
type wiring struct {
	transport cqrs.Transport
	depth     metrics.DepthSource
	enc       *encryption.Encrypter
	dec       *encryption.Decrypter
}

// transports holds the wiring of each service.
type transports struct {
	orders, payments wiring
	close            func() error
	// health reports whether the transports are healthy, with details.
	health func(ctx context.Context) (bool, any)
}

func newTransports(ctx context.Context, opts options, logger watermill.LoggerAdapter) (transports, error) {
	if opts.transport == "aws" {
		return newAWSTransports(ctx, opts, logger)
	}
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Logger: logger})
	if err != nil {
		return transports{}, err
	}
	health := func(context.Context) (bool, any) {
		dead := len(tr.DeadLetters())
		return true, map[string]any{"transport": "gochannel", "dead_letters": dead}
	}
	return transports{orders: wiring{transport: tr}, payments: wiring{transport: tr}, close: tr.Close, health: health}, nil
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
