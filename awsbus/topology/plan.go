package topology

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// DLQRetentionSeconds is the retention set on dead-letter queues: 14 days,
// the SQS maximum, so a dead letter outlives its source message.
const DLQRetentionSeconds = 1209600

// MaxMessageBytes is the MaximumMessageSize set on every queue and
// dead-letter queue: 1 MiB, the SQS maximum and the limit the awsbus
// publisher checks a message against (awsbus.MaxSQSMessageBytes), so a
// queue accepts every message the publisher lets through, and a dead-letter
// queue every message its queue held. Said rather than left to the default:
// queues created before SQS raised it keep 262144, and so do queues made by
// tools whose default is still 262144.
const MaxMessageBytes = 1 << 20

// AttrMaximumMessageSize is the queue attribute, as SQS names it, that
// caps a message's size, body plus attributes.
const AttrMaximumMessageSize = "MaximumMessageSize"

// Defaults and limits of Options.
const (
	DefaultVisibilityTimeout = 30 * time.Second
	MaxVisibilityTimeout     = 12 * time.Hour
	DefaultWaitTime          = 20 * time.Second
	MaxWaitTime              = 20 * time.Second
	DefaultMaxReceiveCount   = 8
	MaxMaxReceiveCount       = 1000
)

// Options are the settings a Plan is derived with besides the Binding.
type Options struct {
	// VisibilityTimeout of the consumed queues, 1s..12h, rounded up to whole
	// seconds. Default 30s.
	VisibilityTimeout time.Duration
	// WaitTime is the long-poll wait set on the consumed queues
	// (ReceiveMessageWaitTimeSeconds), 1s..20s, rounded up to whole seconds.
	// Default 20s.
	WaitTime time.Duration
	// MaxReceiveCount is how often a message is received before SQS moves it
	// to the dead-letter queue, 1..1000. Default 8.
	MaxReceiveCount int
	// EventQueueName names the service's event queue per topic. Default
	// DefaultEventQueueName ("<service>-<topic>", ".fifo" kept). When it
	// gives topics of one name one queue name, each of them named by ARN
	// gets "<name>-<hash>" instead (the first 8 hex digits of its ARN's
	// SHA-256, the name cut short so its dead-letter queue's fits SQS's 80
	// characters, ".fifo" kept); one named by name keeps its name.
	EventQueueName EventQueueNameFn
	// KMSKeyID is the KMS key message bodies are encrypted with (key id,
	// key ARN, alias or alias ARN), carried into Plan.KMSKeyID for tools
	// that render the plan. Queues and topics are encrypted at rest under it
	// too (SSE-KMS). Optional: empty means no encryption of bodies, and
	// SQS-managed encryption at rest for queues.
	KMSKeyID string
	// Tags are put on every queue, topic and table the plan creates. On the
	// queues the service consumes (and their dead-letter queues) Create
	// writes back a tag that differs; on topics and tables, which services
	// share, it fills in missing tags and keeps a value another service
	// set. At most MaxTags; keys may not start with "aws:". Optional.
	Tags map[string]string
	// Tables are the DynamoDB tables the service's stores keep state in
	// (cqrs/dynamostore.Tables, idempotency/dynamostore.TableOf), carried
	// into Plan.Tables. Optional.
	Tables []Table
}

func (o *Options) setDefaults() {
	o.VisibilityTimeout = cmp.Or(o.VisibilityTimeout, DefaultVisibilityTimeout)
	o.WaitTime = cmp.Or(o.WaitTime, DefaultWaitTime)
	o.MaxReceiveCount = cmp.Or(o.MaxReceiveCount, DefaultMaxReceiveCount)
	if o.EventQueueName == nil {
		o.EventQueueName = DefaultEventQueueName
	}
	o.VisibilityTimeout, o.WaitTime = CeilSecond(o.VisibilityTimeout), CeilSecond(o.WaitTime)
}

