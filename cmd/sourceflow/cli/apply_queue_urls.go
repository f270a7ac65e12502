package cli

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// queueURLs is the SQS client of one apply: apply compares, then creates,
// and each pass looks every queue up by name. queueURLs asks SQS once per
// queue and answers the changes' lookups from what SQS said to the
// comparison, or from the URL CreateQueue returned, so a queue made in
// between is found. A queue's URL follows from its name, its account and
// its region, so a URL kept is the queue's for as long as it lives; the
// answers are kept by all three (queueKey), since a queue of another
// account or region, named by ARN, may share its name with one of the
// service's own. A queue found missing is created on the strength of that answer:
// CreateQueue returns the queue another service made meanwhile, or refuses
// it when its attributes differ, and a refused CreateQueue forgets the
// queue, so the lookup that follows asks SQS. Only an error saying the
// queue does not exist (topology.IsQueueMissing, in either spelling) is
// kept; any other failure is not.
// apply forgets every answer before it compares again after the changes,
// so that comparison reports what SQS holds then: a queue another service
// deleted or made meanwhile shows.
type queueURLs struct {
	topology.SQSAPI
	mu    sync.Mutex
	known map[queueKey]queueLookup
}

// queueKey names a queue: its name, the owner account a lookup names
// (QueueOwnerAWSAccountId, empty for the client's) and the region a call
// option sends it to (empty for the client's).
type queueKey struct{ name, owner, region string }

// keyOf returns the key of the queue name of owner that a call with opts
// reaches.
func keyOf(name, owner string, opts []func(*sqs.Options)) queueKey {
	var o sqs.Options
	for _, f := range opts {
		f(&o)
	}
	return queueKey{name: name, owner: owner, region: o.Region}
}

// queueLookup is SQS's answer about a queue: its URL, or the error saying
// it does not exist.
type queueLookup struct {
	out *sqs.GetQueueUrlOutput
	err error
}

// lookUpQueuesOnce gives the session's Provisioner a queueURLs over its
// SQS client, for the passes of one apply, and returns it.
func (s *session) lookUpQueuesOnce() (*queueURLs, error) {
	c := s.clients
	urls := &queueURLs{SQSAPI: c.SQS, known: map[queueKey]queueLookup{}}
	c.SQS = urls
	prov, err := newProvisioner(c)
	if err != nil {
		return nil, err
	}
	s.prov = prov
	return urls, nil
}

// forget drops every answer kept: the lookups after it ask SQS.
func (q *queueURLs) forget() {
	q.mu.Lock()
	defer q.mu.Unlock()
	clear(q.known)
}

// GetQueueUrl answers from an earlier answer about the queue, else asks
// SQS.
func (q *queueURLs) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	key := keyOf(aws.ToString(in.QueueName), aws.ToString(in.QueueOwnerAWSAccountId), opts)
	q.mu.Lock()
	l, ok := q.known[key]
	q.mu.Unlock()
	if ok && l.err != nil {
		return nil, l.err
	}
	if ok {
		return &sqs.GetQueueUrlOutput{QueueUrl: l.out.QueueUrl}, nil
	}
	out, err := q.SQSAPI.GetQueueUrl(ctx, in, opts...)
	if err == nil || topology.IsQueueMissing(err) {
		q.remember(key, queueLookup{out: out, err: err})
	}
	return out, err
}

// CreateQueue creates the queue and keeps its URL; a refusal forgets what
// was known about the queue.
func (q *queueURLs) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	out, err := q.SQSAPI.CreateQueue(ctx, in, opts...)
	key := keyOf(aws.ToString(in.QueueName), "", opts)
	if err != nil {
		q.mu.Lock()
		delete(q.known, key)
		q.mu.Unlock()
		return out, err
	}
	q.remember(key, queueLookup{out: &sqs.GetQueueUrlOutput{QueueUrl: out.QueueUrl}})
	return out, nil
}

func (q *queueURLs) remember(key queueKey, l queueLookup) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.known[key] = l
}
