package awsbustest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// ReceiveMessage returns up to MaxNumberOfMessages visible messages, waiting
// up to WaitTimeSeconds (or the queue's ReceiveMessageWaitTimeSeconds) for
// one to arrive. Messages that have been received maxReceiveCount times move
// to the dead-letter queue of the queue's RedrivePolicy instead. A call
// whose context ends during the wait returns the context's error (see
// SQSConfig.KeepCanceledPolls for what becomes of its poll).
func (s *SQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	if err := s.begin("ReceiveMessage"); err != nil {
		return nil, err
	}
	max := int(in.MaxNumberOfMessages)
	if max == 0 {
		max = 1
	}
	if max < 1 || max > maxBatchEntries || in.WaitTimeSeconds < 0 || in.WaitTimeSeconds > 20 {
		return nil, apiError("InvalidParameterValue", "MaxNumberOfMessages must be 1-10 and WaitTimeSeconds 0-20.")
	}
	return s.poll(ctx, in, max, time.Time{})
}

// poll receives until messages come or the long poll's deadline (zero: not
// yet set) passes. When ctx ends first it returns ctx's error; with
// KeepCanceledPolls the poll goes on without its caller until that
// deadline.
func (s *SQS) poll(ctx context.Context, in *sqs.ReceiveMessageInput, max int, deadline time.Time) (*sqs.ReceiveMessageOutput, error) {
	for {
		s.mu.Lock()
		q, err := s.queueByURL(in.QueueUrl)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		now := time.Now()
		if deadline.IsZero() {
			wait := int(in.WaitTimeSeconds)
			if wait == 0 {
				wait = q.intAttr("ReceiveMessageWaitTimeSeconds", 0)
			}
			deadline = now.Add(time.Duration(wait) * time.Second)
		}
		msgs := s.receiveLocked(q, in, max, now)
		next, changed := q.nextWake(now), s.changed
		s.mu.Unlock()
		if len(msgs) > 0 || !now.Before(deadline) {
			return &sqs.ReceiveMessageOutput{Messages: msgs}, nil
		}
		if err := waitChange(ctx, changed, now, next, deadline); err != nil {
			if s.cfg.KeepCanceledPolls {
				go func() { _, _ = s.poll(context.WithoutCancel(ctx), in, max, deadline) }()
			}
			return nil, err
		}
	}
}

// waitChange blocks until the queue changes, the next message becomes
// visible, the deadline passes or ctx ends.
func waitChange(ctx context.Context, changed <-chan struct{}, now, next, deadline time.Time) error {
	wake := deadline
	if !next.IsZero() && next.Before(wake) {
		wake = next
	}
	t := time.NewTimer(wake.Sub(now))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("operation error SQS: ReceiveMessage, %w", ctx.Err())
	case <-changed:
	case <-t.C:
	}
	return nil
}

// receiveLocked picks the messages to hand out and marks them in flight.
func (s *SQS) receiveLocked(q *queue, in *sqs.ReceiveMessageInput, max int, now time.Time) []types.Message {
	vis := time.Duration(q.intAttr("VisibilityTimeout", 30)) * time.Second
	if in.VisibilityTimeout > 0 {
		vis = time.Duration(in.VisibilityTimeout) * time.Second
	}
	dlqARN, maxReceives, redrive := q.redrive()
	blocked := q.blockedGroups(now)
	var out []types.Message
	for _, m := range q.msgs {
		if len(out) >= max {
			break
		}
		if m.deleted || (q.fifo && blocked[m.group]) {
			continue
		}
		if m.visibleAt.After(now) {
			if q.fifo {
				blocked[m.group] = true // keep the group's order
			}
			continue
		}
		if redrive && m.receives >= maxReceives && s.moveLocked(m, dlqARN, now) {
			continue
		}
		m.receives++
		if m.receives == 1 {
			m.firstRecv = now
		}
		m.lastRecv = now
		m.visibleAt = now.Add(vis)
		m.receipt = fmt.Sprintf("rh-%s-%d", m.id, s.nextSeq())
		s.receipts[m.receipt] = receiptRef{q: q, m: m}
		out = append(out, s.toMessage(q, m, in))
	}
	q.compact()
	return out
}

// moveLocked moves m to the dead-letter queue dlqARN. It reports false, and
// leaves m in place, when that queue does not exist.
func (s *SQS) moveLocked(m *stored, dlqARN string, now time.Time) bool {
	dlq, ok := s.byARN[dlqARN]
	if !ok {
		return false
	}
	moved := *m
	moved.receives, moved.receipt, moved.visibleAt, moved.seq = 0, "", now, s.nextSeq()
	moved.attrs = copyAttrs(m.attrs)
	dlq.msgs = append(dlq.msgs, &moved)
	m.deleted = true
	return true
}

// toMessage renders m with the requested system and message attributes.
func (s *SQS) toMessage(q *queue, m *stored, in *sqs.ReceiveMessageInput) types.Message {
	//lint:ignore SA1019 the fake answers clients that still name system attributes the old way, as SQS does
	legacy := in.AttributeNames
	names := make([]string, 0, len(legacy)+len(in.MessageSystemAttributeNames))
	for _, n := range legacy {
		names = append(names, string(n))
	}
	for _, n := range in.MessageSystemAttributeNames {
		names = append(names, string(n))
	}
	sys := map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.receives),
		"SentTimestamp":                    strconv.FormatInt(m.sentAt.UnixMilli(), 10),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstRecv.UnixMilli(), 10),
		"SenderId":                         "AIDAFAKESENDER" + s.cfg.AccountID,
	}
	if m.group != "" {
		sys["MessageGroupId"] = m.group
	}
	if q.fifo {
		sys["MessageDeduplicationId"] = m.dedupID
		sys["SequenceNumber"] = fmt.Sprintf("%020d", m.seq)
	}
	attrs := map[string]string{}
	for k, v := range sys {
		if slices.Contains(names, "All") || slices.Contains(names, k) {
			attrs[k] = v
		}
	}
	return types.Message{
		MessageId: aws.String(m.id), ReceiptHandle: aws.String(m.receipt),
		Body: aws.String(m.body), MD5OfBody: aws.String(md5Hex(m.body)),
		Attributes: attrs, MessageAttributes: selectAttrs(m.attrs, in.MessageAttributeNames),
	}
}

// selectAttrs returns the message attributes matching names ("All", ".*",
// "prefix.*" or exact names).
func selectAttrs(attrs map[string]types.MessageAttributeValue, names []string) map[string]types.MessageAttributeValue {
	out := map[string]types.MessageAttributeValue{}
	for k, v := range attrs {
		for _, n := range names {
			prefix, wildcard := strings.CutSuffix(n, ".*")
			if n == "All" || n == ".*" || n == k || (wildcard && strings.HasPrefix(k, prefix+".")) {
				out[k] = v
				break
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
