package awsbustest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// maxPublishBytes is the SNS message size limit (and PublishBatch total).
const maxPublishBytes = 256 * 1024

// publishRequest is one message to publish.
type publishRequest struct {
	body    string
	attrs   map[string]types.MessageAttributeValue
	group   string
	dedupID string
}

// Publish publishes one message to a topic and delivers it to every matching
// subscription.
func (s *SNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	return withTopic(s, "Publish", in.TopicArn, nil, func(t *topic) (*sns.PublishOutput, error) {
		id, err := s.publishLocked(t, publishRequest{
			body: aws.ToString(in.Message), attrs: in.MessageAttributes,
			group: aws.ToString(in.MessageGroupId), dedupID: aws.ToString(in.MessageDeduplicationId),
		})
		if err != nil {
			return nil, err
		}
		return &sns.PublishOutput{MessageId: aws.String(id)}, nil
	})
}

// PublishBatch publishes up to 10 messages; invalid entries fail alone.
func (s *SNS) PublishBatch(_ context.Context, in *sns.PublishBatchInput, _ ...func(*sns.Options)) (*sns.PublishBatchOutput, error) {
	const op = "PublishBatch"
	return withTopic(s, op, in.TopicArn, checkPublishBatch(in.PublishBatchRequestEntries), func(t *topic) (*sns.PublishBatchOutput, error) {
		entries := in.PublishBatchRequestEntries
		ids := entryIDs(entries, func(e types.PublishBatchRequestEntry) *string { return e.Id })
		ok, failed := runBatch(&s.Faults, op, ids, func(i int) (types.PublishBatchResultEntry, error) {
			e := entries[i]
			id, err := s.publishLocked(t, publishRequest{
				body: aws.ToString(e.Message), attrs: e.MessageAttributes,
				group: aws.ToString(e.MessageGroupId), dedupID: aws.ToString(e.MessageDeduplicationId),
			})
			return types.PublishBatchResultEntry{Id: e.Id, MessageId: aws.String(id)}, err
		}, publishFailure)
		return &sns.PublishBatchOutput{Successful: ok, Failed: failed}, nil
	})
}

// publishFailure is a failed PublishBatch entry.
func publishFailure(id *string, code, msg string, sender bool) types.BatchResultErrorEntry {
	return types.BatchResultErrorEntry{Id: id, Code: aws.String(code), Message: aws.String(msg), SenderFault: sender}
}

func checkPublishBatch(entries []types.PublishBatchRequestEntry) error {
	switch {
	case len(entries) == 0:
		return &types.EmptyBatchRequestException{Message: aws.String("The batch request doesn't contain any entries.")}
	case len(entries) > maxBatchEntries:
		return &types.TooManyEntriesInBatchRequestException{Message: aws.String("The batch request contains more entries than permissible.")}
	}
	seen, total := map[string]bool{}, 0
	for _, e := range entries {
		id := aws.ToString(e.Id)
		if !validEntryID(id) {
			return &types.InvalidBatchEntryIdException{Message: aws.String("The Id of a batch entry in a batch request doesn't abide by the specification.")}
		}
		if seen[id] {
			return &types.BatchEntryIdsNotDistinctException{Message: aws.String("Two or more batch entries in the request have the same Id.")}
		}
		seen[id] = true
		total += len(aws.ToString(e.Message)) + attrBytes(e.MessageAttributes)
	}
	if total > maxPublishBytes {
		return &types.BatchRequestTooLongException{Message: aws.String("The length of all the messages put together is more than the limit.")}
	}
	return nil
}

