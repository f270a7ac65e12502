package awsbustest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// sendRequest is one message to enqueue, from SendMessage, a batch entry or
// an SNS delivery.
type sendRequest struct {
	body    string
	attrs   map[string]types.MessageAttributeValue
	group   string
	dedupID string
	delay   int32
}

// SendMessage enqueues one message.
func (s *SQS) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	return withQueue(s, "SendMessage", in.QueueUrl, nil, func(q *queue) (*sqs.SendMessageOutput, error) {
		id, seq, err := s.enqueueLocked(q, sendRequest{
			body: aws.ToString(in.MessageBody), attrs: in.MessageAttributes,
			group: aws.ToString(in.MessageGroupId), dedupID: aws.ToString(in.MessageDeduplicationId),
			delay: in.DelaySeconds,
		})
		if err != nil {
			return nil, err
		}
		return &sqs.SendMessageOutput{MessageId: aws.String(id), SequenceNumber: seq, MD5OfMessageBody: aws.String(md5Hex(aws.ToString(in.MessageBody)))}, nil
	})
}

// SendMessageBatch enqueues up to 10 messages; invalid entries fail alone.
func (s *SQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	ids := entryIDs(in.Entries, func(e types.SendMessageBatchRequestEntry) *string { return e.Id })
	const op = "SendMessageBatch"
	return withQueue(s, op, in.QueueUrl, checkSendBatch(in.Entries, ids), func(q *queue) (*sqs.SendMessageBatchOutput, error) {
		ok, failed := runBatch(&s.Faults, op, ids, func(i int) (types.SendMessageBatchResultEntry, error) {
			e := in.Entries[i]
			id, seq, err := s.enqueueLocked(q, sendRequest{
				body: aws.ToString(e.MessageBody), attrs: e.MessageAttributes,
				group: aws.ToString(e.MessageGroupId), dedupID: aws.ToString(e.MessageDeduplicationId),
				delay: e.DelaySeconds,
			})
			return types.SendMessageBatchResultEntry{
				Id: e.Id, MessageId: aws.String(id), SequenceNumber: seq,
				MD5OfMessageBody: aws.String(md5Hex(aws.ToString(e.MessageBody))),
			}, err
		}, failedEntry)
		return &sqs.SendMessageBatchOutput{Successful: ok, Failed: failed}, nil
	})
}

// checkSendBatch checks the entry ids and the total size of a batch.
func checkSendBatch(entries []types.SendMessageBatchRequestEntry, ids []*string) error {
	total := 0
	for _, e := range entries {
		total += len(aws.ToString(e.MessageBody))
		n, _ := checkAttributes(e.MessageAttributes)
		total += n
	}
	if err := checkBatch(ids); err != nil {
		return err
	}
	if total > maxMessageBytes {
		return &types.BatchRequestTooLong{Message: aws.String(fmt.Sprintf("Batch requests cannot be longer than %d bytes.", maxMessageBytes))}
	}
	return nil
}

// checkBatch applies the batch request rules shared by every batch call.
func checkBatch(ids []*string) error {
	if len(ids) == 0 {
		return &types.EmptyBatchRequest{Message: aws.String("There should be at least one entry in the request.")}
	}
	if len(ids) > maxBatchEntries {
		return &types.TooManyEntriesInBatchRequest{Message: aws.String(fmt.Sprintf("Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, len(ids)))}
	}
	seen := map[string]bool{}
	for _, id := range ids {
		v := aws.ToString(id)
		if !validEntryID(v) {
			return &types.InvalidBatchEntryId{Message: aws.String("A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")}
		}
		if seen[v] {
			return &types.BatchEntryIdsNotDistinct{Message: aws.String("Id " + v + " repeated.")}
		}
		seen[v] = true
	}
	return nil
}

func failedEntry(id *string, code, msg string, sender bool) types.BatchResultErrorEntry {
	return types.BatchResultErrorEntry{Id: id, Code: aws.String(code), Message: aws.String(msg), SenderFault: sender}
}

// enqueueLocked validates r against q and appends it. A FIFO repeat of a
// deduplication id inside the window is accepted and dropped.
func (s *SQS) enqueueLocked(q *queue, r sendRequest) (string, *string, error) {
	if err := validateSend(q, r); err != nil {
		return "", nil, err
	}
	now := time.Now()
	if q.fifo && r.dedupID == "" {
		sum := sha256.Sum256([]byte(r.body))
		r.dedupID = hex.EncodeToString(sum[:])
	}
	if q.fifo {
		if d, ok := q.dedup[r.dedupID]; ok && now.Before(d.until) {
			return d.messageID, aws.String(fmt.Sprintf("%020d", s.seq)), nil
		}
	}
	seq := s.nextSeq()
	m := &stored{
		id: fmt.Sprintf("%08x-fake-4000-8000-%012x", seq, seq), body: r.body, attrs: copyAttrs(r.attrs),
		group: r.group, dedupID: r.dedupID, seq: seq, sentAt: now,
	}
	delay := int(r.delay)
	if delay == 0 {
		delay = q.intAttr("DelaySeconds", 0)
	}
	m.visibleAt = now.Add(time.Duration(delay) * time.Second)
	q.msgs = append(q.msgs, m)
	var seqNo *string
	if q.fifo {
		q.dedup[r.dedupID] = dedupEntry{messageID: m.id, until: now.Add(dedupWindow)}
		seqNo = aws.String(fmt.Sprintf("%020d", seq))
	}
	s.notifyLocked()
	return m.id, seqNo, nil
}

// validateSend applies the per-message rules of SendMessage.
func validateSend(q *queue, r sendRequest) error {
	if r.body == "" {
		return apiError("MissingParameter", "The request must contain the parameter MessageBody.")
	}
	if !sqsrules.ValidText(r.body) {
		return &types.InvalidMessageContents{Message: aws.String("Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")}
	}
	attrBytes, err := checkAttributes(r.attrs)
	if err != nil {
		return err
	}
	if limit := q.intAttr("MaximumMessageSize", maxMessageBytes); len(r.body)+attrBytes > limit {
		return apiError("InvalidParameterValue", fmt.Sprintf("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", limit))
	}
	if r.delay < 0 || r.delay > 900 {
		return apiError("InvalidParameterValue", "Value for parameter DelaySeconds is invalid.")
	}
	if !q.fifo {
		if r.dedupID != "" {
			return apiError("InvalidParameterValue", "The request include parameter that is not valid for this queue type: MessageDeduplicationId")
		}
		return nil
	}
	switch {
	case r.group == "":
		return apiError("MissingParameter", "The request must contain the parameter MessageGroupId.")
	case !sqsrules.ValidFIFOID(r.group):
		return apiError("InvalidParameterValue", "Value for parameter MessageGroupId is invalid.")
	case r.dedupID != "" && !sqsrules.ValidFIFOID(r.dedupID):
		return apiError("InvalidParameterValue", "Value for parameter MessageDeduplicationId is invalid.")
	case r.dedupID == "" && q.attrs["ContentBasedDeduplication"] != "true":
		return apiError("InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	case r.delay != 0:
		return apiError("InvalidParameterValue", "Value for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.")
	}
	return nil
}
