package awsbus

import (
	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// optional returns nil for "", else a pointer to s.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// sender sends to one endpoint: one message with one, several with batch,
// which returns the failed entries, or an error failing the whole batch.
// A batch holds at most 10 messages and limit bytes.
type sender struct {
	limit int
	one   func(outgoing) error
	batch func([]outgoing) ([]FailedMessage, error)
}

// sqsIn returns the call option that sends an SQS call to the region of a
// queue of another account or region (topology.Endpoint.Region), none for
// the service's own.
func sqsIn(region string) []func(*sqs.Options) {
	if region == "" {
		return nil
	}
	return []func(*sqs.Options){func(o *sqs.Options) { o.Region = region }}
}

// snsIn is sqsIn for SNS.
func snsIn(region string) []func(*sns.Options) {
	if region == "" {
		return nil
	}
	return []func(*sns.Options){func(o *sns.Options) { o.Region = region }}
}

// sqsSender sends with SendMessage and SendMessageBatch, in the queue's
// region.
func (p *Publisher) sqsSender(ep topology.Endpoint) sender {
	in := sqsIn(ep.Region)
	return sender{limit: MaxSQSMessageBytes, one: func(o outgoing) error {
		_, err := p.cfg.SQS.SendMessage(o.ctx, &sqs.SendMessageInput{
			QueueUrl: aws.String(ep.QueueURL), MessageBody: aws.String(o.wire.body),
			MessageAttributes: sqsAttributes(o.wire.attrs),
			MessageGroupId:    optional(o.group), MessageDeduplicationId: optional(o.dedupID),
		}, in...)
		return err
	}, batch: func(batch []outgoing) ([]FailedMessage, error) {
		entries := make([]sqstypes.SendMessageBatchRequestEntry, len(batch))
		for i, o := range batch {
			entries[i] = sqstypes.SendMessageBatchRequestEntry{
				Id: entryID(i), MessageBody: aws.String(o.wire.body), MessageAttributes: sqsAttributes(o.wire.attrs),
				MessageGroupId: optional(o.group), MessageDeduplicationId: optional(o.dedupID),
			}
		}
		res, err := p.cfg.SQS.SendMessageBatch(batch[0].ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(ep.QueueURL), Entries: entries}, in...)
		if err != nil {
			return nil, err
		}
		return batchFailures(batch, res.Successful, res.Failed,
			func(e sqstypes.SendMessageBatchResultEntry) *string { return e.Id },
			func(e sqstypes.BatchResultErrorEntry) (id, code, msg *string) { return e.Id, e.Code, e.Message }), nil
	}}
}

// snsSender publishes with Publish and PublishBatch, in the topic's
// region.
func (p *Publisher) snsSender(ep topology.Endpoint) sender {
	in := snsIn(ep.Region)
	return sender{limit: MaxSNSMessageBytes, one: func(o outgoing) error {
		_, err := p.cfg.SNS.Publish(o.ctx, &sns.PublishInput{
			TopicArn: aws.String(ep.TopicARN), Message: aws.String(o.wire.body),
			MessageAttributes: snsAttributes(o.wire.attrs),
			MessageGroupId:    optional(o.group), MessageDeduplicationId: optional(o.dedupID),
		}, in...)
		return err
	}, batch: func(batch []outgoing) ([]FailedMessage, error) {
		entries := make([]snstypes.PublishBatchRequestEntry, len(batch))
		for i, o := range batch {
			entries[i] = snstypes.PublishBatchRequestEntry{
				Id: entryID(i), Message: aws.String(o.wire.body), MessageAttributes: snsAttributes(o.wire.attrs),
				MessageGroupId: optional(o.group), MessageDeduplicationId: optional(o.dedupID),
			}
		}
		res, err := p.cfg.SNS.PublishBatch(batch[0].ctx, &sns.PublishBatchInput{TopicArn: aws.String(ep.TopicARN), PublishBatchRequestEntries: entries}, in...)
		if err != nil {
			return nil, err
		}
		return batchFailures(batch, res.Successful, res.Failed,
			func(e snstypes.PublishBatchResultEntry) *string { return e.Id },
			func(e snstypes.BatchResultErrorEntry) (id, code, msg *string) { return e.Id, e.Code, e.Message }), nil
	}}
}

