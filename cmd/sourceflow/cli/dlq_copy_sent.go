package cli

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// sentIDs identifies the messages a copy run sent to the source queue, so
// that one coming back to the dead-letter queue is recognised whichever way
// it comes: moved by the queue's redrive policy, it keeps the SQS id its
// send got; dead-lettered by an awsbus consumer, it is a new SQS message
// carrying the same message id.
type sentIDs map[string]bool

// addSQS records the SQS ids a SendMessageBatch answer gave.
func (s sentIDs) addSQS(entries []sqstypes.SendMessageBatchResultEntry) {
	for _, e := range entries {
		s["sqs:"+aws.ToString(e.MessageId)] = true
	}
}

// addMessage records the message id of m, a dead letter the run sent.
func (s sentIDs) addMessage(m sqstypes.Message) {
	s["msg:"+decodeLetter(m).messageID] = true
}

// has reports whether m, received from the dead-letter queue, is a message
// the run sent.
func (s sentIDs) has(m sqstypes.Message) bool {
	return s["sqs:"+aws.ToString(m.MessageId)] || s["msg:"+decodeLetter(m).messageID]
}
