package cli

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// sentIDs identifies the messages a copy run sent to the source queue, so
// that one coming back to the dead-letter queue is recognised whichever way
// it comes: moved by the queue's redrive policy, it keeps the SQS id its
// send got; dead-lettered by an awsbus consumer, it is a new SQS message
// carrying the same message id, or, when it has none (another producer's
// message), the same body and attributes.
type sentIDs map[string]bool

// addSQS records the SQS ids a SendMessageBatch answer gave.
func (s sentIDs) addSQS(entries []sqstypes.SendMessageBatchResultEntry) {
	for _, e := range entries {
		s["sqs:"+aws.ToString(e.MessageId)] = true
	}
}

// addMessage records key, what identifies a dead letter the run sent (see
// messageKey).
func (s sentIDs) addMessage(key string) { s[key] = true }

// hasSQS reports whether m, received from the dead-letter queue, has the
// SQS id a send of the run got: it came back, moved by the source queue's
// redrive policy.
func (s sentIDs) hasSQS(m sqstypes.Message) bool { return s["sqs:"+aws.ToString(m.MessageId)] }

// hasMessage reports whether key, what identifies a message received from
// the dead-letter queue, is a message the run sent: it came back, or is a
// second copy of it (see arrival).
func (s sentIDs) hasMessage(key string) bool { return s[key] }

// inHand is what a copy read of a received message: its letter decoded
// and, once asked for, its messageKey.
type inHand struct {
	letter deadLetter
	key    string
}

// received is what the copy read of m, read once for the messages of the
// received batch in hand: the letter skipOthers selects by is the one
// cameBack identifies the message by, the key it checks the one send
// records.
func (c *copier) received(m sqstypes.Message) *inHand {
	id := aws.ToString(m.MessageId)
	if h, ok := c.inHand[id]; ok {
		return h
	}
	if c.inHand == nil {
		c.inHand = map[string]*inHand{}
	}
	h := &inHand{letter: decodeLetter(m)}
	c.inHand[id] = h
	return h
}

// key is messageKey(m), read once (see received).
func (c *copier) key(m sqstypes.Message) string {
	h := c.received(m)
	if h.key == "" {
		h.key = letterKey(m, h.letter)
	}
	return h.key
}

// messageKey identifies the message m carries across dead-letter copies
// (see letterKey).
func messageKey(m sqstypes.Message) string { return letterKey(m, decodeLetter(m)) }

// letterKey identifies the message m, decoded as d, carries across
// dead-letter copies: its message id (sf_id, or the packed Watermill
// UUID), or, for a message without one, a digest of its body and of the
// attributes a redrive sends (the consume markers and the hop count left
// out, which --reset-hops removes), which an awsbus consumer's dead-letter
// copy keeps.
func letterKey(m sqstypes.Message, d deadLetter) string {
	if d.messageID != d.sqsID {
		return "msg:" + d.messageID
	}
	attrs, _ := redriveAttributes(m.MessageAttributes, true)
	h := sha256.New()
	writeField(h, aws.ToString(m.Body))
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		v := attrs[k]
		writeField(h, k)
		writeField(h, aws.ToString(v.StringValue))
		writeField(h, string(v.BinaryValue))
	}
	return "content:" + hex.EncodeToString(h.Sum(nil))
}

// writeField writes s to h preceded by its length, so that no two lists
// of fields write the same bytes.
func writeField(h hash.Hash, s string) {
	_, _ = h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(s))))
	_, _ = h.Write([]byte(s))
}
