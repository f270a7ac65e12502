package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// newAWSTransports builds one AWS transport per service. The routes come
// from each service's registrations when it binds: the orders.fifo and
// payments.fifo queues, the order-events and payment-events topics, and an
// event queue per subscribing service and topic, all provisioned on start.
// With -kms-key, message bodies are KMS envelope-encrypted.
func newAWSTransports(ctx context.Context, opts options, logger watermill.LoggerAdapter, brk breakers) (transports, error) {
	awsCfg, err := loadAWSConfig(ctx)
	if err != nil {
		return transports{}, err
	}
	orders, err := newAWSWiring(awsCfg, brk.orders, opts, logger)
	if err != nil {
		return transports{}, err
	}
	payments, err := newAWSWiring(awsCfg, brk.payments, opts, logger)
	if err != nil {
		return transports{}, errors.Join(err, orders.transport.(*awsbus.Transport).Close())
	}
	ot, pt := orders.transport.(*awsbus.Transport), payments.transport.(*awsbus.Transport)
	return transports{
		orders: orders, payments: payments,
		close:  func() error { return errors.Join(ot.Close(), pt.Close()) },
		health: awsHealth(opts.role, map[string]*awsbus.Transport{"orders": ot, "payments": pt}),
	}, nil
}

// awsHealth reports the transports of the services the role runs. An
// instance of one service never binds the other's transport, which would
// report down and keep the instance's /healthz at 503.
func awsHealth(role string, byService map[string]*awsbus.Transport) func(ctx context.Context) (bool, any) {
	if t, ok := byService[role]; ok {
		byService = map[string]*awsbus.Transport{role: t}
	}
	return func(ctx context.Context) (bool, any) {
		up, reports := true, make(map[string]awsbus.HealthReport, len(byService))
		for name, t := range byService {
			r := t.Health(ctx)
			reports[name] = r
			up = up && r.Status != topology.HealthDown
		}
		return up, reports
	}
}

// loadAWSConfig loads the SDK's default configuration chain: environment
// (AWS_REGION, AWS_ENDPOINT_URL for LocalStack, credentials, AWS_RETRY_MODE),
// shared files and instance roles; every client built from it retries the
// throttling errors of SQS, SNS and KMS (awsbus.WithRetries).
func loadAWSConfig(ctx context.Context) (aws.Config, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("AWS configuration: %w", err)
	}
	return awsbus.WithRetries(awsCfg), nil
}

// newAWSWiring builds one service's transport, whose health report shows
// the service's publish circuits, and its encryption.
func newAWSWiring(awsCfg aws.Config, brk *middleware.CircuitBreaker, opts options, logger watermill.LoggerAdapter) (wiring, error) {
	mode, err := provisioning(opts.provision)
	if err != nil {
		return wiring{}, err
	}
	tr, err := awsbus.NewTransportFromAWS(awsCfg, awsbus.Config{
		Provisioning: mode,
		ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: time.Second, VisibilityTimeout: opts.visibility, ShutdownTimeout: 5 * time.Second,
		},
		KMSKeyID:      opts.kmsKey,
		PublishLinger: opts.publishWait,
		Circuits:      brk,
		Logger:        logger.With(watermill.LogFields{"transport": "aws"}), // Bind adds the service
	})
	if err != nil {
		return wiring{}, err
	}
	w := wiring{transport: tr, breaker: brk, depth: metrics.DepthFunc(tr.Depths), deadLetters: []metrics.DeadLetterSource{tr}}
	if opts.kmsKey == "" {
		return w, nil
	}
	enc, err := awsbus.NewEncryption(kms.NewFromConfig(awsCfg), tr, awsbus.EncryptionConfig{})
	if err != nil {
		return wiring{}, errors.Join(err, tr.Close())
	}
	w.enc, w.dec = enc.Encrypter, enc.Decrypter
	return w, nil
}
