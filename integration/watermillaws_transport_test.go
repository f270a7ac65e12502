//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsns "github.com/ThreeDotsLabs/watermill-aws/sns"
	wsqs "github.com/ThreeDotsLabs/watermill-aws/sqs"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// watermillAWSOptions tunes the watermill-aws Pub/Subs behind
// newWatermillAWSTransport. The zero value keeps watermill-aws's defaults.
type watermillAWSOptions struct {
	// ConsumeWorkers is sqs.SubscriberConfig.ConsumeWorkers: receive loops
	// per subscription, each with one message in flight. 0: 1.
	ConsumeWorkers int
	// MaxMessages is how many messages one ReceiveMessage may return
	// (1–10). 0: 1.
	MaxMessages int32
	// WaitTimeSeconds is the long-poll wait of ReceiveMessage. 0: 20.
	WaitTimeSeconds int32
	// VisibilityTimeout is the visibility timeout of the queues it creates:
	// how long a message received by an instance that stopped stays hidden.
	// 0: the SQS default (30s).
	VisibilityTimeout time.Duration
	// Logger receives watermill-aws's and the adapter's logs. Default: none.
	Logger watermill.LoggerAdapter
}

// newWatermillAWSTransport returns the transport of one service instance
// over watermill-aws v1.0.3, unmodified, through cqrs.PubSubTransport and
// cqrs.HybridTransport:
//
//   - commands travel on SQS (sqs.Publisher, sqs.Subscriber): a queue per
//     destination, consumed by every instance of the listening service, so
//     the queue is the consumer group. A destination whose name ends in
//     ".fifo" is a FIFO queue: the publisher's GenerateSendMessageInput hook
//     sets the message group to the entity id and the deduplication id to
//     the message id, so each entity's commands keep their order.
//   - events travel on SNS (sns.Publisher, sns.Subscriber): a topic per
//     destination and, per subscribing service, a queue named
//     "<topic>-<service>" that its instances share.
//   - a message over 256 KiB (watermillAWSMaxBytes), payload plus
//     metadata, is refused before it is sent, and SNS's and SQS's own
//     "too long" refusal is marked permanent (refusedForGood), so the
//     outbox dead-letters the row instead of retrying it for ever.
//   - dead letters go to "<destination>-dlq" (".fifo" kept): a queue for a
//     command destination; for an event destination a topic of that name with
//     a queue of the same name subscribed to it, created when a service
//     subscribes, so both are read from SQS.
//
// Queues and topics are created on first use (resolving a topic creates
// it, which also yields its ARN without an account id). Give each service instance
// its own transport; they share the AWS resources by name.
func newWatermillAWSTransport(awsCfg aws.Config, o watermillAWSOptions) (*cqrs.HybridTransport, error) {
	if o.Logger == nil {
		o.Logger = watermill.NopLogger{}
	}
	commands, err := watermillAWSCommands(awsCfg, o)
	if err != nil {
		return nil, err
	}
	events, err := watermillAWSEvents(awsCfg, o)
	if err != nil {
		return nil, err
	}
	return cqrs.NewHybridTransport(cqrs.HybridConfig{Default: commands, Commands: commands, Events: events})
}

// watermillAWSCommands is the SQS half: queues are consumer groups, and
// FIFO queues keep each entity's order.
func watermillAWSCommands(awsCfg aws.Config, o watermillAWSOptions) (*cqrs.PubSubTransport, error) {
	pub, err := wsqs.NewPublisher(wsqs.PublisherConfig{
		AWSConfig:                awsCfg,
		GenerateCreateQueueInput: o.createQueueInput,
		GenerateSendMessageInput: fifoSendMessageInput,
	}, o.Logger)
	if err != nil {
		return nil, err
	}
	return cqrs.NewPubSubTransport(cqrs.PubSubConfig{
		Publisher: refusedForGood{pub},
		Subscriber: func(string, string) (message.Subscriber, error) {
			return wsqs.NewSubscriber(o.sqsSubscriberConfig(awsCfg), o.Logger)
		},
		DeadLetterTopic: deadLetterName,
		Capabilities:    cqrs.Capabilities{ConsumerGroups: true, Ordered: true},
		MaxMessageBytes: watermillAWSMaxBytes,
		Logger:          o.Logger,
	})
}

// watermillAWSEvents is the SNS half: a queue per subscribing service, and
// no order (no FIFO topics).
func watermillAWSEvents(awsCfg aws.Config, o watermillAWSOptions) (*cqrs.PubSubTransport, error) {
	topics := &createTopicResolver{client: sns.NewFromConfig(awsCfg)}
	pub, err := wsns.NewPublisher(wsns.PublisherConfig{AWSConfig: awsCfg, TopicResolver: topics}, o.Logger)
	if err != nil {
		return nil, err
	}
	subscriber := func(topic, group string) (message.Subscriber, error) {
		if err := subscribeDeadLetterQueue(awsCfg, o, topics, topic); err != nil {
			return nil, err
		}
		queueName := func(_ context.Context, arn wsns.TopicArn) (string, error) {
			name, err := wsns.ExtractTopicNameFromTopicArn(arn)
			return string(name) + "-" + group, err
		}
		cfg := wsns.SubscriberConfig{AWSConfig: awsCfg, TopicResolver: topics, GenerateSqsQueueName: queueName}
		return wsns.NewSubscriber(cfg, o.sqsSubscriberConfig(awsCfg), o.Logger)
	}
	return cqrs.NewPubSubTransport(cqrs.PubSubConfig{
		Publisher:       refusedForGood{pub},
		Subscriber:      subscriber,
		DeadLetterTopic: deadLetterName,
		Capabilities:    cqrs.Capabilities{ConsumerGroups: true},
		MaxMessageBytes: watermillAWSMaxBytes,
		Logger:          o.Logger,
	})
}

