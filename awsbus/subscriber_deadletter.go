package awsbus

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// maxReasonBytes bounds the failure reason carried to the dead-letter queue.
const maxReasonBytes = 1024

// deadLetter sends d, as received plus the failure reason, to the
// endpoint's dead-letter queue, deletes it from the source and reports
// true. If that is not possible the message is backed off instead, so the
// queue's redrive policy still moves it, and deadLetter reports false: d
// will be redelivered, so its FIFO group must not move on. The reason is
// logged once, as the line's error and its reason field, with the fields
// of deadLetterFields and, once sent, the SQS MessageId of the copy in the
// dead-letter queue (dlq_message_id), which `sourceflow dlq peek` shows as
// its SQS id; the payload never. The reason is logged as the copy carries it, at most
// maxReasonBytes: a handler's reason may be of any length. A copy sent is
// counted under the endpoint's destination (Transport.DeadLettersByDestination).
func (sub *subscription) deadLetter(d *delivery, reason string) bool {
	d.stopRenewal() // a renewal started during the copy would hold up the settling call after it; none is waited for yet
	reason = cleanReason(reason)
	fields := deadLetterFields(d, reason)
	failure := errors.New(reason)
	if sub.ep.DLQURL == "" {
		sub.log.Error("No dead-letter queue configured; left to the redrive policy", failure, fields)
		sub.setVisibility(d, sub.nackBackoff(d))
		return false
	}
	ctx, cancel := sub.call()
	defer cancel()
	out, err := sub.cfg.SQS.SendMessage(ctx, sub.deadLetterInput(d, reason))
	if err != nil {
		fields["err"] = err.Error()
		sub.log.Error("Dead-lettering failed; left to the redrive policy", err, fields)
		sub.setVisibility(d, sub.nackBackoff(d))
		return false
	}
	if out != nil {
		fields["dlq_message_id"] = aws.ToString(out.MessageId)
	}
	sub.log.Error("Message dead-lettered", failure, fields)
	sub.dead.Add(sub.ep.Name)
	d.markSettled()
	sub.deletes <- aws.ToString(d.raw.ReceiptHandle)
	return true
}

// deadLetterInput is the SendMessage call that copies d, with the failure
// reason and where its handler failed, to the endpoint's dead-letter queue; on FIFO in d's message
// group, deduplicated by d's SQS MessageId.
func (sub *subscription) deadLetterInput(d *delivery, reason string) *sqs.SendMessageInput {
	in := &sqs.SendMessageInput{
		QueueUrl: aws.String(sub.ep.DLQURL), MessageBody: d.raw.Body,
		MessageAttributes: deadLetterAttributes(d.raw, reason, originOf(d)),
	}
	if sub.ep.FIFO {
		group := d.group
		if group == "" {
			group = "dead-letter"
		}
		in.MessageGroupId = aws.String(group)
		in.MessageDeduplicationId = aws.String(fifoID("dlq-" + aws.ToString(d.raw.MessageId)))
	}
	return in
}

// deadLetterAttributes returns the attributes of raw's dead-letter copy:
// raw's own plus the reason (see withReason), where its handler failed, o,
// and the consumer's receive count (see failedOrigin.markers, withMarkers).
// When the copy would exceed MaxSQSMessageBytes the count is left out
// first, then o, then the reason is shortened: every dead letter says why
// it is there, the rest only helps. SQS refuses a larger copy, and the
// message would then reach the dead-letter queue through the redrive
// policy, without any reason. A message that leaves no room at all for a
// reason is copied without one or the markers; the reason is in the log.
func deadLetterAttributes(raw sqstypes.Message, reason string, o failedOrigin) map[string]sqstypes.MessageAttributeValue {
	body := aws.ToString(raw.Body)
	none := failedOrigin{}.markers(0)
	reasoned := withReason(raw.MessageAttributes, reason)
	var attrs map[string]sqstypes.MessageAttributeValue
	for _, markers := range [][]deadLetterMarker{o.markers(rawReceiveCount(raw)), o.markers(0), none} {
		attrs = withMarkers(reasoned, markers)
		if sqsSize(body, attrs) <= MaxSQSMessageBytes {
			return attrs
		}
	}
	over := sqsSize(body, attrs) - MaxSQSMessageBytes
	reason = cleanReason(reason)
	if keep := len(reason) - over; keep > 0 && sqsrules.Reason(reason, keep) != "" {
		return withMarkers(withReason(raw.MessageAttributes, sqsrules.Reason(reason, keep)), none)
	}
	if bare := withMarkers(raw.MessageAttributes, none); sqsSize(body, bare) <= MaxSQSMessageBytes {
		return bare
	}
	return raw.MessageAttributes
}

// sqsSize returns the bytes SQS counts for a message: body plus attribute
// names, data types and values.
func sqsSize(body string, attrs map[string]sqstypes.MessageAttributeValue) int {
	n := len(body)
	for k, v := range attrs {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	return n
}

// withReason copies attrs and adds the failure reason. When that would
// exceed the attribute budget the reason goes inside the packed envelope
// instead (or replaces an unreadable one); a message without an envelope
// gets one, holding the reason and as many attributes as it takes to stay
// within the budget (see packReason). When too few attributes can move,
// the copy has attrs alone; the reason is in the log.
func withReason(attrs map[string]sqstypes.MessageAttributeValue, reason string) map[string]sqstypes.MessageAttributeValue {
	reason = cleanReason(reason)
	out := make(map[string]sqstypes.MessageAttributeValue, len(attrs)+1)
	for k, v := range attrs {
		out[k] = v
	}
	if _, has := out[sourceflow.MetaFailure]; has || len(out) < sourceflow.AttributeBudget {
		out[sourceflow.MetaFailure] = stringAttribute(reason)
		return out
	}
	raw, has := out[sourceflow.MetaEnvelope]
	if !has {
		out, _ = packReason(out, reason)
		return out
	}
	env := map[string]string{}
	// A packed envelope of "null" decodes into a nil map: treat it as unreadable.
	if json.Unmarshal([]byte(aws.ToString(raw.StringValue)), &env) == nil && env != nil {
		env[sourceflow.MetaFailure] = reason
		packed, _ := json.Marshal(env)
		out[sourceflow.MetaEnvelope] = stringAttribute(string(packed))
		return out
	}
	delete(out, sourceflow.MetaEnvelope)
	out[sourceflow.MetaFailure] = stringAttribute(reason)
	return out
}

// cleanReason makes reason a valid, bounded, non-empty attribute value; a
// longer one keeps its beginning and its end, where the cause is
// (sqsrules.Reason).
func cleanReason(reason string) string {
	reason = sqsrules.Reason(reason, maxReasonBytes)
	if reason == "" {
		reason = fmt.Sprintf("%s: no reason given", sourceflow.ErrPermanent)
	}
	return reason
}
