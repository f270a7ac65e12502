package awsbus_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// Every ReceiveMessage call on a FIFO queue carries a ReceiveRequestAttemptId
// of its own; on a standard queue, which has no use for it, none. In the
// synctest bubble the long polls pass at once.
func TestSubscriberReceiveAttemptIDs(t *testing.T) {
	for _, name := range []string{"orders.fifo", "orders"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWire(t, name, 5, awsbus.SubscriberConfig{})
				rec := newRecordingSQS(w.sqs)
				sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: rec, ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Second}},
					func(*topology.Endpoint) {})
				require.NoError(t, w.pub.Publish(name, command("1", "g")))
				ch, err := sub.Subscribe(context.Background(), name)
				require.NoError(t, err)
				next(t, ch).Ack()
				time.Sleep(5 * time.Second) // a few more long polls of a second each
				require.NoError(t, sub.Close())

				ins := rec.receiveInputs()
				require.GreaterOrEqual(t, len(ins), 3)
				seen := map[string]bool{}
				for i, in := range ins {
					if !w.ep.FIFO {
						assert.Nil(t, in.ReceiveRequestAttemptId, "call %d", i)
						continue
					}
					id := aws.ToString(in.ReceiveRequestAttemptId)
					assert.NotEmpty(t, id, "call %d", i)
					assert.LessOrEqual(t, len(id), 128, "SQS takes at most 128 characters")
					assert.False(t, seen[id], "call %d reuses the id of an earlier call", i)
					seen[id] = true
				}
			})
		})
	}
}

// attemptServer answers SQS ReceiveMessage requests, failing the first with
// a server error the SDK retries, and records the ReceiveRequestAttemptId
// of each request.
type attemptServer struct {
	mu  sync.Mutex
	ids []string
}

func (s *attemptServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct{ ReceiveRequestAttemptId string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.ids = append(s.ids, in.ReceiveRequestAttemptId)
	first := len(s.ids) == 1
	s.mu.Unlock()
	if first {
		sqsError(http.StatusInternalServerError, "InternalError", "")(w)
		return
	}
	select { // an empty long poll, cut short
	case <-r.Context().Done():
	case <-time.After(20 * time.Millisecond):
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_, _ = w.Write([]byte(`{}`))
}

func (s *attemptServer) recorded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

// The SDK retries a ReceiveMessage call whose first attempt failed with
// the same ReceiveRequestAttemptId, so SQS can answer the retry with the
// messages of the lost attempt; the next call has a new one.
func TestSubscriberFIFOReceiveKeepsItsAttemptIDAcrossSDKRetries(t *testing.T) {
	srv := &attemptServer{}
	client := sqs.NewFromConfig(awsbus.WithRetries(awsConfig(t, srv)), func(o *sqs.Options) { o.Retryer = fastBackoff(o.Retryer) })
	ep := topology.Endpoint{Name: "orders.fifo", QueueURL: "https://sqs.us-east-1.amazonaws.com/000000000000/orders.fifo", FIFO: true}
	sub, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{
		SQS: client, Resolve: func(string) (topology.Endpoint, error) { return ep, nil },
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	_, err = sub.Subscribe(context.Background(), ep.Name)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(srv.recorded()) >= 3 }, waitFor, tick)
	require.NoError(t, sub.Close())

	ids := srv.recorded()
	require.NotEmpty(t, ids[0])
	assert.Equal(t, ids[0], ids[1], "the SDK's retry sends the id of the failed attempt")
	assert.NotEqual(t, ids[1], ids[2], "the next call has an id of its own")
}
