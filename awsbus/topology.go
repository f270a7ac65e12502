package awsbus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/sourceflow-go/sourceflow"
)

// Provisioning says what Bind does with the AWS resources of the topology.
type Provisioning int

const (
	// ProvisionCreate creates what is missing and reconciles what this
	// service owns; a second run changes nothing. The default.
	ProvisionCreate Provisioning = iota
	// ProvisionValidate changes nothing and fails Bind with a *DriftError
	// listing every difference between AWS and the topology.
	ProvisionValidate
	// ProvisionAssume only resolves names to URLs and ARNs, for
	// infrastructure managed as code.
	ProvisionAssume
)

func (p Provisioning) valid() bool { return p >= ProvisionCreate && p <= ProvisionAssume }

// String returns "create", "validate" or "assume".
func (p Provisioning) String() string {
	switch p {
	case ProvisionCreate:
		return "create"
	case ProvisionValidate:
		return "validate"
	case ProvisionAssume:
		return "assume"
	}
	return "Provisioning(" + strconv.Itoa(int(p)) + ")"
}

// metaTypeAttribute is the message attribute filter policies match on.
const metaTypeAttribute = sourceflow.MetaType

// DLQRetentionSeconds is the retention set on dead-letter queues: 14 days,
// the SQS maximum, so a dead letter outlives its source message.
const DLQRetentionSeconds = 1209600

// Plan is the topology one service needs, computed from its Config and
// Binding. It drives Create, Validate and Assume alike.
type Plan struct {
	// Service is the service name.
	Service string
	// Queues are the queues, ordered by name. Each has a dead-letter queue.
	Queues []QueueSpec
	// Topics are the SNS topics, ordered by name.
	Topics []TopicSpec
	// Subscriptions connect topics to the service's event queues.
	Subscriptions []SubscriptionSpec
	// Destinations are the AWS destinations of the service, ordered by name.
	Destinations []DestinationSpec
	// Local are the destinations kept in process because their routing is
	// disabled, ordered by name.
	Local []DestinationSpec
}

// QueueSpec is one queue of a Plan.
type QueueSpec struct {
	// Name is the queue name; FIFO queues end in ".fifo".
	Name string
	// FIFO is true for a FIFO queue.
	FIFO bool
	// Owned is true for queues this service consumes: their attributes,
	// redrive policy and access policy are reconciled. A queue the service
	// only sends to is created when missing but otherwise left alone: its
	// consumer owns its attributes.
	Owned bool
	// DLQ is the name of its dead-letter queue.
	DLQ string
	// Attributes are the desired queue attributes, without RedrivePolicy and
	// Policy (those need ARNs and are handled apart).
	Attributes map[string]string
	// DLQAttributes are the desired attributes of the dead-letter queue.
	DLQAttributes map[string]string
	// MaxReceiveCount goes into the RedrivePolicy.
	MaxReceiveCount int
	// Topics may deliver to this queue (its access policy allows them).
	Topics []string
}

// TopicSpec is one SNS topic of a Plan.
type TopicSpec struct {
	// Name is the topic name; FIFO topics end in ".fifo".
	Name string
	// FIFO is true for a FIFO topic.
	FIFO bool
	// Attributes are passed to CreateTopic.
	Attributes map[string]string
}

// SubscriptionSpec subscribes a queue to a topic with raw delivery.
type SubscriptionSpec struct {
	// Topic and Queue are names.
	Topic, Queue string
	// FilterTypes, when not empty, become a filter policy on the type
	// attribute: {"sf_type": FilterTypes}. Empty means every message.
	FilterTypes []string
}

// DestinationSpec is one AWS destination of the service.
type DestinationSpec struct {
	// Name is the destination name used by the model.
	Name string
	// Kind is KindCommand (a queue) or KindEvent (a topic).
	Kind sourceflow.Kind
	// Queue is the command queue, or the service's event queue of a
	// listened topic; empty for a topic the service only publishes to.
	Queue string
	// Topic is the topic of an event destination.
	Topic string
	// Listened is true when this service consumes the destination over AWS.
	Listened bool
	// ListenLocal is true when this service listens to the destination but
	// its listener is disabled, so it consumes it in process.
	ListenLocal bool
}

// Topology computes and applies a service's Plan.
type Topology struct {
	sqs SQSAPI
	sns SNSAPI
	cfg Config
}

