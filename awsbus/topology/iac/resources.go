package iac

import (
	"fmt"
	"strings"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// resourceType is one kind of resource as each language names it; suffix
// ends its CloudFormation logical ids.
type resourceType struct{ cfn, tf, suffix string }

var (
	sqsQueue        = resourceType{"AWS::SQS::Queue", "aws_sqs_queue", "Queue"}
	sqsQueuePolicy  = resourceType{"AWS::SQS::QueuePolicy", "aws_sqs_queue_policy", "QueuePolicy"}
	snsTopic        = resourceType{"AWS::SNS::Topic", "aws_sns_topic", "Topic"}
	snsTopicPolicy  = resourceType{"AWS::SNS::TopicPolicy", "aws_sns_topic_policy", "TopicPolicy"}
	snsSubscription = resourceType{"AWS::SNS::Subscription", "aws_sns_topic_subscription", "Subscription"}
	kmsKey          = resourceType{"AWS::KMS::Key", "aws_kms_key", "Key"}
	kmsAlias        = resourceType{"AWS::KMS::Alias", "aws_kms_alias", "KeyAlias"}
	dynamoTable     = resourceType{"AWS::DynamoDB::Table", "aws_dynamodb_table", "Table"}
)

// resource is one resource of the output, in neither language yet.
type resource struct {
	typ resourceType
	// name is the AWS name the ids derive from: the queue, the topic, the
	// table, the alias without "alias/".
	name string
	// parts, when set, are the names the ids derive from instead of name:
	// the topic and the queue of a subscription.
	parts []string
	props []prop
	// retain keeps the resource when its stack or configuration is
	// destroyed or replaces it.
	retain bool
	// cfnID and tfID are the resource's logical id and Terraform name.
	cfnID, tfID string
}

// prop is one property of a resource. An empty cfn or tf name means the
// property exists in the other language only. A doc property holds a JSON
// document: an object in CloudFormation, jsonencode(…) in Terraform. A
// block property exists in Terraform only and is written as nested blocks
// named tf, one per element of its value (a []any of map[string]any).
type prop struct {
	cfn, tf string
	value   any
	doc     bool
	block   bool
}

// ref is an attribute of another resource of the output: "arn", "url" (of
// a queue) or "key_id" (of a key).
type ref struct {
	to   *resource
	attr string
}

// accountID is the id of the account the output is deployed in;
// accountRoot is that account's root principal ARN.
type (
	accountID   struct{}
	accountRoot struct{}
)

// build lists the resources of s in output order: keys, then each queue
// after its dead-letter queue, topics, each followed by its policy,
// subscriptions, queue policies and tables.
func build(s system) ([]*resource, error) {
	b := builder{byName: map[resourceType]map[string]*resource{}, tags: s.tags, foreign: s.foreign}
	for _, alias := range s.keys {
		b.key(alias, b.foreignOf(s.keyForeign[alias]))
	}
	for _, q := range s.queues {
		if err := b.queue(q); err != nil {
			return nil, err
		}
	}
	for _, t := range s.topics {
		if err := b.topic(t, s.published[t.Name]); err != nil {
			return nil, err
		}
	}
	for _, sub := range s.subscriptions {
		if err := b.subscription(sub); err != nil {
			return nil, err
		}
	}
	topicsOf := map[string][]string{}
	for _, pol := range s.policies {
		topicsOf[pol.Queue] = pol.Topics
	}
	for _, q := range s.queues {
		for _, name := range []string{q.DLQ, q.Name} {
			if err := b.policy(name, topicsOf[name]); err != nil {
				return nil, err
			}
		}
	}
	for _, t := range s.tables {
		b.table(t)
	}
	if err := assignIDs(b.list); err != nil {
		return nil, err
	}
	return b.list, nil
}

// builder collects the resources; the merge already made every name unique
// per type.
type builder struct {
	list   []*resource
	byName map[resourceType]map[string]*resource
	tags   map[resourceType]map[string]map[string]string
	// foreign are the topics named by ARN (system.foreign).
	foreign map[string]topology.Foreign
}

func (b *builder) add(r *resource) *resource {
	if b.byName[r.typ] == nil {
		b.byName[r.typ] = map[string]*resource{}
	}
	b.byName[r.typ][r.name] = r
	b.list = append(b.list, r)
	return r
}

func (b *builder) get(t resourceType, name string) *resource { return b.byName[t][name] }

func (b *builder) key(alias string, foreignTopics []topology.Foreign) {
	name := strings.TrimPrefix(alias, "alias/")
	key := b.add(&resource{typ: kmsKey, name: name, retain: true, props: []prop{
		{cfn: "Description", tf: "description", value: "SourceFlow message encryption key (" + alias + ")"},
		{cfn: "EnableKeyRotation", tf: "enable_key_rotation", value: true},
		{tf: "deletion_window_in_days", value: 30},
		{cfn: "KeyPolicy", tf: "policy", value: keyPolicy(foreignTopics), doc: true},
	}})
	b.add(&resource{typ: kmsAlias, name: name, retain: true, props: []prop{
		{cfn: "AliasName", tf: "name", value: alias},
		{cfn: "TargetKeyId", tf: "target_key_id", value: ref{key, "key_id"}},
	}})
}

func (b *builder) queue(q topology.Queue) error {
	dlqProps, err := attributeProps("dead-letter queue", q.DLQ, q.DLQAttributes, queueAttributes)
	if err != nil {
		return err
	}
	dlqProps = append([]prop{{cfn: "QueueName", tf: "name", value: q.DLQ}}, b.keyRefs(dlqProps)...)
	dlq := b.add(&resource{typ: sqsQueue, name: q.DLQ, retain: true,
		props: append(dlqProps, tagProps(b.tags[sqsQueue][q.DLQ])...)})
	props, err := attributeProps("queue", q.Name, q.Attributes, queueAttributes)
	if err != nil {
		return err
	}
	props = append([]prop{{cfn: "QueueName", tf: "name", value: q.Name}}, b.keyRefs(props)...)
	props = append(props, prop{cfn: "RedrivePolicy", tf: "redrive_policy", value: redrivePolicy(dlq, q.MaxReceiveCount), doc: true})
	b.add(&resource{typ: sqsQueue, name: q.Name, retain: true, props: append(props, tagProps(b.tags[sqsQueue][q.Name])...)})
	return nil
}

// keyRefs replaces a KMS key named by an alias the output creates with a
// reference to that alias, so the queue or topic is made after its key.
func (b *builder) keyRefs(props []prop) []prop {
	for i, p := range props {
		if p.cfn != "KmsMasterKeyId" {
			continue
		}
		id, _ := p.value.(string)
		if alias := b.get(kmsAlias, strings.TrimPrefix(id, "alias/")); alias != nil && strings.HasPrefix(id, "alias/") {
			props[i].value = ref{alias, "name"}
		}
	}
	return props
}

// topic renders topic t and, when published (a service of the output
// publishes to it: it is theirs), its policy refusing publishing without
// TLS. The policy resource owns the topic's whole policy, so a topic the
// services only listen to is left to its publisher's.
func (b *builder) topic(t topology.Topic, published bool) error {
	props, err := attributeProps("topic", t.Name, t.Attributes, topicAttributes)
	if err != nil {
		return err
	}
	props = append([]prop{{cfn: "TopicName", tf: "name", value: t.Name}}, b.keyRefs(props)...)
	topic := b.add(&resource{typ: snsTopic, name: t.Name, props: append(props, tagProps(b.tags[snsTopic][t.Name])...)})
	if !published {
		return nil
	}
	b.add(&resource{typ: snsTopicPolicy, name: t.Name, props: []prop{
		{cfn: "Topics", value: []any{ref{topic, "arn"}}},
		{tf: "arn", value: ref{topic, "arn"}},
		{cfn: "PolicyDocument", tf: "policy", value: topicPolicy(topic), doc: true},
	}})
	return nil
}

// topicSourceOf returns the topic name as a source of messages: a
// reference to the topic of the output, or, for a topic of another
// account or region named by its ARN (topology.Foreign), that ARN and its
// region; found is false for neither.
func (b *builder) topicSourceOf(name string) (t topicSource, found bool) {
	if r := b.get(snsTopic, name); r != nil {
		return topicSource{name: name, arn: ref{r, "arn"}}, true
	}
	f, found := b.foreign[name]
	return topicSource{name: name, arn: name, region: f.Region}, found
}

func (b *builder) subscription(s topology.Subscription) error {
	if s.DLQ == "" {
		return fmt.Errorf("iac: subscription of queue %q to topic %q: Subscription.DLQ is required", s.Queue, s.Topic)
	}
	topic, found := b.topicSourceOf(s.Topic)
	queue, dlq := b.get(sqsQueue, s.Queue), b.get(sqsQueue, s.DLQ)
	if !found || queue == nil || dlq == nil {
		return fmt.Errorf("iac: subscription of queue %q to topic %q: the plan lacks the queue, its dead-letter queue or the topic", s.Queue, s.Topic)
	}
	props := []prop{
		{cfn: "TopicArn", tf: "topic_arn", value: topic.arn},
		{cfn: "Protocol", tf: "protocol", value: "sqs"},
		{cfn: "Endpoint", tf: "endpoint", value: ref{queue, "arn"}},
		{cfn: "RawMessageDelivery", tf: "raw_message_delivery", value: true},
	}
	topicName, region, redrive := s.Topic, "", any(map[string]any{"deadLetterTargetArn": ref{dlq, "arn"}})
	if f, ok := b.foreign[s.Topic]; ok { // another account's topic, maybe of another region: subscribe there
		// SNS redrives only to a queue of the subscription's region.
		topicName, region, redrive = f.Name, f.Region, inRegion{region: f.Region, value: redrive}
	}
	props = append(props, prop{cfn: "RedrivePolicy", tf: "redrive_policy", value: redrive, doc: true})
	if len(s.FilterTypes) > 0 {
		props = append(props, prop{cfn: "FilterPolicy", tf: "filter_policy", value: filterPolicy(s.FilterTypes), doc: true})
	}
	if region != "" {
		props = append(props, prop{cfn: "Region", tf: "region", value: region})
	}
	b.add(&resource{typ: snsSubscription, name: s.Topic + " " + s.Queue, parts: []string{topicName, s.Queue}, props: props})
	return nil
}

// policy sets the access policy of queue: requests without TLS are refused,
// and each of topics may send to it.
func (b *builder) policy(name string, topicNames []string) error {
	queue := b.get(sqsQueue, name)
	if queue == nil {
		return fmt.Errorf("iac: policy of queue %q: the plan lacks the queue", name)
	}
	topics := make([]topicSource, 0, len(topicNames))
	for _, t := range topicNames {
		src, ok := b.topicSourceOf(t)
		if !ok {
			return fmt.Errorf("iac: policy of queue %q: the plan lacks topic %q", name, t)
		}
		topics = append(topics, src)
	}
	b.add(&resource{typ: sqsQueuePolicy, name: name, props: []prop{
		{cfn: "Queues", value: []any{ref{queue, "url"}}},
		{tf: "queue_url", value: ref{queue, "url"}},
		{cfn: "PolicyDocument", tf: "policy", value: queuePolicy(queue, topics), doc: true},
	}})
	return nil
}
