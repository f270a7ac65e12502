package awsbus

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// Defaults and limits of Config.
const (
	DefaultMaxConcurrentCalls = 10
	DefaultWaitTime           = 20 * time.Second
	MaxWaitTime               = 20 * time.Second
	DefaultVisibilityTimeout  = 30 * time.Second
	MaxVisibilityTimeout      = 12 * time.Hour
	DefaultMaxReceiveCount    = 5
	MaxMaxReceiveCount        = 1000
	DefaultShutdownTimeout    = 30 * time.Second
	DefaultHealthTimeout      = 5 * time.Second
)

// CommandRoute sends a command type to an SQS queue (the seed's
// Send.Command<T>(q => q.Queue(name))).
type CommandRoute struct {
	// Type is the registered logical command type, e.g. "orders.CreateOrder".
	Type string
	// Queue is the SQS queue name ("orders" or "orders.fifo").
	Queue string
}

// EventRoute publishes an event type to an SNS topic (the seed's
// Raise.Event<T>(t => t.Topic(name))).
type EventRoute struct {
	// Type is the registered logical event type, e.g. "orders.OrderCreated".
	Type string
	// Topic is the SNS topic name ("order-events" or "order-events.fifo").
	Topic string
}

// Config configures a Transport. Only Service is required; routes may come
// from Config, from the service's Binding, or both (see Transport.Bind).
//
// The seed's options default to true; here the switches that default to on
// are spelled Disable* so the zero Config is the seed's default:
// EnableCommandRouting=false is DisableCommandRouting=true, and so on.
type Config struct {
	// Service names this service; it prefixes the service's event queues.
	// Required when the service subscribes to topics, unless the Binding
	// names the service.
	Service string

	// Commands maps command types to queues (Send.Command<T>→Queue).
	Commands []CommandRoute
	// Events maps event types to topics (Raise.Event<T>→Topic).
	Events []EventRoute
	// ListenQueues are the command queues this service consumes
	// (Listen.To.CommandQueue).
	ListenQueues []string
	// SubscribeTopics are the topics this service consumes, each through an
	// event queue of its own (Subscribe.To.Topic).
	SubscribeTopics []string

	// Region overrides the SDK's region in LoadAWSConfig. Optional.
	Region string
	// Endpoint overrides the SDK's endpoint in LoadAWSConfig (for example
	// LocalStack). Optional; AWS_ENDPOINT_URL is honoured without it.
	Endpoint string

	// DisableCommandRouting keeps commands in process: command destinations
	// go to Local and no queue is provisioned for them.
	DisableCommandRouting bool
	// DisableEventRouting keeps events in process: event destinations go to
	// Local and no topic or event queue is provisioned for them.
	DisableEventRouting bool
	// DisableCommandListener stops this service consuming command queues
	// from SQS; Subscriber returns Local's subscriber for them.
	DisableCommandListener bool
	// DisableEventListener stops this service consuming topics from SQS;
	// Subscriber returns Local's subscriber for them.
	DisableEventListener bool

	// MaxConcurrentCalls bounds the messages handled at once per subscriber.
	// Default 10.
	MaxConcurrentCalls int

	// EnableEncryption declares that message bodies are KMS-encrypted by the
	// encryption middleware. It requires KMSKeyID and adds a KMS entry to the
	// health report.
	EnableEncryption bool
	// KMSKeyID is the KMS key: a key id (UUID or "mrk-…"), a key ARN, an
	// alias name ("alias/…") or an alias ARN. Required with EnableEncryption.
	KMSKeyID string
	// KMSCheck probes KMS for the health report. Optional; NewEncryption
	// sets it to the Encrypter's Check when it is nil. Without it the KMS
	// entry reports "skipped".
	KMSCheck func(ctx context.Context) error

	// WaitTime is the SQS long-poll wait, whole seconds, 1s..20s. Default 20s.
	WaitTime time.Duration
	// VisibilityTimeout of listened queues, whole seconds, 0..12h. Default 30s.
	VisibilityTimeout time.Duration
	// MaxReceiveCount is how often a message is received before SQS moves
	// it to the dead-letter queue, 1..1000. Default 5.
	MaxReceiveCount int
	// Provisioning is Create (the default), Validate or Assume.
	Provisioning Provisioning
	// ShutdownTimeout bounds how long Close waits for in-flight messages.
	// Default 30s.
	ShutdownTimeout time.Duration
	// HealthTimeout bounds each health check. Default 5s.
	HealthTimeout time.Duration

	// EventQueueName names the service's event queue per topic. Default
	// DefaultEventQueueName ("<service>-<topic>", ".fifo" kept).
	EventQueueName EventQueueNameFn
	// AccountID is used to build topic ARNs in Validate and Assume modes
	// when the service has no queue whose ARN reveals the account. Optional.
	AccountID string

	// Local receives the destinations whose routing or listening is
	// disabled. Required when any Disable* switch is set; there is no
	// default, because a plain in-process pub/sub would redeliver a failing
	// message forever and drop commands nobody subscribes to.
	// cqrs.ChannelTransport satisfies it.
	Local Local
	// Logger defaults to watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

func (c *Config) setDefaults() {
	if c.MaxConcurrentCalls == 0 {
		c.MaxConcurrentCalls = DefaultMaxConcurrentCalls
	}
	if c.WaitTime == 0 {
		c.WaitTime = DefaultWaitTime
	}
	if c.VisibilityTimeout == 0 {
		c.VisibilityTimeout = DefaultVisibilityTimeout
	}
	if c.MaxReceiveCount == 0 {
		c.MaxReceiveCount = DefaultMaxReceiveCount
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.HealthTimeout == 0 {
		c.HealthTimeout = DefaultHealthTimeout
	}
	if c.EventQueueName == nil {
		c.EventQueueName = DefaultEventQueueName
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports every problem of the configuration at once, each naming
// its field. Zero values stand for their defaults. Problems that need the
// service's Binding (handlers, routes merged from code) are reported by Bind.
func (c Config) Validate() error {
	c.setDefaults()
	r := newRouting(c.Service)
	r.addConfig(c)
	if err := errors.Join(c.validateOptions(), r.check(c, false)); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

func (c Config) validateOptions() error {
	var errs []error
	if c.MaxConcurrentCalls < 1 {
		errs = append(errs, fmt.Errorf("MaxConcurrentCalls: %d, must be at least 1", c.MaxConcurrentCalls))
	}
	errs = append(errs,
		checkDuration("WaitTime", c.WaitTime, time.Second, MaxWaitTime),
		checkDuration("VisibilityTimeout", c.VisibilityTimeout, 0, MaxVisibilityTimeout),
		checkDuration("ShutdownTimeout", c.ShutdownTimeout, 0, 24*time.Hour),
		checkDuration("HealthTimeout", c.HealthTimeout, 0, time.Hour),
	)
	if c.MaxReceiveCount < 1 || c.MaxReceiveCount > MaxMaxReceiveCount {
		errs = append(errs, fmt.Errorf("MaxReceiveCount: %d, must be 1..%d", c.MaxReceiveCount, MaxMaxReceiveCount))
	}
	if err := c.validateLocal(); err != nil {
		errs = append(errs, err)
	}
	if !c.Provisioning.valid() {
		errs = append(errs, fmt.Errorf("Provisioning: unknown mode %d", int(c.Provisioning)))
	}
	if c.EnableEncryption {
		if c.KMSKeyID == "" {
			errs = append(errs, errors.New("KMSKeyID: required when EnableEncryption is set"))
		} else if !kmsKeyPattern.MatchString(c.KMSKeyID) {
			errs = append(errs, fmt.Errorf("KMSKeyID: %q is not a key id, key ARN, alias or alias ARN", c.KMSKeyID))
		}
	}
	return errors.Join(errs...)
}

// validateLocal requires Local when a Disable* switch sends destinations
// to it, naming the switches set.
func (c Config) validateLocal() error {
	if c.Local != nil {
		return nil
	}
	var set []string
	for _, sw := range []struct {
		name string
		on   bool
	}{
		{"DisableCommandRouting", c.DisableCommandRouting}, {"DisableEventRouting", c.DisableEventRouting},
		{"DisableCommandListener", c.DisableCommandListener}, {"DisableEventListener", c.DisableEventListener},
	} {
		if sw.on {
			set = append(set, sw.name)
		}
	}
	if len(set) == 0 {
		return nil
	}
	return fmt.Errorf("Local: required when %s is set", strings.Join(set, ", "))
}

func checkDuration(field string, d, lo, hi time.Duration) error {
	if d < lo || d > hi {
		return fmt.Errorf("%s: %v, must be %v..%v", field, d, lo, hi)
	}
	if field != "ShutdownTimeout" && field != "HealthTimeout" && d%time.Second != 0 {
		return fmt.Errorf("%s: %v, must be whole seconds", field, d)
	}
	return nil
}

// kmsKeyPattern accepts a key id (UUID or multi-region "mrk-" id), a key
// ARN, an alias name and an alias ARN.
var kmsKeyPattern = regexp.MustCompile(`^(` +
	`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}` +
	`|mrk-[0-9a-fA-F]{32}` +
	`|alias/[A-Za-z0-9/_-]{1,250}` +
	`|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]{1,250})` +
	`)$`)
