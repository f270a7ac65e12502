package topology

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// iamBuilder derives the statements of NewIAMPolicy from a Plan: one per
// purpose, which byResource then groups by resource.
type iamBuilder struct {
	plan Plan
	cfg  IAMConfig
}

// arn returns the ARN of the resource name of service, name itself for
// a Foreign resource, which is named by its ARN.
func (b iamBuilder) arn(service, name string) string {
	if IsARN(name) {
		return name
	}
	return strings.Join([]string{"arn", b.cfg.Partition, service, b.cfg.Region, b.cfg.AccountID, name}, ":")
}

// arns returns the sorted, distinct ARNs of the resources named, queues
// for service "sqs", topics for "sns" and tables ("table/<name>") for
// "dynamodb".
func (b iamBuilder) arns(service string, names []string) []string {
	out := each(names, func(n string) string { return b.arn(service, n) })
	slices.Sort(out)
	return slices.Compact(out)
}

// commandQueues are the queues of the command destinations the service
// routes a type to: those it sends to. A command queue it only consumes is
// not among them.
func (b iamBuilder) commandQueues() []string {
	return b.routed(sourceflow.KindCommand, func(d Destination) string { return cmp.Or(d.Queue, d.Name) })
}

// publishedTopics are the topics of the event destinations the service
// routes a type to: those it publishes to.
func (b iamBuilder) publishedTopics() []string {
	return b.routed(sourceflow.KindEvent, func(d Destination) string { return d.Topic })
}

// routed returns the resource name of each destination of kind the
// service routes a type to.
func (b iamBuilder) routed(kind sourceflow.Kind, resource func(Destination) string) []string {
	var out []string
	for _, d := range b.plan.Destinations {
		if d.Kind == kind && d.Routed {
			out = append(out, resource(d))
		}
	}
	return out
}

// consumed returns the queues the service consumes and their dead-letter
// queues.
func (b iamBuilder) consumed() (queues, dlqs []string) {
	for _, q := range b.plan.Queues {
		if q.Owned {
			queues, dlqs = append(queues, q.Name), append(dlqs, q.DLQ)
		}
	}
	return queues, dlqs
}

// readQueues are the queues the read actions are needed on: every queue and
// the dead-letter queues of the consumed ones; in create and validate mode
// every dead-letter queue.
func (b iamBuilder) readQueues() []string {
	var out []string
	for _, q := range b.plan.Queues {
		out = append(out, q.Name)
		if q.Owned || b.cfg.Provisioning != ProvisionAssume {
			out = append(out, q.DLQ)
		}
	}
	return out
}

func (b iamBuilder) topics() []string {
	return each(b.plan.Topics, func(t Topic) string { return t.Name })
}

// foreign returns the ARNs of the Foreign resources of kind.
func (b iamBuilder) foreign(kind sourceflow.Kind) []string {
	var out []string
	for _, f := range b.plan.Foreign {
		if f.Kind == kind {
			out = append(out, f.ARN)
		}
	}
	return out
}

func (b iamBuilder) subscribedTopics() []string {
	return each(b.plan.Subscriptions, func(s Subscription) string { return s.Topic })
}

// allow grants actions, sorted into a slice of the statement's own, on
// resources.
func allow(sid string, resources []string, actions ...string) IAMStatement {
	return IAMStatement{Sid: sid, Effect: "Allow", Action: slices.Sorted(slices.Values(actions)), Resource: resources}
}

// runtime returns the statements of the running transport and stores,
// whatever the provisioning mode.
func (b iamBuilder) runtime() []IAMStatement {
	queues, dlqs := b.consumed()
	return []IAMStatement{
		allow("SendCommands", b.arns("sqs", b.commandQueues()), "sqs:SendMessage"),
		allow("PublishEvents", b.arns("sns", b.publishedTopics()), "sns:Publish"),
		allow("ConsumeQueues", b.arns("sqs", queues), "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"),
		allow("DeadLetter", b.arns("sqs", dlqs), "sqs:SendMessage"),
		allow("ReadQueues", b.arns("sqs", b.readQueues()), "sqs:GetQueueUrl", "sqs:GetQueueAttributes"),
		allow("ReadTopics", b.arns("sns", b.topics()), "sns:GetTopicAttributes"),
		allow("ReadForeignQueues", b.foreign(sourceflow.KindCommand), "sqs:GetQueueUrl"),
		allow("ReadForeignTopics", b.foreign(sourceflow.KindEvent), "sns:GetTopicAttributes"),
		allow("UseTables", b.tableARNs(), tableActions...),
	}
}

