package awsbustest

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Message is a snapshot of a message held by a queue, for assertions.
type Message struct {
	ID              string
	Body            string
	Attributes      map[string]string // message attributes, string values
	GroupID         string
	DeduplicationID string
	ReceiveCount    int
	InFlight        bool
}

// named returns queue name, or nil. A queue's URL and ARN never change.
func (s *SQS) named(name string) *queue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byName[name]
}

// QueueURL returns the URL of queue name, or "" when it does not exist.
func (s *SQS) QueueURL(name string) string {
	if q := s.named(name); q != nil {
		return q.url
	}
	return ""
}

// QueueARN returns the ARN of queue name, or "" when it does not exist.
func (s *SQS) QueueARN(name string) string {
	if q := s.named(name); q != nil {
		return q.arn
	}
	return ""
}

// Messages returns a snapshot of every message in the queue at url, in send
// order, in flight or not; nil when the queue does not exist.
func (s *SQS) Messages(url string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[url]
	if !ok {
		return nil
	}
	now := time.Now()
	out := make([]Message, 0, len(q.msgs))
	for _, m := range q.msgs {
		if m.deleted {
			continue
		}
		attrs := map[string]string{}
		for k, v := range m.attrs {
			attrs[k] = aws.ToString(v.StringValue)
			if v.BinaryValue != nil {
				attrs[k] = string(v.BinaryValue)
			}
		}
		out = append(out, Message{
			ID: m.id, Body: m.body, Attributes: attrs, GroupID: m.group,
			DeduplicationID: m.dedupID, ReceiveCount: m.receives, InFlight: m.inFlight(now),
		})
	}
	return out
}

// deliver enqueues an SNS delivery on the queue with ARN queueARN. It
// reports false when the queue is missing, its policy refuses the topic
// (enforce) or it rejects the message.
func (s *SQS) deliver(queueARN, topicARN string, enforce bool, r sendRequest) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.byARN[queueARN]
	if !ok || (enforce && !policyAllows(q.attrs["Policy"], topicARN)) {
		return false
	}
	if !q.fifo {
		r.group, r.dedupID = "", ""
	}
	_, _, err := s.enqueueLocked(q, r)
	return err == nil
}
