package awsbustest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSConfig configures the SQS fake.
type SQSConfig struct {
	// AccountID is used in queue URLs and ARNs. Default "210987654321",
	// an id no emulator uses.
	AccountID string
	// Region is used in queue URLs and ARNs. Default "us-east-1".
	Region string
	// NewQueueDelay keeps a new queue out of sight for this long after
	// CreateQueue, as AWS may right after creating one: until then every
	// call naming the queue, by URL or by name (GetQueueUrl,
	// GetQueueAttributes, SendMessage, ...), fails with QueueDoesNotExist,
	// while CreateQueue itself returns its URL again. Zero (the default)
	// shows a new queue at once.
	NewQueueDelay time.Duration
	// KeepCanceledPolls makes a ReceiveMessage call whose context ends
	// during its long poll go on without its caller, as SQS does, which
	// does not see a caller leave: until the call's wait ends it takes the
	// messages that arrive, and they stay invisible for their visibility
	// timeout, received by no one. False (the default) ends the poll with
	// its context.
	KeepCanceledPolls bool
}

func (c *SQSConfig) setDefaults() {
	c.AccountID = cmp.Or(c.AccountID, "210987654321")
	c.Region = cmp.Or(c.Region, "us-east-1")
}

// SQS is an in-memory fake of awsbus.SQSAPI. Create it with NewSQS.
type SQS struct {
	Faults

	cfg      SQSConfig
	mu       sync.Mutex
	queues   map[string]*queue // by URL
	byName   map[string]*queue
	byARN    map[string]*queue
	receipts map[string]receiptRef
	changed  chan struct{}
	seq      int64
}

type receiptRef struct {
	q *queue
	m *stored
}

// NewSQS returns an empty SQS fake.
func NewSQS(cfg SQSConfig) *SQS {
	cfg.setDefaults()
	return &SQS{
		cfg:      cfg,
		queues:   map[string]*queue{},
		byName:   map[string]*queue{},
		byARN:    map[string]*queue{},
		receipts: map[string]receiptRef{},
		changed:  make(chan struct{}),
	}
}

// AccountID returns the account id used in ARNs.
func (s *SQS) AccountID() string { return s.cfg.AccountID }

// Region returns the region used in URLs and ARNs.
func (s *SQS) Region() string { return s.cfg.Region }

// notifyLocked wakes every long poll. Callers hold s.mu.
func (s *SQS) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *SQS) nextSeq() int64 {
	s.seq++
	return s.seq
}

// queueByURL returns the queue at url, QueueDoesNotExist when there is
// none or it is still out of sight (SQSConfig.NewQueueDelay). Callers hold
// s.mu.
func (s *SQS) queueByURL(url *string) (*queue, error) {
	q, ok := s.queues[aws.ToString(url)]
	if !ok || s.hidden(q) {
		return nil, &types.QueueDoesNotExist{Message: aws.String("The specified queue does not exist.")}
	}
	return q, nil
}

func validQueueName(name string) bool {
	base := strings.TrimSuffix(name, ".fifo")
	if len(name) > 80 || base == "" {
		return false
	}
	for _, r := range base {
		if !isAlnum(r) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// CreateQueue creates a queue, or returns the existing one when every given
// attribute matches (QueueNameExists otherwise).
func (s *SQS) CreateQueue(_ context.Context, in *sqs.CreateQueueInput, _ ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	if err := s.begin("CreateQueue"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.QueueName)
	if !validQueueName(name) {
		return nil, apiError("InvalidParameterValue", fmt.Sprintf("Queue name '%s' is invalid.", name))
	}
	fifo := strings.HasSuffix(name, ".fifo")
	if fifo != (in.Attributes["FifoQueue"] == "true") {
		return nil, apiError("InvalidParameterValue",
			"The name of a FIFO queue must end with .fifo and the queue must set FifoQueue=true.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.byName[name]; ok {
		for k, v := range in.Attributes {
			if q.attrs[k] != v {
				return nil, &types.QueueNameExists{Message: aws.String("A queue already exists with the same name and a different value for attribute " + k)}
			}
		}
		return &sqs.CreateQueueOutput{QueueUrl: aws.String(q.url)}, nil
	}
	q := &queue{
		name:    name,
		url:     fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", s.cfg.Region, s.cfg.AccountID, name),
		arn:     fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.cfg.Region, s.cfg.AccountID, name),
		fifo:    fifo,
		attrs:   defaultQueueAttrs(fifo),
		tags:    maps.Clone(in.Tags),
		dedup:   map[string]dedupEntry{},
		created: time.Now(),
	}
	if in.Attributes["KmsMasterKeyId"] != "" && in.Attributes["SqsManagedSseEnabled"] == "" {
		q.attrs["SqsManagedSseEnabled"] = "false" // a queue is created with one kind of encryption at rest
	}
	if err := s.setAttrsLocked(q, in.Attributes, true); err != nil {
		return nil, err
	}
	s.queues[q.url], s.byName[name], s.byARN[q.arn] = q, q, q
	return &sqs.CreateQueueOutput{QueueUrl: aws.String(q.url)}, nil
}

func defaultQueueAttrs(fifo bool) map[string]string {
	a := map[string]string{
		"VisibilityTimeout": "30", "MaximumMessageSize": strconv.Itoa(maxMessageBytes),
		"MessageRetentionPeriod": "345600", "DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "0",
		"SqsManagedSseEnabled": "true",
	}
	if fifo {
		a["FifoQueue"] = "true"
		a["ContentBasedDeduplication"] = "false"
		a["DeduplicationScope"] = "queue"
		a["FifoThroughputLimit"] = "perQueue"
	}
	return a
}

// GetQueueUrl returns the URL of a queue by name.
func (s *SQS) GetQueueUrl(_ context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	if err := s.begin("GetQueueUrl"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.byName[aws.ToString(in.QueueName)]
	if !ok || s.hidden(q) {
		return nil, &types.QueueDoesNotExist{Message: aws.String("The specified queue does not exist.")}
	}
	return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(q.url)}, nil
}

// hidden reports whether q was created less than SQSConfig.NewQueueDelay
// ago.
func (s *SQS) hidden(q *queue) bool {
	return time.Since(q.created) < s.cfg.NewQueueDelay
}