// provisioning returns the statements of the provisioning mode's calls
// beyond the run-time ones.
func (b iamBuilder) provisioning() []IAMStatement {
	subscribed := b.arns("sns", b.subscribedTopics())
	queues, dlqs := b.consumed()
	switch b.cfg.Provisioning {
	case ProvisionCreate:
		return append([]IAMStatement{
			allow("CreateQueues", b.arns("sqs", b.readQueues()), b.tagged("sqs:CreateQueue", "sqs:TagQueue")...),
			allow("ReconcileQueues", b.arns("sqs", append(queues, dlqs...)),
				b.tagged("sqs:SetQueueAttributes", "sqs:ListQueueTags", "sqs:TagQueue")...),
			allow("CreateTopics", b.arns("sns", b.topics()), b.tagged(b.topicWrites()...)...),
			allow("SecureTopics", b.arns("sns", b.ownedTopics()), "sns:SetTopicAttributes"),
			allow("SubscribeQueues", subscribed, "sns:Subscribe", "sns:ListSubscriptionsByTopic"),
		}, slices.Concat(subscriptionStatements("ReconcileSubscriptions", subscribed,
			"sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"), b.tableStatements(ProvisionCreate))...)
	case ProvisionValidate:
		var read []IAMStatement
		if len(b.plan.Tags) > 0 {
			read = []IAMStatement{
				allow("ReadQueueTags", b.arns("sqs", append(queues, dlqs...)), "sqs:ListQueueTags"),
				allow("ReadTopicTags", b.arns("sns", b.topics()), "sns:ListTagsForResource"),
			}
		}
		return slices.Concat(read, []IAMStatement{allow("ListSubscriptions", subscribed, "sns:ListSubscriptionsByTopic")},
			subscriptionStatements("ReadSubscriptions", subscribed, "sns:GetSubscriptionAttributes"),
			b.tableStatements(ProvisionValidate))
	case ProvisionAssume:
		return b.tableStatements(ProvisionAssume)
	}
	return nil
}

// subscriptionStatements grants the subscription actions
// (sns:GetSubscriptionAttributes, SetSubscriptionAttributes) on the
// subscriptions of each topic of topicARNs, in two statements: one on the
// topic's ARN, the resource type the SNS service authorization reference
// lists for these actions, which joins the statement of the topic's class;
// and sid on "<topic ARN>:*", the ARNs of its subscriptions (a
// subscription's ARN is its topic's followed by ":" and an id), in case
// the call is matched against the subscription. Either way the grant
// covers the subscriptions of those topics only, not every subscription
// of the account ("<topic ARN>*" would also match a topic whose name
// starts with this one's).
func subscriptionStatements(sid string, topicARNs []string, actions ...string) []IAMStatement {
	return []IAMStatement{
		allow(sid+"OfTopics", topicARNs, actions...),
		allow(sid, each(topicARNs, func(arn string) string { return arn + ":*" }), actions...),
	}
}

// ownedTopics are the topics of the plan the service publishes to, whose
// policy Create gives the statement refusing publishing without TLS when
// it is missing (Plan.Publishes).
func (b iamBuilder) ownedTopics() []string {
	return slices.DeleteFunc(b.topics(), func(name string) bool { return !b.plan.Publishes(name) })
}

// topicWrites are the actions Create calls on every topic:
// SetTopicAttributes only where it has an attribute to fill in (the key, a
// FIFO topic's deduplication), so a service that neither encrypts nor uses
// FIFO topics cannot change the attributes, the access policy among them,
// of a topic it only listens to (SecureTopics grants it on the topics it
// publishes to, for the statement refusing publishing without TLS).
func (b iamBuilder) topicWrites() []string {
	actions := []string{"sns:CreateTopic", "sns:ListTagsForResource", "sns:TagResource"}
	if b.plan.KMSKeyID != "" || slices.ContainsFunc(b.plan.Topics, func(t Topic) bool { return t.FIFO }) {
		actions = append(actions, "sns:SetTopicAttributes")
	}
	return actions
}

// tagged returns actions, without the tag actions (those ending in Tags,
// TagQueue, TagResource or ListTagsForResource) when the plan has no tags.
func (b iamBuilder) tagged(actions ...string) []string {
	if len(b.plan.Tags) > 0 {
		return actions
	}
	return slices.DeleteFunc(slices.Clone(actions), isTagAction)
}

func isTagAction(action string) bool {
	_, name, _ := strings.Cut(action, ":")
	return strings.HasPrefix(name, "Tag") || strings.HasPrefix(name, "ListTags") || strings.HasSuffix(name, "Tags")
}
