package awsbus

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// Transport carries SourceFlow messages over SQS (commands) and SNS
// (events). It satisfies the cqrs.Transport interface: Bind once, then
// Publisher and Subscriber per destination, then Close.
type Transport struct {
	clients Clients
	cfg     Config
	// preflight checks what Bind needs before its first call (credentials).
	preflight func(ctx context.Context) error

	// bindMu serialises Bind calls; mu is not held during Bind's AWS
	// calls, so Health, Depths, Close and the rest answer meanwhile.
	bindMu    sync.Mutex
	mu        sync.Mutex
	bound     bool
	closed    bool
	plan      topology.Plan
	endpoints topology.Endpoints
	queueURLs map[string]string
	pub       *Publisher
	sub       *Subscriber
	// dead counts the messages dead-lettered by every subscriber made.
	dead *deadletter.Counts
	// cancelBind cancels the Bind under way, if any, when Close is called.
	cancelBind context.CancelCauseFunc
	// kmsCheck is the health probe of the KMS key, set by NewEncryption.
	kmsCheck func(ctx context.Context) error
}

// NewTransport returns a Transport over the given clients. Nothing is
// called on AWS until Bind. A missing client, a KMSKeyID ARN of another
// region than Clients.Region (topology.CheckKeyRegion) and every problem of
// cfg are reported together, wrapped in ErrInvalidConfig.
func NewTransport(clients Clients, cfg Config) (*Transport, error) {
	errs := []error{
		fieldcheck.Set("Clients.SQS", clients.SQS), fieldcheck.Set("Clients.SNS", clients.SNS),
		fieldcheck.NotTypedNil("Clients.STS", clients.STS),
	}
	if err := topology.CheckKeyRegion(cfg.KMSKeyID, clients.Region); err != nil {
		errs = append(errs, fmt.Errorf("KMSKeyID %q: %w", cfg.KMSKeyID, err))
	}
	if err := errors.Join(append(errs, cfg.problems())...); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	cfg.setDefaults()
	return &Transport{
		clients: clients, cfg: cfg, dead: new(deadletter.Counts),
		preflight: func(context.Context) error { return nil },
	}, nil
}

// NewTransportFromAWS builds the SQS, SNS and STS clients from awsCfg (its
// region, endpoint and credentials, with WithRetries applied, so throttling
// errors of both services are retried) and returns NewTransport over them. Bind
// first checks that credentials are found; with an endpoint set (an
// emulator, AWS_ENDPOINT_URL) the error names the test credentials an
// emulator accepts.
func NewTransportFromAWS(awsCfg aws.Config, cfg Config) (*Transport, error) {
	awsCfg = WithRetries(awsCfg)
	t, err := NewTransport(Clients{
		SQS: sqs.NewFromConfig(awsCfg), SNS: sns.NewFromConfig(awsCfg), STS: sts.NewFromConfig(awsCfg),
		Region: awsCfg.Region,
	}, cfg)
	if err != nil {
		return nil, err
	}
	t.preflight = credentialsCheck(awsCfg, t.cfg.CallTimeout)
	return t, nil
}

// Endpoints returns a copy of the resolved endpoints (nil before Bind).
func (t *Transport) Endpoints() topology.Endpoints {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.bound {
		return nil
	}
	return maps.Clone(t.endpoints)
}

// Plan returns the bound topology plan.
func (t *Transport) Plan() topology.Plan {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.plan
}

func (t *Transport) resolve(destination string) (topology.Endpoint, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ep, ok := t.endpoints[destination]
	if !ok {
		return topology.Endpoint{}, fmt.Errorf("%q: %w", destination, ErrUnknownDestination)
	}
	return ep, nil
}

// usable reports ErrClosed or ErrNotBound; t.mu is held.
func (t *Transport) usable() error {
	if t.closed {
		return ErrClosed
	}
	if !t.bound {
		return ErrNotBound
	}
	return nil
}

// lookup returns the planned destination named destination.
func (t *Transport) lookup(destination string) (topology.Destination, error) {
	if err := t.usable(); err != nil {
		return topology.Destination{}, err
	}
	d, ok := t.plan.Destination(destination)
	if !ok {
		return topology.Destination{}, fmt.Errorf("%q: %w", destination, ErrUnknownDestination)
	}
	return d, nil
}

// Publisher returns the shared SQS/SNS publisher for a destination of the
// Binding.
func (t *Transport) Publisher(destination string) (message.Publisher, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := t.lookup(destination); err != nil {
		return nil, err
	}
	if t.pub == nil {
		pub, err := NewPublisher(PublisherConfig{
			SQS: t.clients.SQS, SNS: t.clients.SNS, Resolve: t.resolve, Logger: t.serviceLogger(),
			Linger: t.cfg.PublishLinger, Timeout: t.cfg.CallTimeout,
		})
		if err != nil {
			return nil, err
		}
		t.pub = pub
	}
	return t.pub, nil
}

// serviceLogger is Config.Logger with the bound service's name, which
// every line of the transport's publisher and subscriber carries. t.mu is
// held and the transport bound.
func (t *Transport) serviceLogger() watermill.LoggerAdapter {
	return t.cfg.Logger.With(watermill.LogFields{"service": t.plan.Service})
}

// Subscriber returns the shared SQS subscriber for a destination this
// service listens to. Once the shared subscriber was closed (a service
// closes the subscribers of a failed Start), the next call returns a new
// one, so a retried Start subscribes again.
func (t *Transport) Subscriber(destination string) (message.Subscriber, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, err := t.lookup(destination)
	if err != nil {
		return nil, err
	}
	if !d.Listened {
		return nil, fmt.Errorf("%q: %w", destination, ErrNotListened)
	}
	if t.sub == nil || t.sub.isClosed() {
		sub, err := NewSubscriber(SubscriberConfig{
			SQS: t.clients.SQS, Resolve: t.resolve, ConsumerConfig: t.cfg.ConsumerConfig, Logger: t.serviceLogger(),
		})
		if err != nil {
			return nil, err
		}
		sub.dead = t.dead
		t.sub = sub
	}
	return t.sub, nil
}

// Close cancels a Bind under way, closes the subscriber (finishing
// in-flight work within ShutdownTimeout: a long poll under way is let end,
// which a poll's wait, capped below ShutdownTimeout, lets it do before the
// shutdown deadline, and the messages it returns are released, not lost
// for their visibility timeout;
// see Shutdown in the package documentation) and the publisher. The
// transport's lock is not held while the subscriber drains, so handlers
// still running may publish. Close is idempotent.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	sub, pub := t.sub, t.pub
	if t.cancelBind != nil {
		t.cancelBind(ErrClosed)
	}
	t.mu.Unlock()
	var errs []error
	if sub != nil {
		errs = append(errs, sub.Close())
	}
	if pub != nil {
		errs = append(errs, pub.Close())
	}
	return errors.Join(errs...)
}