// Validate reports every out-of-range option at once, each naming its field.
// Zero values stand for their defaults.
func (o Options) Validate() error {
	o.setDefaults()
	errs := []error{
		fieldcheck.Within("VisibilityTimeout", o.VisibilityTimeout, time.Second, MaxVisibilityTimeout),
		fieldcheck.Within("WaitTime", o.WaitTime, time.Second, MaxWaitTime),
		fieldcheck.Within("MaxReceiveCount", o.MaxReceiveCount, 1, MaxMaxReceiveCount),
	}
	if err := ValidateKMSKeyID(o.KMSKeyID); o.KMSKeyID != "" && err != nil {
		errs = append(errs, fmt.Errorf("KMSKeyID: %w", err))
	}
	if _, err := planTables(o.Tables); err != nil {
		errs = append(errs, fmt.Errorf("Tables: %w", err))
	}
	if err := validateTags(o.Tags); err != nil {
		errs = append(errs, fmt.Errorf("Tags: %w", err))
	}
	return errors.Join(errs...)
}

// CeilSecond rounds a positive d up to whole seconds, the unit of SQS
// timeouts, so a sub-second value never silently becomes 0.
func CeilSecond(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return (d + time.Second - 1).Truncate(time.Second)
}

// Plan is the AWS topology one service needs, derived from its Binding and
// Options. It is data only, in a deterministic order, so that other tools can
// render it (as infrastructure code or an IAM policy); Provisioner creates,
// validates or assumes it.
type Plan struct {
	// Service is the service name, from the Binding.
	Service string `json:"service"`
	// Queues are the queues, ordered by name. Each has a dead-letter queue.
	Queues []Queue `json:"queues"`
	// Topics are the SNS topics, ordered by name.
	Topics []Topic `json:"topics"`
	// Subscriptions connect topics to the service's event queues, ordered by
	// topic.
	Subscriptions []Subscription `json:"subscriptions"`
	// Policies let topics deliver to the service's event queues and to
	// their dead-letter queues (the subscriptions' redrive target), ordered
	// by queue.
	Policies []Policy `json:"policies"`
	// Destinations are the destinations of the service, ordered by name.
	Destinations []Destination `json:"destinations"`
	// Foreign are the topics and queues of another account or region that
	// destinations name by ARN, ordered by ARN. They are in neither Queues
	// nor Topics: Create never creates them; it, Validate and Assume only
	// check that they exist and resolve them.
	Foreign []Foreign `json:"foreign,omitempty"`
	// KMSKeyID is the key of Options.KMSKeyID; empty without encryption.
	KMSKeyID string `json:"kms_key_id,omitempty"`
	// Tables are the DynamoDB tables of Options.Tables, ordered by name.
	Tables []Table `json:"tables,omitempty"`
	// Tags are Options.Tags, put on every queue, topic and table.
	Tags map[string]string `json:"tags,omitempty"`
}

// Queue is one SQS queue of a Plan, with its dead-letter queue.
type Queue struct {
	// Name is the queue name; FIFO queues end in ".fifo".
	Name string `json:"name"`
	// FIFO is true for a FIFO queue.
	FIFO bool `json:"fifo"`
	// Owned is true for queues this service consumes: their attributes and
	// redrive policy are reconciled. A queue the service only sends to is
	// created when missing but otherwise left alone: its consumer owns it.
	Owned bool `json:"owned"`
	// DLQ is the name of its dead-letter queue.
	DLQ string `json:"dlq"`
	// Attributes are the desired queue attributes, without RedrivePolicy and
	// Policy (those need ARNs and are handled apart).
	Attributes map[string]string `json:"attributes"`
	// DLQAttributes are the desired attributes of the dead-letter queue.
	DLQAttributes map[string]string `json:"dlq_attributes"`
	// MaxReceiveCount goes into the RedrivePolicy.
	MaxReceiveCount int `json:"max_receive_count"`
}

// Topic is one SNS topic of a Plan.
type Topic struct {
	// Name is the topic name; FIFO topics end in ".fifo".
	Name string `json:"name"`
	// FIFO is true for a FIFO topic.
	FIFO bool `json:"fifo"`
	// Attributes are passed to CreateTopic.
	Attributes map[string]string `json:"attributes"`
}

