package awsbus

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sourceflow-go/sourceflow"
)

// Transport carries SourceFlow messages over SQS (commands) and SNS
// (events). It satisfies the cqrs.Transport interface: Bind once, then
// Publisher and Subscriber per destination, then Close.
type Transport struct {
	sqs  SQSAPI
	sns  SNSAPI
	cfg  Config
	topo *Topology

	local Local

	mu        sync.Mutex
	bound     bool
	closed    bool
	plan      Plan
	endpoints Endpoints
	queueURLs map[string]string
	topicARNs map[string]string
	pub       *Publisher
	sub       *Subscriber
}

// NewTransport returns a Transport over the given clients. Nothing is
// called on AWS until Bind.
func NewTransport(sqsClient SQSAPI, snsClient SNSAPI, cfg Config) (*Transport, error) {
	cfg.setDefaults()
	topo, err := NewTopology(sqsClient, snsClient, cfg)
	if err != nil {
		return nil, fmt.Errorf("invalid Config: %w", err)
	}
	return &Transport{sqs: sqsClient, sns: snsClient, cfg: cfg, topo: topo, local: cfg.Local}, nil
}

// NewTransportFromAWS builds the SQS and SNS clients from awsCfg and
// returns NewTransport over them.
func NewTransportFromAWS(awsCfg aws.Config, cfg Config) (*Transport, error) {
	return NewTransport(sqs.NewFromConfig(awsCfg), sns.NewFromConfig(awsCfg), cfg)
}

// LoadAWSConfig loads the SDK's default configuration chain (environment,
// shared files, instance roles; AWS_ENDPOINT_URL included) and applies
// cfg.Region and cfg.Endpoint when set.
func LoadAWSConfig(ctx context.Context, cfg Config) (aws.Config, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	if cfg.Endpoint != "" {
		opts = append(opts, awsconfig.WithBaseEndpoint(cfg.Endpoint))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return awsCfg, nil
}

// Bind validates the Config merged with b (every problem at once), runs the
// provisioning mode and caches the endpoints. It may be called once.
func (t *Transport) Bind(ctx context.Context, b sourceflow.Binding) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	if t.bound {
		return errors.New("awsbus: Bind called twice")
	}
	p, err := t.topo.Plan(b)
	if err != nil {
		return err
	}
	eps, err := t.topo.Apply(ctx, p)
	if err != nil {
		return fmt.Errorf("awsbus: %s topology: %w", t.cfg.Provisioning, err)
	}
	if binder, ok := t.cfg.Local.(localBinder); ok {
		if err := binder.Bind(ctx, b); err != nil {
			return fmt.Errorf("awsbus: bind the local transport: %w", err)
		}
	}
	t.plan, t.endpoints, t.bound = p, eps, true
	t.indexResources()
	return nil
}

// indexResources records the URL of every queue and dead-letter queue and
// the ARN of every topic, for the health check.
func (t *Transport) indexResources() {
	t.queueURLs, t.topicARNs = map[string]string{}, map[string]string{}
	for _, d := range t.plan.Destinations {
		ep := t.endpoints[d.Name]
		if d.Queue != "" {
			t.queueURLs[d.Queue], t.queueURLs[DLQName(d.Queue)] = ep.QueueURL, ep.DLQURL
		}
		if d.Topic != "" {
			t.topicARNs[d.Topic] = ep.TopicARN
		}
	}
}

// Endpoints returns a copy of the resolved endpoints (nil before Bind).
func (t *Transport) Endpoints() Endpoints {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.bound {
		return nil
	}
	out := make(Endpoints, len(t.endpoints))
	for k, v := range t.endpoints {
		out[k] = v
	}
	return out
}

// Plan returns the bound topology plan.
func (t *Transport) Plan() Plan {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.plan
}

func (t *Transport) resolve(destination string) (Endpoint, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ep, ok := t.endpoints[destination]
	if !ok {
		return Endpoint{}, fmt.Errorf("%q: %w", destination, ErrUnknownDestination)
	}
	return ep, nil
}

// lookup returns the spec of destination and whether it stays in process.
func (t *Transport) lookup(destination string) (DestinationSpec, bool, error) {
	if t.closed {
		return DestinationSpec{}, false, ErrClosed
	}
	if !t.bound {
		return DestinationSpec{}, false, ErrNotBound
	}
	for _, d := range t.plan.Destinations {
		if d.Name == destination {
			return d, false, nil
		}
	}
	for _, d := range t.plan.Local {
		if d.Name == destination {
			return d, true, nil
		}
	}
	return DestinationSpec{}, false, fmt.Errorf("%q: %w", destination, ErrUnknownDestination)
}

// Publisher returns the shared SQS/SNS publisher for an AWS destination, or
// Local's publisher when that kind's routing is disabled.
func (t *Transport) Publisher(destination string) (message.Publisher, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, local, err := t.lookup(destination)
	if err != nil {
		return nil, err
	}
	if local {
		return t.local.Publisher(destination)
	}
	if t.pub == nil {
		pub, err := NewPublisher(PublisherConfig{SQS: t.sqs, SNS: t.sns, Resolve: t.resolve, Logger: t.cfg.Logger})
		if err != nil {
			return nil, err
		}
		t.pub = pub
	}
	return t.pub, nil
}

// Subscriber returns the shared SQS subscriber for a destination this
// service listens to over AWS, or Local's subscriber when its routing or
// its listener is disabled. Once the shared subscriber was closed (a
// service closes the subscribers of a failed Start), the next call returns
// a new one, so a retried Start subscribes again.
func (t *Transport) Subscriber(destination string) (message.Subscriber, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, local, err := t.lookup(destination)
	if err != nil {
		return nil, err
	}
	if local || d.ListenLocal {
		return t.local.Subscriber(destination)
	}
	if !d.Listened {
		return nil, fmt.Errorf("%q: %w", destination, ErrNotListened)
	}
	if t.sub == nil || t.sub.isClosed() {
		sub, err := NewSubscriber(SubscriberConfig{
			SQS: t.sqs, Resolve: t.resolve, MaxConcurrentCalls: t.cfg.MaxConcurrentCalls,
			WaitTime: t.cfg.WaitTime, VisibilityTimeout: t.cfg.VisibilityTimeout,
			ShutdownTimeout: t.cfg.ShutdownTimeout, Logger: t.cfg.Logger,
		})
		if err != nil {
			return nil, err
		}
		t.sub = sub
	}
	return t.sub, nil
}

// Close closes the subscriber (finishing in-flight work within
// ShutdownTimeout) and the publisher. The Local passed in Config is left to
// its owner. The transport's lock is not held while the subscriber drains,
// so handlers still running may publish. Close is idempotent.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	sub, pub := t.sub, t.pub
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
