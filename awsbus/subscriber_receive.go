package awsbus

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// receiveMargin is how long past its long-poll wait a ReceiveMessage call
// may go unanswered before it is cut short and made again. Without a bound
// a connection that died silently during a long poll would stop the
// subscription until the operating system noticed, minutes later. It is
// generous: an answer that comes after it is lost, and its messages stay
// invisible for their visibility timeout.
const receiveMargin = 30 * time.Second

// attemptIDLifetime bounds how long a ReceiveRequestAttemptId is used
// again after a failed call: SQS keeps one for five minutes.
const attemptIDLifetime = 4 * time.Minute

// receiveAttempt is the ReceiveRequestAttemptId of a FIFO poller: one per
// call, kept after a failed call while the messages of a lost answer would
// still be invisible, so that SQS answers the next call with them instead
// of keeping them, and the rest of their groups, invisible until their
// visibility timeout ends. Once that much time has passed they are visible
// again anyway, and the call gets a fresh id: an answer that fails on every
// try (one the client cannot read) holds the poller for at most that
// long. Only the poller uses it.
type receiveAttempt struct {
	id      string
	created time.Time
}

// next returns the id for a call starting at now: the kept one while it is
// younger than keep (and attemptIDLifetime), else a fresh one.
func (a *receiveAttempt) next(now time.Time, keep time.Duration) string {
	if a.id == "" || now.Sub(a.created) >= min(keep, attemptIDLifetime) {
		a.id, a.created = rand.Text(), now
	}
	return a.id
}

// answered forgets the id once a call was answered: the next call has an
// id of its own.
func (a *receiveAttempt) answered() { a.id = "" }

// receive makes one ReceiveMessage call for up to n messages, bounded by
// the long-poll wait plus receiveMargin. The call outlives stop, up to the
// shutdown deadline: SQS would hand the messages that arrive to a poll
// given up all the same, and they would stay invisible for their
// visibility timeout; its wait (see pollWait) ends before that deadline,
// so that it is not cut there. On a FIFO queue the call carries
// the poller's ReceiveRequestAttemptId (see receiveAttempt), set on the
// input so that every retry the SDK makes of the call sends it too.
// started is when the first call that carried the call's id started (when
// the call itself started, on a standard queue): the messages SQS answers
// a repeated id with are those of a receive made by that first call, and
// SQS counts their visibility limit from that receive (see
// visibilityLeft).
func (sub *subscription) receive(n int) (msgs []sqstypes.Message, started time.Time, err error) {
	wait := sub.cfg.pollWait()
	in := &sqs.ReceiveMessageInput{
		QueueUrl:              aws.String(sub.ep.QueueURL),
		MaxNumberOfMessages:   int32(min(max(n, 1), maxBatchEntries)),
		WaitTimeSeconds:       wait,
		VisibilityTimeout:     sqsSeconds(sub.cfg.VisibilityTimeout),
		MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{
			sqstypes.MessageSystemAttributeNameMessageGroupId,
			sqstypes.MessageSystemAttributeNameApproximateReceiveCount,
			sqstypes.MessageSystemAttributeNameSentTimestamp,
		},
	}
	started = time.Now()
	if sub.ep.FIFO {
		in.ReceiveRequestAttemptId = aws.String(sub.attempt.next(started, sub.cfg.VisibilityTimeout))
		started = sub.attempt.created
	}
	bound := time.Duration(wait)*time.Second + receiveMargin
	ctx, cancel := context.WithTimeout(sub.polls, bound)
	defer cancel()
	out, err := sub.cfg.SQS.ReceiveMessage(ctx, in)
	if err != nil {
		if sub.stop.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %v (the %ds long poll plus %v): %w", bound, wait, receiveMargin, err)
		}
		return nil, started, err
	}
	sub.attempt.answered()
	return out.Messages, started, nil
}