// Subscription subscribes a queue to a topic with raw message delivery and
// a redrive policy.
type Subscription struct {
	// Topic is the topic name, or the ARN of a Foreign topic.
	Topic string `json:"topic"`
	// Queue is the queue name.
	Queue string `json:"queue"`
	// DLQ is the dead-letter queue of Queue, which the subscription's
	// redrive policy names: SNS moves there a message it cannot deliver to
	// Queue (a deleted queue, a policy that refuses the topic) instead of
	// dropping it. Required. It does not help with a key SNS may not use:
	// the dead-letter queue is encrypted under Queue's key, so such a
	// message is lost; Validate's key check reports that key.
	DLQ string `json:"dlq"`
	// FilterTypes, when not empty, become a filter policy on the type
	// attribute: {"sf_type": FilterTypes}, so that the queue receives only
	// the types its service handles. Empty means every message. A plan
	// sets it to the handled types, at most 150 (SNS's limit; New refuses
	// more). Create adds them to an existing subscription's filter of types
	// and removes none; a subscription without a filter, or with one of
	// another shape, gets the plan's. Validate reports only missing types.
	// The filter applies to the message attributes (FilterPolicyScope
	// MessageAttributes, or no scope): Create sets that scope back on a
	// subscription whose filter applies to the message body, where it
	// would drop every message, and Validate reports such a scope.
	FilterTypes []string `json:"filter_types,omitempty"`
}

// Policy is the access a queue's policy grants: each topic may send to it
// (one statement per topic, merged into the existing policy).
type Policy struct {
	// Queue is the queue name.
	Queue string `json:"queue"`
	// Topics are the topic names (ARNs for Foreign topics) that may send
	// to the queue, sorted.
	Topics []string `json:"topics"`
}

// Destination is one destination of the service.
type Destination struct {
	// Name is the destination name used by the model: a queue or topic
	// name, or the ARN of a Foreign queue or topic.
	Name string `json:"name"`
	// Kind is KindCommand (a queue) or KindEvent (a topic).
	Kind sourceflow.Kind `json:"kind"`
	// Queue is the command queue, or the service's event queue of a
	// listened topic; empty for a topic the service only publishes to and
	// for a Foreign queue.
	Queue string `json:"queue,omitempty"`
	// Topic is the topic of an event destination (its ARN for a Foreign
	// topic).
	Topic string `json:"topic,omitempty"`
	// Listened is true when this service consumes the destination.
	Listened bool `json:"listened"`
	// Routed is true when the Binding routes a type to the destination
	// (Binding.Routes, a topology file's types): the service sends or
	// publishes there. A type only handled there (Binding.Listeners, a
	// file's listen.handles) does not make it routed. NewIAMPolicy grants
	// sending and publishing on the routed destinations only, so a Plan
	// built by hand, or decoded from JSON without "routed" (written before
	// the field), must set it where the service sends.
	Routed bool `json:"routed"`
}