// NewTopology returns a Topology over the given clients.
func NewTopology(sqsClient SQSAPI, snsClient SNSAPI, cfg Config) (*Topology, error) {
	cfg.setDefaults()
	if sqsClient == nil || snsClient == nil {
		return nil, fmt.Errorf("%w: SQS and SNS clients are required", ErrInvalidConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Topology{sqs: sqsClient, sns: snsClient, cfg: cfg}, nil
}

// Plan merges the Config with b and computes the topology. It reports every
// problem at once (errors.Join, wrapped in ErrInvalidConfig).
func (t *Topology) Plan(b sourceflow.Binding) (Plan, error) {
	r := newRouting(t.cfg.Service)
	r.addConfig(t.cfg)
	r.addBinding(b)
	if err := r.check(t.cfg, true); err != nil {
		return Plan{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	p := Plan{Service: r.service}
	for _, d := range r.sortedDests() {
		if d.kind == sourceflow.KindCommand {
			t.planCommand(&p, d)
		} else {
			t.planEvent(&p, r, d)
		}
	}
	slices.SortFunc(p.Queues, func(a, b QueueSpec) int { return cmpString(a.Name, b.Name) })
	if err := checkQueueCollisions(p.Queues); err != nil {
		return Plan{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return p, nil
}

// checkQueueCollisions fails when two roles land on one queue name: a
// command queue named like an event queue, or like another queue's
// dead-letter queue. Commands and events never share a queue.
func checkQueueCollisions(qs []QueueSpec) error {
	seen := map[string]string{}
	var errs []error
	claim := func(name, role string) {
		if prev, ok := seen[name]; ok && prev != role {
			errs = append(errs, fmt.Errorf("queue %q is both %s and %s: %w", name, prev, role, ErrDuplicateRoute))
			return
		}
		seen[name] = role
	}
	for _, q := range qs {
		role := "command queue " + q.Name
		if len(q.Topics) > 0 {
			role = "event queue of topic " + q.Topics[0]
		}
		claim(q.Name, role)
		claim(q.DLQ, "dead-letter queue of "+q.Name)
	}
	return errors.Join(errs...)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (t *Topology) planCommand(p *Plan, d *destination) {
	if t.cfg.DisableCommandRouting {
		p.Local = append(p.Local, DestinationSpec{Name: d.name, Kind: sourceflow.KindCommand, ListenLocal: d.listened})
		return
	}
	listened := d.listened && !t.cfg.DisableCommandListener
	p.Queues = append(p.Queues, t.queueSpec(d.name, listened))
	p.Destinations = append(p.Destinations, DestinationSpec{
		Name: d.name, Kind: sourceflow.KindCommand, Queue: d.name, Listened: listened,
		ListenLocal: d.listened && !listened,
	})
}

func (t *Topology) planEvent(p *Plan, r *routing, d *destination) {
	if t.cfg.DisableEventRouting {
		p.Local = append(p.Local, DestinationSpec{Name: d.name, Kind: sourceflow.KindEvent, ListenLocal: d.listened})
		return
	}
	p.Topics = append(p.Topics, topicSpec(d.name))
	ds := DestinationSpec{
		Name: d.name, Kind: sourceflow.KindEvent, Topic: d.name,
		ListenLocal: d.listened && t.cfg.DisableEventListener,
	}
	if d.listened && !t.cfg.DisableEventListener {
		q := t.cfg.EventQueueName(EventQueueNameParams{Service: r.service, Topic: d.name})
		qs := t.queueSpec(q, true)
		qs.Topics = []string{d.name}
		p.Queues = append(p.Queues, qs)
		p.Subscriptions = append(p.Subscriptions, SubscriptionSpec{
			Topic: d.name, Queue: q, FilterTypes: filterTypes(d.routed, d.handled),
		})
		ds.Queue, ds.Listened = q, true
	}
	p.Destinations = append(p.Destinations, ds)
}

// filterTypes returns the handled types, sorted, when they are a strict
// subset of the routed types; nil when the service handles them all.
func filterTypes(routed, handled []string) []string {
	for _, r := range routed {
		if !slices.Contains(handled, r) {
			out := slices.Clone(handled)
			slices.Sort(out)
			return out
		}
	}
	return nil
}

func (t *Topology) queueSpec(name string, owned bool) QueueSpec {
	fifo := IsFIFO(name)
	attrs := map[string]string{
		"VisibilityTimeout":             strconv.Itoa(int(t.cfg.VisibilityTimeout.Seconds())),
		"ReceiveMessageWaitTimeSeconds": strconv.Itoa(int(t.cfg.WaitTime.Seconds())),
	}
	dlqAttrs := map[string]string{"MessageRetentionPeriod": strconv.Itoa(DLQRetentionSeconds)}
	if fifo {
		for _, m := range []map[string]string{attrs, dlqAttrs} {
			m["FifoQueue"], m["ContentBasedDeduplication"] = "true", "true"
		}
	}
	return QueueSpec{
		Name: name, FIFO: fifo, Owned: owned, DLQ: DLQName(name),
		Attributes: attrs, DLQAttributes: dlqAttrs, MaxReceiveCount: t.cfg.MaxReceiveCount,
	}
}

func topicSpec(name string) TopicSpec {
	ts := TopicSpec{Name: name, FIFO: IsFIFO(name), Attributes: map[string]string{}}
	if ts.FIFO {
		ts.Attributes["FifoTopic"], ts.Attributes["ContentBasedDeduplication"] = "true", "true"
	}
	return ts
}

// Apply runs the configured provisioning mode on p and returns the resolved
// endpoints by destination name. In Validate mode a drift fails with a
// *DriftError.
func (t *Topology) Apply(ctx context.Context, p Plan) (Endpoints, error) {
	switch t.cfg.Provisioning {
	case ProvisionValidate:
		report, eps, err := t.Validate(ctx, p)
		if err != nil {
			return nil, err
		}
		if !report.OK() {
			return nil, &DriftError{Report: report}
		}
		return eps, nil
	case ProvisionAssume:
		return t.Assume(ctx, p)
	case ProvisionCreate:
		return t.Create(ctx, p)
	}
	return nil, errors.New("awsbus: unknown provisioning mode")
}
