//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// poison is a message written straight to a command queue in SourceFlow's
// wire format (body, sf_type attribute, omitted when typ is empty, packed
// sf_env attribute, omitted when env is empty) that the model can never
// handle.
type poison struct {
	name, typ, env, body string
	reason               string // expected in the sf_failure attribute
}

var poisons = []poison{
	{name: "unknown type", typ: "model.Unknown", env: `{"sf_id":"bad-unknown","sf_entity":"order-1","uuid":"bad-unknown"}`,
		body: `{"amount":1}`, reason: cqrs.ErrUnknownType.Error()},
	{name: "body not JSON", typ: "model.PayOrder", env: `{"sf_id":"bad-body","sf_entity":"order-1","uuid":"bad-body"}`,
		body: `not json`, reason: cqrs.ErrDecode.Error()},
	// Without sf_env the message id falls back to the SQS MessageId; a
	// command without an entity id is refused.
	{name: "no envelope", typ: "model.PayOrder", body: `{"amount":3}`, reason: cqrs.ErrEmptyEntityID.Error()},
	{name: "sequence not a number", typ: "model.PayOrder", env: `{"sf_id":"bad-seq","sf_entity":"order-1","sf_seq":"x"}`,
		body: `{"amount":4}`, reason: cqrs.ErrEnvelope.Error()},
	{name: "envelope not JSON", typ: "model.PayOrder", env: `{not json`,
		body: `{"amount":2}`, reason: awsbus.ErrMalformedMessage.Error()},
	{name: "no type attribute", env: `{"sf_id":"bad-notype","sf_entity":"order-1","uuid":"bad-notype"}`,
		body: `{"amount":6}`, reason: fmt.Sprintf("%s: missing %s", cqrs.ErrEnvelope, sourceflow.MetaType)},
}

// TestModelMalformedCommandsAreDeadLetteredOthersFlow sends poison messages
// to a listened command queue with the raw SDK, then a good command for the
// same entity (the same FIFO group): each poison ends in the queue's DLQ
// with its reason in sf_failure, no handler runs for it, and the good
// command is handled.
func TestModelMalformedCommandsAreDeadLetteredOthersFlow(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	for _, tc := range []struct{ name, suffix string }{{"standard", ""}, {"fifo", ".fifo"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testPoison(t, tc.suffix)
		})
	}
}

func testPoison(t *testing.T, suffix string) {
	queue := uniqueName("m-poison", suffix)
	runs := &ledger{}
	svc, tr := modelService(t, awsbus.Config{MaxReceiveCount: 3},
		cqrs.ServiceConfig{Name: "poison-worker", Version: poisonVersion, Listen: []string{queue}})
	require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", queue))
	saga := cqrs.NewSaga[Payment](svc, "payment")
	require.NoError(t, cqrs.Handle(saga, func(_ context.Context, s *Payment, c PayOrder, env cqrs.Envelope) ([]any, error) {
		runs.add(svc.Name(), hPay, env)
		s.Amount += c.Amount
		s.Commands++
		return nil, nil
	}))
	startModel(t, svc)
	ep := tr.Endpoints()[queue]
	require.NotEmpty(t, ep.QueueURL)
	require.NotEmpty(t, ep.DLQURL)

	client := sqs.NewFromConfig(awsConfig(t))
	ctx := context.Background()
	for i, p := range poisons {
		in := &sqs.SendMessageInput{QueueUrl: aws.String(ep.QueueURL), MessageBody: aws.String(p.body),
			MessageAttributes: map[string]types.MessageAttributeValue{}}
		if p.typ != "" {
			in.MessageAttributes[sourceflow.MetaType] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(p.typ)}
		}
		if p.env != "" {
			in.MessageAttributes[sourceflow.MetaEnvelope] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(p.env)}
		}
		if ep.FIFO {
			in.MessageGroupId, in.MessageDeduplicationId = aws.String("order-1"), aws.String(uniqueName("poison", "")+string(rune('a'+i)))
		}
		_, err := client.SendMessage(ctx, in)
		require.NoError(t, err, p.name)
	}
	good, err := cqrs.NewAggregate(svc, "payment").Send(ctx, "order-1", PayOrder{Amount: 5})
	require.NoError(t, err)

	dead := receiveUntil(t, client, ep.DLQURL, 60*time.Second, func(got []types.Message) string {
		var missing []string
		for _, p := range poisons {
			if _, ok := findDead(got, p); !ok {
				missing = append(missing, p.name)
			}
		}
		return strings.Join(missing, ", ")
	})
	checkDead(t, dead)

	require.Eventually(t, func() bool { return len(runs.byHandler(svc.Name(), hPay)) >= 1 }, 30*time.Second, 100*time.Millisecond,
		"the good command is handled")
	waitDeliveriesDone(t, client, ep.QueueURL)
	assert.Equal(t, []string{good.MessageID}, runs.messageIDs(svc.Name(), hPay), "only the good command reaches the saga")
	assert.Equal(t, Payment{Amount: 5, Commands: 1}, storedPayment(t, saga, "order-1"))
	// The transport dead-letters at least once: a late copy of a poison may
	// still arrive. The good command never does.
	checkDead(t, receiveAll(t, client, ep.DLQURL, 0, 2*time.Second))
}