// subscribeDeadLetterQueue subscribes a queue named like the dead-letter topic to it, so the dead
// letters the SNS publisher sends can be read.
func subscribeDeadLetterQueue(awsCfg aws.Config, o watermillAWSOptions, topics wsns.TopicResolver, topic string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dlq := deadLetterName(topic)
	cfg := wsns.SubscriberConfig{AWSConfig: awsCfg, TopicResolver: topics, GenerateSqsQueueName: wsns.GenerateSqsQueueNameEqualToTopicName}
	sub, err := wsns.NewSubscriber(cfg, o.sqsSubscriberConfig(awsCfg), o.Logger)
	if err != nil {
		return err
	}
	defer sub.Close()
	return sub.SubscribeInitializeWithContext(ctx, dlq)
}

// createTopicResolver resolves a topic name to its ARN by creating the
// topic (CreateTopic is idempotent and returns the ARN), once per name, so
// no account id is needed and a topic exists before it is subscribed to.
type createTopicResolver struct {
	client *sns.Client
	arns   sync.Map // topic name → wsns.TopicArn
}

func (r *createTopicResolver) ResolveTopic(ctx context.Context, topic string) (wsns.TopicArn, error) {
	if arn, ok := r.arns.Load(topic); ok {
		return arn.(wsns.TopicArn), nil
	}
	out, err := r.client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(topic)})
	if err != nil {
		return "", fmt.Errorf("create topic %s: %w", topic, err)
	}
	arn := wsns.TopicArn(aws.ToString(out.TopicArn))
	r.arns.Store(topic, arn)
	return arn, nil
}

// deadLetterName names the dead-letter queue or topic of a destination.
func deadLetterName(destination string) string {
	if base, ok := strings.CutSuffix(destination, ".fifo"); ok {
		return base + "-dlq.fifo"
	}
	return destination + "-dlq"
}

func (o watermillAWSOptions) sqsSubscriberConfig(awsCfg aws.Config) wsqs.SubscriberConfig {
	return wsqs.SubscriberConfig{
		AWSConfig:                awsCfg,
		ConsumeWorkers:           o.ConsumeWorkers,
		GenerateCreateQueueInput: o.createQueueInput,
		GenerateReceiveMessageInput: func(ctx context.Context, url wsqs.QueueURL) (*awssqs.ReceiveMessageInput, error) {
			in, err := wsqs.GenerateReceiveMessageInputDefault(ctx, url)
			if err == nil && o.MaxMessages > 0 {
				in.MaxNumberOfMessages = o.MaxMessages
			}
			if err == nil && o.WaitTimeSeconds > 0 {
				in.WaitTimeSeconds = o.WaitTimeSeconds
			}
			return in, err
		},
	}
}

// createQueueInput makes a queue whose name ends in ".fifo" a FIFO queue
// and applies the visibility timeout.
func (o watermillAWSOptions) createQueueInput(ctx context.Context, name wsqs.QueueName, attrs wsqs.QueueConfigAttributes) (*awssqs.CreateQueueInput, error) {
	if strings.HasSuffix(string(name), ".fifo") {
		attrs.FifoQueue = true
	}
	if o.VisibilityTimeout > 0 {
		attrs.VisibilityTimeout = strconv.Itoa(int(o.VisibilityTimeout.Seconds()))
	}
	return wsqs.GenerateCreateQueueInputDefault(ctx, name, attrs)
}

// fifoSendMessageInput gives a message sent to a FIFO queue its entity id
// as message group and its message id as deduplication id.
func fifoSendMessageInput(ctx context.Context, url wsqs.QueueURL, m *types.Message) (*awssqs.SendMessageInput, error) {
	in, err := wsqs.GenerateSendMessageInputDefault(ctx, url, m)
	if err != nil || !strings.HasSuffix(string(url), ".fifo") {
		return in, err
	}
	attr := func(key string) string { return aws.ToString(m.MessageAttributes[key].StringValue) }
	group := attr(sourceflow.MetaEntityID)
	if group == "" {
		group = "default"
	}
	dedup := attr(sourceflow.MetaMessageID)
	if dedup == "" {
		dedup = attr(wsqs.UUIDAttribute)
	}
	in.MessageGroupId, in.MessageDeduplicationId = aws.String(group), aws.String(dedup)
	return in, nil
}

// watermillAWSMaxBytes is the largest message SNS accepts, and SQS in a
// queue watermill-aws creates (its MaximumMessageSize is left at 256 KiB).
const watermillAWSMaxBytes = 256 << 10

// refusedForGood marks permanent (sourceflow.Permanent) the refusal of a
// message that SNS or SQS will never accept, too long: SNS answers
// "InvalidParameter: ... Message too long", SQS "InvalidParameterValue:
// ... Message must be shorter than 262144 bytes". watermill-aws returns
// every error unmarked, which the outbox retries for ever; the size check
// of cqrs.PubSubConfig.MaxMessageBytes catches all but the few messages
// within the bytes watermill-aws adds (each attribute's data type, the
// UUID attribute).
type refusedForGood struct{ message.Publisher }

func (p refusedForGood) Publish(topic string, msgs ...*message.Message) error {
	err := p.Publisher.Publish(topic, msgs...)
	var api smithy.APIError
	if errors.As(err, &api) && strings.HasPrefix(api.ErrorCode(), "InvalidParameter") &&
		(strings.Contains(api.ErrorMessage(), "too long") || strings.Contains(api.ErrorMessage(), "must be shorter")) {
		return sourceflow.Permanent(err)
	}
	return err
}
