package awsbus

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// Defaults of Config.
const (
	DefaultHealthTimeout = 5 * time.Second
	DefaultCallTimeout   = 10 * time.Second
)

// Config configures a Transport. The zero Config is valid: routing comes
// from the service's Binding, never from here; these are consumer,
// provisioning, health and encryption settings.
type Config struct {
	// ConsumerConfig holds the settings of the transport's subscriber; its
	// WaitTime and VisibilityTimeout are also set on the consumed queues.
	ConsumerConfig

	// MaxReceiveCount is how often a message is received before SQS moves
	// it to the dead-letter queue, 1..1000. Default 8 (topology.DefaultMaxReceiveCount).
	MaxReceiveCount int
	// Provisioning is ProvisionCreate (the default), ProvisionValidate or
	// ProvisionAssume. In Validate mode Bind fails on drift, and on a topic
	// whose ARN cannot be built: a service with no queue needs AccountID or
	// Clients.STS to give the account. Bind does not read the KMS key.
	Provisioning topology.Provisioning
	// EventQueueName names the service's event queue per topic. Default
	// topology.DefaultEventQueueName ("<service>-<topic>", ".fifo" kept).
	EventQueueName topology.EventQueueNameFn
	// Tags are put on every queue and topic Bind creates, written back on
	// the queues the service consumes, and filled in on shared topics
	// (topology.Options.Tags). Optional.
	Tags map[string]string
	// AccountID is the account of the resources, used to build topic ARNs in
	// Validate and Assume modes, and in Create mode the ARN of a missing
	// queue a service that consumes no queue sends to, when no queue ARN
	// reveals it. Optional: STS GetCallerIdentity finds it.
	AccountID string

	// CallTimeout bounds each AWS call Bind makes, 1s..5m, so Bind against
	// an endpoint that never answers fails after at most CallTimeout, and
	// each publish of the transport's publisher (PublisherConfig.Timeout),
	// its wait for a call slot included: a handler publishes on its
	// message's context, which has no deadline, and without an outbox inside
	// its handling transaction (transactional idempotency), which an
	// endpoint that stopped answering would otherwise keep open, with its
	// database connection, until it answers again. Default 10s.
	CallTimeout time.Duration
	// HealthTimeout bounds each health check, and each GetQueueAttributes
	// call of Transport.Depths, at most 1h. Default 5s.
	HealthTimeout time.Duration

	// KMSKeyID, when set, is the service's KMS key: a key id (UUID or
	// "mrk-…"), a key ARN, an alias name ("alias/…") or an alias ARN. It
	// turns encryption on: NewEncryption builds the phases that encrypt
	// message bodies under it (bodies are encrypted once those phases are
	// in the stacks), the health report checks the key once NewEncryption
	// was called, and the queues and topics Bind creates or reconciles are
	// encrypted at rest with it (SSE-KMS: the key policy must let SNS use
	// it). A key ARN must be in the region of the clients: NewTransport
	// refuses one of another region (a key shared across regions is named
	// by its multi-Region replica in this region). Empty: NewEncryption
	// refuses, and queues use SQS-managed encryption at rest.
	KMSKeyID string

	// PublishLinger is PublisherConfig.Linger of the transport's publisher:
	// how long a single-message publish waits for others to share its call,
	// 0..MaxPublishLinger. 0 (the default) sends at once.
	PublishLinger time.Duration

	// Circuits, optional, reports the publish circuit breakers in front of
	// this transport (middleware.CircuitBreaker implements it). Health lists
	// every destination's circuit, and an open one makes the report degraded.
	Circuits sourceflow.CircuitSource

	// Logger reports Bind's progress and the consumer's failures. Default
	// watermill.NopLogger. The warning of a KMS key without NewEncryption
	// goes to slog.Default() at slog's Warn while Logger is unset or
	// watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

func (c *Config) setDefaults() {
	c.ConsumerConfig.setDefaults()
	c.MaxReceiveCount = cmp.Or(c.MaxReceiveCount, topology.DefaultMaxReceiveCount)
	c.CallTimeout = cmp.Or(c.CallTimeout, DefaultCallTimeout)
	c.HealthTimeout = cmp.Or(c.HealthTimeout, DefaultHealthTimeout)
	if c.EventQueueName == nil {
		c.EventQueueName = topology.DefaultEventQueueName
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// planOptions are the options the topology plan is derived with.
func (c Config) planOptions() topology.Options {
	return topology.Options{
		VisibilityTimeout: c.VisibilityTimeout, WaitTime: c.WaitTime,
		MaxReceiveCount: c.MaxReceiveCount, EventQueueName: c.EventQueueName, Tags: c.Tags,
		KMSKeyID: c.KMSKeyID,
	}
}

// Validate reports every problem of the configuration at once, each naming
// its field, wrapped in ErrInvalidConfig. Zero values stand for their
// defaults. Problems of the routing are reported by Bind.
func (c Config) Validate() error {
	if err := c.problems(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// problems joins the problems Validate reports, unwrapped, so that
// NewTransport can report them together with those of its clients.
func (c Config) problems() error {
	consumer := c.ConsumerConfig.problems() // before rounding: reports the values given
	c.setDefaults()
	errs := []error{
		consumer,
		fieldcheck.Within("CallTimeout", c.CallTimeout, time.Second, 5*time.Minute),
		fieldcheck.Within("HealthTimeout", c.HealthTimeout, 0, time.Hour),
		fieldcheck.Within("PublishLinger", c.PublishLinger, 0, MaxPublishLinger),
		fieldcheck.Within("MaxReceiveCount", c.MaxReceiveCount, 1, topology.MaxMaxReceiveCount),
		c.Provisioning.Validate(),
		topology.ValidateAccountID(c.AccountID),
		fieldcheck.NotTypedNil("Circuits", c.Circuits),
		fieldcheck.NotTypedNil("Logger", c.Logger),
	}
	if c.KMSKeyID != "" {
		if err := topology.ValidateKMSKeyID(c.KMSKeyID); err != nil {
			errs = append(errs, fmt.Errorf("KMSKeyID: %w", err))
		}
	}
	if len(c.Tags) > 0 {
		errs = append(errs, topology.Options{Tags: c.Tags}.Validate())
	}
	return errors.Join(errs...)
}