// send sends out (one call for one message, batches for several) and
// returns the messages that were not sent.
func (s sender) send(out []outgoing, fifo bool) []FailedMessage {
	if len(out) == 1 {
		if err := s.one(out[0]); err != nil {
			return []FailedMessage{{UUID: out[0].wire.uuid, Reason: callFailure(out[0].ctx, err)}}
		}
		return nil
	}
	chunk := chunks
	if fifo {
		chunk = fifoChunks
	}
	return sendBatches(chunk(out, s.limit), fifo, func(b []outgoing) []FailedMessage {
		f, err := s.batch(b)
		if err != nil {
			return allFailed(b, callFailure(b[0].ctx, err))
		}
		return f
	})
}

// unconfirmedReason is the failure reported for a batch entry that AWS's
// answer lists neither as successful nor as failed.
const unconfirmedReason = "not confirmed: AWS's answer did not list the entry as successful; the message may have been sent"

// batchFailures maps a batch response, read by the id of its successful
// entries and the fields of its failed ones, to the messages of batch that
// were not sent. Only an entry listed as successful, and not as failed,
// counts as sent: an answer that leaves an entry out never loses its
// message. Failed entries with ids that name no entry of batch are ignored.
func batchFailures[S, F any](batch []outgoing, succeeded []S, failed []F,
	successID func(S) *string, fields func(F) (id, code, msg *string)) []FailedMessage {
	reasons := make([]string, len(batch))
	for i := range reasons {
		reasons[i] = unconfirmedReason
	}
	for _, e := range succeeded {
		if i, ok := entryIndex(successID(e), len(batch)); ok {
			reasons[i] = ""
		}
	}
	for _, e := range failed {
		id, code, msg := fields(e)
		if i, ok := entryIndex(id, len(batch)); ok {
			reasons[i] = aws.ToString(code) + ": " + aws.ToString(msg)
		}
	}
	var out []FailedMessage
	for i, reason := range reasons {
		if reason != "" {
			out = append(out, FailedMessage{UUID: batch[i].wire.uuid, Reason: reason})
		}
	}
	return out
}

// notSentReason is the failure reported for the messages of a FIFO publish
// left unsent after an earlier batch call of it failed.
const notSentReason = "not sent: an earlier batch call of this FIFO publish failed, sending the rest could break group order"

// sendBatches sends every batch and collects the failures. On a FIFO
// endpoint it stops at the first batch with a failure and reports every
// later message as not sent, so no message overtakes a failed one of its
// group.
func sendBatches(batches [][]outgoing, fifo bool, send func([]outgoing) []FailedMessage) []FailedMessage {
	var failed []FailedMessage
	for i, batch := range batches {
		f := send(batch)
		failed = append(failed, f...)
		if fifo && len(f) > 0 {
			for _, rest := range batches[i+1:] {
				failed = append(failed, allFailed(rest, notSentReason)...)
			}
			break
		}
	}
	return failed
}

func allFailed(batch []outgoing, reason string) []FailedMessage {
	out := make([]FailedMessage, len(batch))
	for i, o := range batch {
		out[i] = FailedMessage{UUID: o.wire.uuid, Reason: reason}
	}
	return out
}

// result returns the PublishError naming failed, or nil when every message
// was sent.
func (p *Publisher) result(destination string, failed []FailedMessage) error {
	if len(failed) == 0 {
		return nil
	}
	e := &PublishError{Destination: destination, Failed: failed}
	p.cfg.Logger.Error("Messages not published", e, watermill.LogFields{"destination": destination, "failed": len(failed)})
	return e
}