func attrBytes(attrs map[string]types.MessageAttributeValue) int {
	n := 0
	for k, v := range attrs {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	return n
}

// publishLocked validates r and delivers it to the topic's subscriptions.
func (s *SNS) publishLocked(t *topic, r publishRequest) (string, error) {
	if r.body == "" {
		return "", invalidParam("Empty message")
	}
	if len(r.body)+attrBytes(r.attrs) > maxPublishBytes {
		return "", invalidParam("Message too long")
	}
	for k, v := range r.attrs {
		if aws.ToString(v.StringValue) == "" && len(v.BinaryValue) == 0 {
			return "", invalidParam(fmt.Sprintf("The message attribute '%s' must contain non-empty message attribute value", k))
		}
	}
	if err := checkPublishFIFO(t, &r); err != nil {
		return "", err
	}
	s.seq++
	id := fmt.Sprintf("%08x-fake-4000-9000-%012x", s.seq, s.seq)
	if t.fifo {
		if _, dup := t.dedup[r.dedupID]; dup {
			return id, nil
		}
		t.dedup[r.dedupID] = struct{}{}
	}
	for _, sub := range t.subs {
		s.deliverLocked(t, sub, id, r)
	}
	return id, nil
}

func checkPublishFIFO(t *topic, r *publishRequest) error {
	if !t.fifo {
		if r.dedupID != "" {
			return invalidParam("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
		}
		return nil
	}
	switch {
	case r.group == "" || !sqsrules.ValidFIFOID(r.group):
		return invalidParam("The MessageGroupId parameter is required for FIFO topics")
	case r.dedupID == "" && t.attrs["ContentBasedDeduplication"] != "true":
		return invalidParam("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	case r.dedupID == "":
		sum := sha256.Sum256([]byte(r.body))
		r.dedupID = hex.EncodeToString(sum[:])
	case !sqsrules.ValidFIFOID(r.dedupID):
		return invalidParam("MessageDeduplicationId")
	}
	return nil
}

// deliverLocked delivers one published message to one subscription. A
// delivery the queue refuses goes to the dead-letter queue of the
// subscription's redrive policy, when it has one that takes it (counted in
// DeadLettered), and is otherwise counted in Dropped; neither is reported
// to the publisher.
func (s *SNS) deliverLocked(t *topic, sub *subscription, id string, r publishRequest) {
	if fp := sub.attrs["FilterPolicy"]; fp != "" {
		policy, err := parseFilterPolicy(fp)
		if err != nil || !policy.matches(filterInput(sub.attrs["FilterPolicyScope"], r)) {
			return
		}
	}
	req := sendRequest{group: r.group, dedupID: r.dedupID}
	if sub.attrs["RawMessageDelivery"] == "true" {
		if len(r.attrs) > maxAttributes {
			s.dropped++
			return
		}
		req.body, req.attrs = r.body, toSQSAttrs(r.attrs)
	} else {
		req.body = notification(t.arn, id, r)
	}
	if s.sqs.deliver(sub.endpoint, t.arn, s.cfg.EnforceQueuePolicy, req) {
		return
	}
	if dlq := redriveTarget(sub.attrs["RedrivePolicy"]); dlq != "" && s.sqs.deliver(dlq, t.arn, s.cfg.EnforceQueuePolicy, req) {
		s.deadLettered++
		return
	}
	s.dropped++
}

// redriveTarget returns the deadLetterTargetArn of a subscription's
// RedrivePolicy, or "".
func redriveTarget(policy string) string {
	var p struct {
		Target string `json:"deadLetterTargetArn"`
	}
	if json.Unmarshal([]byte(policy), &p) != nil {
		return ""
	}
	return p.Target
}

func toSQSAttrs(in map[string]types.MessageAttributeValue) map[string]sqstypes.MessageAttributeValue {
	out := make(map[string]sqstypes.MessageAttributeValue, len(in))
	for k, v := range in {
		out[k] = sqstypes.MessageAttributeValue{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
	}
	return out
}

// notification renders the JSON envelope of a non-raw delivery.
func notification(topicARN, id string, r publishRequest) string {
	attrs := map[string]map[string]string{}
	for k, v := range r.attrs {
		attrs[k] = map[string]string{"Type": aws.ToString(v.DataType), "Value": aws.ToString(v.StringValue)}
	}
	b, _ := json.Marshal(map[string]any{
		"Type": "Notification", "MessageId": id, "TopicArn": topicARN, "Message": r.body,
		"Timestamp": time.Now().UTC().Format(time.RFC3339Nano), "MessageAttributes": attrs,
	})
	return string(b)
}