// waitDeliveriesDone waits until every delivery from the queue at url has
// finished: the queue reads empty, with no message visible and none in
// flight, several times in a row, so a late copy of a message that is
// still to be handled, dead-lettered or deleted shows up before.
func waitDeliveriesDone(t *testing.T, client *sqs.Client, url string) {
	t.Helper()
	const inARow = 3
	empty := 0 // readings in a row of an empty queue; the polls run one at a time
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		visible, inFlight, err := queueDepth(context.Background(), client, url)
		require.NoError(c, err)
		if visible+inFlight == 0 {
			empty++
		} else {
			empty = 0
		}
		assert.GreaterOrEqual(c, empty, inARow, "readings in a row with no message visible or in flight")
	}, 60*time.Second, 250*time.Millisecond, "every delivery from %s finishes", url)
}

// poisonVersion is the version of the service the poisons fail in.
const poisonVersion = "v1.4.2-poison"

// checkDead checks that every dead letter, copies included, is a poison
// carrying its reason in sf_failure and, when its handler failed (not
// awsbus, refusing an envelope it cannot read), which host and which
// version of the service failed it.
func checkDead(t *testing.T, dead []types.Message) {
	t.Helper()
	host, err := os.Hostname()
	require.NoError(t, err)
	for _, m := range dead {
		p, ok := poisonOf(m)
		if !assert.True(t, ok, "only poisons reach the dead-letter queue, got body %q", aws.ToString(m.Body)) {
			continue
		}
		failure, has := m.MessageAttributes[sourceflow.MetaFailure]
		if assert.True(t, has, "%s carries %s", p.name, sourceflow.MetaFailure) {
			assert.Contains(t, aws.ToString(failure.StringValue), p.reason, p.name)
			t.Logf("%s: %s=%q", p.name, sourceflow.MetaFailure, aws.ToString(failure.StringValue))
		}
		if p.reason == awsbus.ErrMalformedMessage.Error() {
			assert.NotContains(t, m.MessageAttributes, sourceflow.MetaFailedHost, "%s: no handler ran", p.name)
			continue
		}
		assert.Equal(t, host, aws.ToString(m.MessageAttributes[sourceflow.MetaFailedHost].StringValue), p.name)
		assert.Equal(t, poisonVersion, aws.ToString(m.MessageAttributes[sourceflow.MetaFailedVersion].StringValue), p.name)
	}
}

// poisonOf returns the poison m is a dead letter of.
func poisonOf(m types.Message) (poison, bool) {
	for _, p := range poisons {
		if _, ok := findDead([]types.Message{m}, p); ok {
			return p, true
		}
	}
	return poison{}, false
}

// findDead returns the dead letter with p's type and body.
func findDead(dead []types.Message, p poison) (types.Message, bool) {
	for _, m := range dead {
		typ := m.MessageAttributes[sourceflow.MetaType]
		if aws.ToString(m.Body) == p.body && aws.ToString(typ.StringValue) == p.typ {
			return m, true
		}
	}
	return types.Message{}, false
}

// receiveUntil receives and deletes the messages of url until missing
// says nothing is missing from what arrived (copies included), and fails
// the test, naming what is missing, when within runs out first.
func receiveUntil(t *testing.T, client *sqs.Client, url string, within time.Duration, missing func([]types.Message) string) []types.Message {
	t.Helper()
	var got []types.Message
	deadline := time.Now().Add(within)
	for m := missing(got); m != ""; m = missing(got) {
		require.True(t, time.Now().Before(deadline), "%s: after %v, %d messages, missing %s", url, within, len(got), m)
		got = append(got, receiveAll(t, client, url, 0, time.Second)...)
	}
	return got
}

// receiveAll receives (and deletes) from a queue until want messages arrived
// or within passed; with want 0 it returns what arrives within.
func receiveAll(t *testing.T, client *sqs.Client, url string, want int, within time.Duration) []types.Message {
	t.Helper()
	var got []types.Message
	deadline := time.Now().Add(within)
	for (want == 0 || len(got) < want) && time.Now().Before(deadline) {
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageAttributeNames: []string{"All"},
		})
		require.NoError(t, err)
		for _, m := range out.Messages {
			_, err := client.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
		got = append(got, out.Messages...)
	}
	if want > 0 {
		require.Len(t, got, want, "messages in %s", url)
	}
	return got
}
