//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

type queueOptions struct {
	maxReceives int // 0: no redrive policy
	visibility  int // seconds
}

// createQueueWithDLQ creates name and name-dlq (".fifo" kept) with the raw
// SDK; the account id comes from the queue ARN, never from a constant.
func createQueueWithDLQ(t testing.TB, client *sqs.Client, name string, o queueOptions) topology.Endpoint {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fifo := strings.HasSuffix(name, ".fifo")
	attrs := func() map[string]string {
		a := map[string]string{"VisibilityTimeout": fmt.Sprint(o.visibility)}
		if fifo {
			a["FifoQueue"] = "true"
		}
		return a
	}
	dlqName := strings.TrimSuffix(name, ".fifo") + "-dlq"
	if fifo {
		dlqName += ".fifo"
	}
	dlq, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(dlqName), Attributes: attrs()})
	require.NoError(t, err)
	a := attrs()
	if o.maxReceives > 0 {
		arn, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl,
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
		require.NoError(t, err)
		a["RedrivePolicy"] = fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, arn.Attributes["QueueArn"], o.maxReceives)
	}
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: a})
	require.NoError(t, err)
	return topology.Endpoint{Name: name, Kind: sourceflow.KindCommand, QueueURL: *q.QueueUrl, DLQURL: *dlq.QueueUrl, FIFO: fifo}
}

type flow struct {
	client *sqs.Client
	ep     topology.Endpoint
	pub    *awsbus.Publisher
	sub    *awsbus.Subscriber
}

func newFlow(t *testing.T, name string, o queueOptions, cfg awsbus.SubscriberConfig) *flow {
	t.Helper()
	client := sqs.NewFromConfig(awsConfig(t))
	ep := createQueueWithDLQ(t, client, name, o)
	resolve := func(string) (topology.Endpoint, error) { return ep, nil }
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: client, Resolve: resolve})
	require.NoError(t, err)
	cfg.SQS, cfg.Resolve = client, resolve
	if cfg.WaitTime == 0 {
		cfg.WaitTime = 2 * time.Second
	}
	sub, err := awsbus.NewSubscriber(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	return &flow{client: client, ep: ep, pub: pub, sub: sub}
}

func flowCommand(id, entity string) *message.Message {
	msg := message.NewMessage("uuid-"+id, []byte(`{"id":"`+id+`"}`))
	msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	msg.Metadata.Set(sourceflow.MetaMessageID, id)
	msg.Metadata.Set(sourceflow.MetaEntityID, entity)
	return msg
}

// drainDLQ receives from the dead-letter queue until want distinct
// messages arrived and returns one copy of each: the transport dead-letters
// at least once, so a copy may arrive twice. Messages are told apart by
// body, type and envelope.
func drainDLQ(t *testing.T, f *flow, want int, within time.Duration) []types.Message {
	t.Helper()
	seen := map[string]bool{}
	var got []types.Message
	deadline := time.Now().Add(within)
	for len(got) < want && time.Now().Before(deadline) {
		out, err := f.client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(f.ep.DLQURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageAttributeNames: []string{"All"},
		})
		require.NoError(t, err)
		for _, m := range out.Messages {
			attr := func(k string) string { return aws.ToString(m.MessageAttributes[k].StringValue) }
			id := aws.ToString(m.Body) + "\x00" + attr(sourceflow.MetaType) + "\x00" + attr(sourceflow.MetaEnvelope)
			if !seen[id] {
				seen[id] = true
				got = append(got, m)
			}
		}
	}
	require.Len(t, got, want, "distinct messages in the dead-letter queue")
	return got
}

func TestAWSBusFIFOOrderPerGroupWithParallelGroups(t *testing.T) {
	const groups, perGroup = 10, 20
	f := newFlow(t, uniqueName("flow-order", ".fifo"), queueOptions{maxReceives: 5, visibility: 30},
		awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{MaxConcurrentCalls: 10}})
	var msgs []*message.Message
	for i := range perGroup {
		for g := range groups {
			msgs = append(msgs, flowCommand(fmt.Sprintf("g%d-%03d", g, i), fmt.Sprintf("g%d", g)))
		}
	}
	require.NoError(t, f.pub.Publish(f.ep.Name, msgs...))
	ch, err := f.sub.Subscribe(context.Background(), f.ep.Name)
	require.NoError(t, err)

	var mu sync.Mutex
	seen := map[string][]string{}
	active := map[string]int{}
	peak, overlap := 0, false
	var wg sync.WaitGroup
	timeout := time.After(2 * time.Minute)
	for range groups * perGroup {
		var m *message.Message
		select {
		case m = <-ch:
		case <-timeout:
			t.Fatalf("received %d of %d", len(seen), groups*perGroup)
		}
		g := m.Metadata.Get(sourceflow.MetaEntityID)
		mu.Lock()
		seen[g] = append(seen[g], m.Metadata.Get(sourceflow.MetaMessageID))
		active[g]++
		overlap = overlap || active[g] > 1
		peak = max(peak, len(active))
		mu.Unlock()
		wg.Go(func() {
			time.Sleep(30 * time.Millisecond)
			mu.Lock()
			if active[g]--; active[g] == 0 {
				delete(active, g)
			}
			mu.Unlock()
			m.Ack()
		})
	}
	wg.Wait()
	assert.False(t, overlap, "one message per group at a time")
	// How many groups overlap depends on how loaded the machine is (4 or
	// more on an idle one); that groups are handled in parallel at all is
	// the property.
	t.Logf("peak of %d groups handled at once", peak)
	assert.GreaterOrEqual(t, peak, 2, "groups are handled in parallel")
	for g := range groups {
		want := make([]string, perGroup)
		for i := range want {
			want[i] = fmt.Sprintf("g%d-%03d", g, i)
		}
		assert.Equal(t, want, seen[fmt.Sprintf("g%d", g)], "group g%d in order", g)
	}
}

