package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// newAWSTransports builds one AWS transport per service. The routes come
// from each service's registrations when it binds: the orders.fifo and
// payments.fifo queues, the order-events and payment-events topics, and an
// event queue per subscribing service and topic, all provisioned on start.
func newAWSTransports(ctx context.Context, _ options, logger watermill.LoggerAdapter) (transports, error) {
	awsCfg, err := awsbus.LoadAWSConfig(ctx, awsbus.Config{})
	if err != nil {
		return transports{}, fmt.Errorf("AWS configuration: %w", err)
	}
	newOne := func(service string) (*awsbus.Transport, error) {
		return awsbus.NewTransportFromAWS(awsCfg, awsbus.Config{
			Service:           service,
			WaitTime:          time.Second,
			VisibilityTimeout: 30 * time.Second,
			ShutdownTimeout:   5 * time.Second,
			Logger:            logger.With(watermill.LogFields{"transport": "aws", "service": service}),
		})
	}
	orders, err := newOne("orders")
	if err != nil {
		return transports{}, err
	}
	payments, err := newOne("payments")
	if err != nil {
		return transports{}, errors.Join(err, orders.Close())
	}
	return transports{
		orders: orders, payments: payments,
		close: func() error { return errors.Join(orders.Close(), payments.Close()) },
		health: func(ctx context.Context) (bool, any) {
			o, p := orders.Health(ctx), payments.Health(ctx)
			return o.Status == awsbus.HealthUp && p.Status == awsbus.HealthUp,
				map[string]awsbus.HealthReport{"orders": o, "payments": p}
		},
	}, nil
}