// New derives the Plan of b with opts. It reports every problem at once,
// each wrapped in ErrInvalidPlan: invalid options, AWS name rules (derived
// dead-letter and event queue names included), FIFO pairing, a type routed
// to two destinations, listened destinations without a handler, and queue
// names claimed by two roles.
func New(b sourceflow.Binding, opts Options) (Plan, error) {
	// The routing uses no option but EventQueueName, which Validate does
	// not check: an option out of range does not hide a Binding problem.
	optsErr := opts.Validate()
	opts.setDefaults()
	r := newRouting(b)
	if err := errors.Join(optsErr, r.check(opts)); err != nil {
		return Plan{}, fmt.Errorf("%w: %w", ErrInvalidPlan, err)
	}
	p := Plan{Service: b.Service, KMSKeyID: opts.KMSKeyID, Tags: maps.Clone(opts.Tags)}
	p.Tables, _ = planTables(opts.Tables) // validated above
	for _, d := range r.sortedDests() {
		if d.kind == sourceflow.KindCommand {
			planCommand(&p, opts, d)
		} else {
			planEvent(&p, opts, d)
		}
	}
	slices.SortFunc(p.Queues, func(a, b Queue) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(p.Policies, func(a, b Policy) int { return cmp.Compare(a.Queue, b.Queue) })
	if err := checkQueueCollisions(p); err != nil {
		return Plan{}, fmt.Errorf("%w: %w", ErrInvalidPlan, err)
	}
	return p, nil
}

// Destination returns the destination named name.
func (p Plan) Destination(name string) (Destination, bool) {
	for _, d := range p.Destinations {
		if d.Name == name {
			return d, true
		}
	}
	return Destination{}, false
}

// checkQueueCollisions fails when two roles land on one queue name: a
// command queue named like an event queue, or like another queue's
// dead-letter queue. Commands and events never share a queue.
func checkQueueCollisions(p Plan) error {
	seen := map[string]string{}
	var errs []error
	claim := func(name, role string) {
		if prev, ok := seen[name]; ok && prev != role {
			errs = append(errs, fmt.Errorf("queue %q is both %s and %s: %w", name, prev, role, ErrDuplicateRoute))
			return
		}
		seen[name] = role
	}
	for _, d := range p.Destinations {
		if d.Queue == "" {
			continue
		}
		role := "command queue " + d.Queue
		if d.Kind == sourceflow.KindEvent {
			role = "event queue of topic " + d.Topic
		}
		claim(d.Queue, role)
		claim(DLQName(d.Queue), "dead-letter queue of "+d.Queue)
	}
	return errors.Join(errs...)
}

func planCommand(p *Plan, opts Options, d *destination) {
	if d.foreign != nil {
		p.Foreign = append(p.Foreign, *d.foreign)
		p.Destinations = append(p.Destinations, Destination{Name: d.name, Kind: sourceflow.KindCommand, Routed: d.sent})
		return
	}
	p.Queues = append(p.Queues, queueSpec(opts, d.name, d.listened))
	p.Destinations = append(p.Destinations, Destination{
		Name: d.name, Kind: sourceflow.KindCommand, Queue: d.name, Listened: d.listened, Routed: d.sent,
	})
}

func planEvent(p *Plan, opts Options, d *destination) {
	if d.foreign != nil {
		p.Foreign = append(p.Foreign, *d.foreign)
	} else {
		p.Topics = append(p.Topics, topicSpec(opts, d.name))
	}
	ds := Destination{Name: d.name, Kind: sourceflow.KindEvent, Topic: d.name, Routed: d.sent}
	if d.listened {
		q := d.queue // named by routing.check
		p.Queues = append(p.Queues, queueSpec(opts, q, true))
		dlq := DLQName(q)
		p.Subscriptions = append(p.Subscriptions, Subscription{
			Topic: d.name, Queue: q, DLQ: dlq, FilterTypes: filterTypes(d.handled),
		})
		p.Policies = append(p.Policies,
			Policy{Queue: q, Topics: []string{d.name}},
			Policy{Queue: dlq, Topics: []string{d.name}})
		ds.Queue, ds.Listened = q, true
	}
	p.Destinations = append(p.Destinations, ds)
}

// maxFilterTypes is the most types a filter policy names: SNS accepts at
// most 150 value combinations in a subscription's filter policy.
const maxFilterTypes = 150

// filterTypes returns the handled types, sorted: the filter policy that
// keeps the types the service does not handle (those another service
// raises there, or a producer adds later) out of its queue. nil, no filter,
// when there are none; newRouting refuses more than maxFilterTypes.
func filterTypes(handled []string) []string {
	if len(handled) == 0 {
		return nil
	}
	out := slices.Clone(handled)
	slices.Sort(out)
	return slices.Compact(out)
}

func queueSpec(opts Options, name string, owned bool) Queue {
	fifo := IsFIFO(name)
	attrs := map[string]string{
		"VisibilityTimeout":             strconv.Itoa(int(opts.VisibilityTimeout.Seconds())),
		"ReceiveMessageWaitTimeSeconds": strconv.Itoa(int(opts.WaitTime.Seconds())),
	}
	dlqAttrs := map[string]string{"MessageRetentionPeriod": strconv.Itoa(DLQRetentionSeconds)}
	for _, m := range []map[string]string{attrs, dlqAttrs} {
		m[AttrMaximumMessageSize] = strconv.Itoa(MaxMessageBytes)
		queueAtRest(m, opts.KMSKeyID)
		if fifo {
			m["FifoQueue"], m["ContentBasedDeduplication"] = "true", "true"
		}
	}
	return Queue{
		Name: name, FIFO: fifo, Owned: owned, DLQ: DLQName(name),
		Attributes: attrs, DLQAttributes: dlqAttrs, MaxReceiveCount: opts.MaxReceiveCount,
	}
}

func topicSpec(opts Options, name string) Topic {
	ts := Topic{Name: name, FIFO: IsFIFO(name), Attributes: map[string]string{}}
	topicAtRest(ts.Attributes, opts.KMSKeyID)
	if ts.FIFO {
		ts.Attributes["FifoTopic"], ts.Attributes["ContentBasedDeduplication"] = "true", "true"
	}
	return ts
}