func TestAWSBusFailingHandlerReachesDLQAfterMaxReceiveCount(t *testing.T) {
	const maxReceives = 3
	f := newFlow(t, uniqueName("flow-redrive", ""), queueOptions{maxReceives: maxReceives, visibility: 2},
		awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{VisibilityTimeout: 2 * time.Second, NackBackoff: -1}})
	// The failing message is sent without an envelope, so each copy SQS
	// holds is told apart by its SQS MessageId (the message's UUID): a send
	// the SDK retried may land twice, and each copy has its own receives.
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	_, err := f.client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(f.ep.QueueURL),
		MessageBody: aws.String(`{"id":"bad"}`), MessageAttributes: map[string]types.MessageAttributeValue{
			sourceflow.MetaType: str("orders.CreateOrder"), sourceflow.MetaMessageID: str("bad")}})
	require.NoError(t, err)
	var good []*message.Message
	for i := range 5 {
		good = append(good, flowCommand(fmt.Sprint("good-", i), "e"))
	}
	require.NoError(t, f.pub.Publish(f.ep.Name, good...))
	ch, err := f.sub.Subscribe(context.Background(), f.ep.Name)
	require.NoError(t, err)

	var mu sync.Mutex
	attempts := map[string]int{}  // by sf_id
	badCopies := map[string]int{} // hand-overs of each SQS copy of "bad"
	go func() {
		for m := range ch {
			id := m.Metadata.Get(sourceflow.MetaMessageID)
			mu.Lock()
			attempts[id]++
			if id == "bad" {
				badCopies[m.UUID]++
			}
			mu.Unlock()
			if id == "bad" {
				m.Nack()
			} else {
				m.Ack()
			}
		}
	}()
	dead := drainDLQ(t, f, 1, 90*time.Second)
	assert.Equal(t, `{"id":"bad"}`, aws.ToString(dead[0].Body))
	require.NoError(t, f.sub.Close())
	mu.Lock()
	defer mu.Unlock()
	// SQS counts receives, not hand-overs, and LocalStack's count is
	// approximate: each copy is handled at least once and never more than
	// maxReceiveCount times before it is dead-lettered.
	assert.GreaterOrEqual(t, attempts["bad"], 1, "handled before it is dead-lettered")
	for uuid, n := range badCopies {
		assert.LessOrEqual(t, n, maxReceives, "copy %s not handled more than maxReceiveCount times", uuid)
	}
	for i := range 5 {
		assert.GreaterOrEqual(t, attempts[fmt.Sprint("good-", i)], 1)
	}
}

func TestAWSBusMalformedMessagesAreDeadLettered(t *testing.T) {
	f := newFlow(t, uniqueName("flow-malformed", ""), queueOptions{maxReceives: 5, visibility: 10},
		awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{NackBackoff: -1}})
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	ctx := context.Background()
	for _, attrs := range []map[string]types.MessageAttributeValue{
		{sourceflow.MetaEnvelope: str(`{"uuid":"no-type","sf_id":"no-type"}`)}, // missing sf_type
		{sourceflow.MetaType: str("orders.CreateOrder"), sourceflow.MetaEnvelope: str("{garbled")},
	} {
		_, err := f.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(f.ep.QueueURL),
			MessageBody: aws.String("not json"), MessageAttributes: attrs})
		require.NoError(t, err)
	}
	require.NoError(t, f.pub.Publish(f.ep.Name, flowCommand("after", "e")))
	ch, err := f.sub.Subscribe(ctx, f.ep.Name)
	require.NoError(t, err)

	delivered := make(chan string, 10)
	go func() {
		for m := range ch {
			// The model's role: a message without a type fails permanently.
			if m.Metadata.Get(sourceflow.MetaType) == "" {
				m.Metadata.Set(sourceflow.MetaFailure, "cqrs: message has no sf_type")
				m.Nack()
				continue
			}
			delivered <- m.Metadata.Get(sourceflow.MetaMessageID)
			m.Ack()
		}
	}()
	select {
	case id := <-delivered:
		assert.Equal(t, "after", id)
	case <-time.After(30 * time.Second):
		t.Fatal("the good message after the malformed ones was not delivered")
	}
	dead := drainDLQ(t, f, 2, 30*time.Second)
	reasons := []string{}
	for _, d := range dead {
		reasons = append(reasons, aws.ToString(d.MessageAttributes[sourceflow.MetaFailure].StringValue))
	}
	assert.Contains(t, reasons, "cqrs: message has no sf_type")
	assert.Condition(t, func() bool {
		for _, r := range reasons {
			if strings.Contains(r, "malformed") {
				return true
			}
		}
		return false
	}, "the garbled envelope is dead-lettered with its reason: %v", reasons)
}
