package topology

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
)

// IAMPolicyVersion is the policy language version of every IAMPolicy.
const IAMPolicyVersion = "2012-10-17"

// IAMPolicy is an IAM identity policy document: the least privilege a
// service's transport and DynamoDB stores need at run time, plus the calls
// of their provisioning mode. Marshalled with encoding/json it is the document IAM accepts.
type IAMPolicy struct {
	// Version is IAMPolicyVersion.
	Version string `json:"Version"`
	// Statement are the statements, one per set of resources granted the
	// same actions, in a fixed order (see NewIAMPolicy).
	Statement []IAMStatement `json:"Statement"`
}

// IAMStatement allows Action on Resource, under Condition when set.
type IAMStatement struct {
	// Sid names the statement's resources by what they are to the
	// service, e.g. "ConsumedQueues" (see NewIAMPolicy).
	Sid string `json:"Sid"`
	// Effect is always "Allow".
	Effect string `json:"Effect"`
	// Principal is set in statements of a resource policy (a key policy):
	// principal type, then principals. Nil in identity policies.
	Principal map[string][]string `json:"Principal,omitempty"`
	// Action are the IAM actions, "service:Action", sorted.
	Action []string `json:"Action"`
	// Resource are ARNs, sorted, or ARN patterns: "<topic ARN>:*" for the
	// subscriptions of a topic.
	Resource []string `json:"Resource"`
	// Condition is the statement's condition block: operator, then key,
	// then values. Nil for none.
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// IAMConfig is what NewIAMPolicy needs besides the Plan: where the
// resources are, and how the transport provisions them. The policy is built
// without any AWS call, so the account cannot be looked up.
type IAMConfig struct {
	// AccountID is the 12-digit account of the queues, topics, key and
	// tables. Required.
	AccountID string
	// Region is the region of the resources, e.g. "us-east-1". Required.
	Region string
	// Partition is the ARN partition. Default: from Region ("aws-cn" for
	// cn-*, "aws-us-gov" for us-gov-*, "aws-iso" for us-iso-*, "aws-iso-b"
	// for us-isob-*, "aws-eusc" for eusc-*, ...; else "aws").
	Partition string
	// Provisioning is the transport's mode (awsbus Config.Provisioning),
	// and the stores' when the plan has tables (their
	// Config.Provisioning): it adds the calls that mode makes on start.
	// Default ProvisionCreate.
	Provisioning Provisioning
}

var regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-\d+$`)

func (c *IAMConfig) setDefaults() {
	c.Partition = cmp.Or(c.Partition, regionPartition(c.Region))
}

// Validate reports every problem at once, each naming its field.
func (c IAMConfig) Validate() error {
	errs := []error{ValidateAccountID(c.AccountID)}
	if c.AccountID == "" {
		errs = append(errs, errors.New("AccountID: required: the policy's ARNs name the account"))
	}
	switch {
	case c.Region == "":
		errs = append(errs, errors.New("Region: required"))
	case !regionPattern.MatchString(c.Region):
		errs = append(errs, fmt.Errorf("Region: %q is not a region name such as us-east-1", c.Region))
	}
	if err := errors.Join(append(errs, c.Provisioning.Validate())...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// NewIAMPolicy returns the least-privilege policy of the service of p: the
// actions its awsbus transport and DynamoDB stores call, each only on the
// queues, topics, key and tables of p that they call them on.
//
// The policy names each queue, topic and table in one statement, which
// grants it every action the purposes below grant it; the resources of one
// class, what they are to the service, share the statement, so the policy
// grows by one ARN per resource. A statement's Sid is the name of its
// class: CommandQueues (the queues of the command destinations it routes a
// type to, which it sends to), ConsumedQueues (the queues it consumes),
// DeadLetterQueues (their dead-letter queues), PeerDeadLetterQueues (the dead-letter queues of the
// queues it only sends to, in create and validate mode), Topics,
// SubscribedTopics (the topics it subscribes its queues to) and Tables. A
// resource of several roles has their words before its kind, in the order
// Consumed, Command, DeadLetter, PeerDeadLetter, Subscribed:
// ConsumedCommandQueues is the service's own command queue when it also
// sends there (a saga's command to its own service), ConsumedQueues when
// it only consumes it. A topic it routes no type to, so does not publish
// to, has "Unpublished" after its roles: SubscribedUnpublishedTopics. A
// resource a Plan not made by New uses without listing it has "Unlisted"
// before its kind: SubscribedUnlistedTopics (a topic subscribed to that is not among
// its Topics), CommandUnlistedQueues (a command queue not among its
// Queues). A Sid therefore depends on what its resources are to the
// service only, never on the rest of the plan: adding a queue or a topic
// adds an ARN or a statement and renames none. Resources of different
// classes never share a statement, even when they need the same actions (in
// assume mode the dead-letter queues and the queues the service only sends
// to are both sent to and read). Should the resources of one class still
// need different actions, each set has a statement, the later ones, in the
// order of their actions, numbered: CommandQueues2. The statements of
// queues come first, then those of topics and tables, each kind in the
// order of the list above (a resource of several roles after those of its
// last role alone, an unlisted one after the listed ones); then the
// statements that stand apart and keep their purpose's Sid: the key's
// (UseKey), which carries a condition when the key is named by an alias,
// and the subscription attributes' on the subscriptions of the listened
// topics (ReconcileSubscriptions in create mode, ReadSubscriptions in
// validate mode). Actions and resources are
// sorted.
//
// The purposes, each with the actions it grants and on what, are at run
// time, in every mode:
//
//   - SendCommands: sqs:SendMessage on the queue of every command
//     destination the plan routes a type to (Destination.Routed; the
//     transport sends commands with SendMessage and SendMessageBatch, which
//     IAM authorizes as SendMessage);
//   - PublishEvents: sns:Publish on the topic of every event destination
//     the plan routes a type to (Publish and PublishBatch);
//   - ConsumeQueues: sqs:ReceiveMessage, DeleteMessage and
//     ChangeMessageVisibility, each with its batch (fast nack, back-off,
//     visibility heartbeat), on the queues the service consumes;
//   - DeadLetter: sqs:SendMessage on their dead-letter queues, because the
//     transport dead-letters a message itself, with its reason;
//   - ReadQueues: sqs:GetQueueUrl and GetQueueAttributes on every queue and
//     the dead-letter queues of the consumed ones (Bind resolves them,
//     Health probes them, Depths reads their depth);
//   - ReadTopics: sns:GetTopicAttributes on every topic (Health);
//   - ReadForeignQueues and ReadForeignTopics: sqs:GetQueueUrl on every
//     Foreign queue, sns:GetTopicAttributes on every Foreign topic (Bind
//     resolves them), on their ARNs, which SendCommands, PublishEvents and
//     the subscribe actions name too: the owner of each must grant the
//     same in its queue or topic policy;
//   - UseTables, with tables: dynamodb:GetItem, PutItem, UpdateItem,
//     DeleteItem, Query, ConditionCheckItem and BatchWriteItem (with which
//     the DynamoDB outbox deletes relayed messages) on the plan's tables
//     (arn:<partition>:dynamodb:<region>:<account>:table/<name>), the calls
//     of cqrs/dynamostore and idempotency/dynamostore (IAM authorizes a
//     TransactWriteItems call per operation it contains, so it has no
//     action of its own);
//   - UseKey, with a KMS key: kms:GenerateDataKey (encrypt), kms:Decrypt
//     and kms:DescribeKey (the encryption health check) on the key.
//
// The provisioning mode adds:
//
//   - create: sqs:CreateQueue and the read actions on every queue and
//     dead-letter queue, since Create also makes the dead-letter queue of a
//     queue the service only sends to; sqs:SetQueueAttributes (attributes,
//     encryption at rest, redrive and the merged queue policy) on the
//     queues it consumes and their dead-letter queues; sns:CreateTopic on
//     every topic, and SetTopicAttributes when there is a key or a FIFO
//     topic (filling in the key or deduplication) and on the topics it
//     publishes to (the statement refusing publishing without TLS, which
//     Create adds to an existing topic's policy); sns:Subscribe and
//     ListSubscriptionsByTopic on the listened topics;
//     sns:GetSubscriptionAttributes and SetSubscriptionAttributes on them
//     and their subscriptions; with
//     tables, dynamodb:DescribeTable and DescribeTimeToLive (ReadTables),
//     CreateTable and UpdateTimeToLive (CreateTables) on them;
//   - validate: the read actions on every dead-letter queue (a missing
//     queue's is checked too), sns:ListSubscriptionsByTopic on the listened
//     topics and sns:GetSubscriptionAttributes on them and their
//     subscriptions;
//     with tables,
//     dynamodb:DescribeTable and DescribeTimeToLive on them (ReadTables);
//   - assume: with tables, dynamodb:DescribeTable on them (ReadTables: the
//     stores check each table's key schema at start); nothing else beyond
//     the run-time reads.
//
// With tags, create mode adds the tag actions beside the create and
// reconcile actions (sqs:TagQueue and ListQueueTags, sns:TagResource and
// ListTagsForResource, dynamodb:TagResource and ListTagsOfResource: AWS
// authorizes tags given at creation as a tag call), and validate mode the
// tag reads.
//
// sns:GetSubscriptionAttributes and SetSubscriptionAttributes are granted,
// for each topic the service subscribes to, on the topic's ARN (the only
// resource type the SNS service authorization reference lists for them,
// which joins the topic's statement) and on "<topic ARN>:*", the ARNs of
// its subscriptions (the topic's ARN followed by ":" and an id), in case
// the call is matched against the subscription: either way the
// subscriptions of those topics, not every subscription of the account. A key named by an alias is granted on the
// account's keys under the condition that the key has that alias
// (kms:ResourceAliases), since IAM authorizes KMS calls on the key's ARN.
// kms:Decrypt is granted on the plan's key only, so the producers of the
// messages a service consumes must encrypt under the same key. The same
// holds for encryption at rest: sending to a queue or publishing to a topic
// encrypted under a key takes kms:GenerateDataKey and kms:Decrypt on it, so
// a service without a key that sends to a service with one needs that key
// granted beside this policy.
// sts:GetCallerIdentity, which every mode may call to find the account for
// the ARNs it builds, needs no permission and is not listed. A destination
// the service only consumes (Binding.Listeners, a topology file's
// listen.handles, with no type routed there) is not granted sending or
// publishing: a subscriber cannot put messages into a topic or queue
// another service sends to. A service sends only the types of its routes
// (Binding.Routes, a file's types), so it is granted every destination it
// sends to; a destination a route names is granted even when the service
// happens not to send there.
func NewIAMPolicy(p Plan, cfg IAMConfig) (IAMPolicy, error) {
	if err := cfg.Validate(); err != nil {
		return IAMPolicy{}, err
	}
	cfg.setDefaults()
	if len(p.Queues) == 0 && len(p.Topics) == 0 && len(p.Foreign) == 0 {
		return IAMPolicy{}, fmt.Errorf("%w: service %q has no queue and no topic", ErrInvalidPlan, p.Service)
	}
	b := iamBuilder{plan: p, cfg: cfg}
	key, err := b.key()
	if err != nil {
		return IAMPolicy{}, err
	}
	grouped, apart := b.byResource(nonEmpty(append(b.runtime(), b.provisioning()...)))
	return IAMPolicy{Version: IAMPolicyVersion, Statement: slices.Concat(grouped, key, apart)}, nil
}

// nonEmpty drops the statements without a resource.
func nonEmpty(statements []IAMStatement) []IAMStatement {
	out := statements[:0]
	for _, s := range statements {
		if len(s.Resource) > 0 {
			out = append(out, s)
		}
	}
	return out
}
