//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// queueURLs returns the run's queues: the command queues and dead-letter
// queues ("<prefix>...") and the orders service's event queues
// ("orders-<prefix>...", named after service and topic).
func (r *chaosRig) queueURLs(t *testing.T, client *sqs.Client) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var urls []string
	for _, prefix := range []string{r.prefix, "orders-" + r.prefix} {
		list, err := client.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix)})
		require.NoError(t, err)
		urls = append(urls, list.QueueUrls...)
	}
	require.Len(t, urls, 8, "queues of %s: orders, payments and two event queues, each with a dead-letter queue: %v", r.prefix, urls)
	return urls
}

// queueDepths returns the approximate visible plus in-flight messages of
// each of the run's queues, by name.
func (r *chaosRig) queueDepths(t *testing.T, client *sqs.Client) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	depths := map[string]int{}
	for _, u := range r.queueURLs(t, client) {
		visible, inFlight, err := queueDepth(ctx, client, u)
		require.NoError(t, err)
		depths[u[strings.LastIndex(u, "/")+1:]] = visible + inFlight
	}
	return depths
}

// busyQueues returns the queues, dead-letter queues aside, that hold
// messages.
func (r *chaosRig) busyQueues(t *testing.T, client *sqs.Client) map[string]int {
	t.Helper()
	busy := map[string]int{}
	for q, n := range r.queueDepths(t, client) {
		if n > 0 && !strings.Contains(q, "-dlq") {
			busy[q] = n
		}
	}
	return busy
}

// waitSettled waits until nothing is in flight: every queue but the
// dead-letter queues empty, and staying so for two seconds of reads (SNS
// delivers to SQS asynchronously) and every entity's states consistent (see
// settled). It fails the test after three minutes, and returns.
func (r *chaosRig) waitSettled(t *testing.T, client *sqs.Client, states soStates) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var quietSince time.Time // when the queues were first seen empty and the states settled, zero while not
	for range tick.C {
		busy := r.busyQueues(t, client)
		unsettled := 0
		if len(busy) == 0 {
			unsettled = unsettledEntities(t, states, r.prefix, r.size)
		}
		switch {
		case len(busy) > 0 || unsettled > 0:
			quietSince = time.Time{}
		case quietSince.IsZero():
			quietSince = time.Now()
		case time.Since(quietSince) >= 2*time.Second:
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("not settled after 3 minutes: queues holding messages %v, %d entities mid-flow", busy, unsettled)
			return
		}
	}
}

// deadLetters counts the messages in the run's dead-letter queues and logs
// the reason of up to ten of each queue's.
func (r *chaosRig) deadLetters(t *testing.T, client *sqs.Client) int {
	t.Helper()
	n, depths := 0, r.queueDepths(t, client)
	for _, u := range r.queueURLs(t, client) {
		q := u[strings.LastIndex(u, "/")+1:]
		if !strings.Contains(q, "-dlq") {
			continue
		}
		d := depths[q]
		n += d
		if d == 0 {
			continue
		}
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u),
			MaxNumberOfMessages: 10, MessageAttributeNames: []string{sourceflow.MetaFailure}})
		require.NoError(t, err)
		for _, m := range out.Messages {
			reason := "(no reason)"
			if a, ok := m.MessageAttributes[sourceflow.MetaFailure]; ok && a.StringValue != nil {
				reason = *a.StringValue
			}
			t.Logf("dead letter in %s: %s", q, reason)
		}
	}
	return n
}
