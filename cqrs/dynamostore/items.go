package dynamostore

import (
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// commandItem is a stored command: the envelope's fields as attributes of
// their own (names that do not change when Go fields are renamed, the time
// in UTC as RFC 3339 with nanoseconds), the destination and the payload.
type commandItem struct {
	PK            string `dynamodbav:"pk"`
	SK            string `dynamodbav:"sk"`
	Sequence      int64  `dynamodbav:"sequence"`
	Type          string `dynamodbav:"type"`
	MessageID     string `dynamodbav:"message_id"`
	CorrelationID string `dynamodbav:"correlation_id,omitempty"`
	CausationID   string `dynamodbav:"causation_id,omitempty"`
	OccurredAt    string `dynamodbav:"occurred_at"`
	Replay        bool   `dynamodbav:"replay,omitempty"`
	Hops          int    `dynamodbav:"hops,omitempty"`
	Version       int    `dynamodbav:"payload_version,omitempty"`
	Destination   string `dynamodbav:"destination"`
	Payload       []byte `dynamodbav:"payload"`
}

func toItem(c cqrs.StoredCommand) commandItem {
	e := c.Envelope
	return commandItem{
		PK: e.EntityID, SK: sequenceKey(e.Sequence), Sequence: e.Sequence,
		Type: e.Type, MessageID: e.MessageID, CorrelationID: e.CorrelationID, CausationID: e.CausationID,
		OccurredAt: e.OccurredAt.UTC().Format(time.RFC3339Nano), Replay: e.Replay, Hops: e.Hops, Version: e.PayloadVersion,
		Destination: c.Destination, Payload: c.Payload,
	}
}

func (it commandItem) command() (cqrs.StoredCommand, error) {
	at, err := time.Parse(time.RFC3339Nano, it.OccurredAt)
	if err != nil {
		return cqrs.StoredCommand{}, err
	}
	return cqrs.StoredCommand{
		Envelope: cqrs.Envelope{
			Type: it.Type, MessageID: it.MessageID, EntityID: it.PK, Sequence: it.Sequence,
			CorrelationID: it.CorrelationID, CausationID: it.CausationID, OccurredAt: at.UTC(), Replay: it.Replay,
			Hops: it.Hops, PayloadVersion: it.Version,
		},
		Destination: it.Destination,
		Payload:     it.Payload,
	}, nil
}

// Sort keys of the command table's items, per entity: the sequence counter,
// one item per command in sequence order, and one per message id naming the
// command's sequence.
const (
	counterKey     = "#sequence"
	sequencePrefix = "s#"
	messagePrefix  = "m#"
	// takenPrefix starts the marker of a number NextSequence handed out on
	// its own (not with a command).
	takenPrefix = "n#"
)

// attrToken holds, in a marker item, the random token of the write that
// put it, so that a write whose outcome is unknown recognises its own
// marker rather than one another writer put.
const attrToken = "token"

// sequenceKey is the sort key of the command with sequence seq.
func sequenceKey(seq int64) string { return sequencePrefix + digits(seq) }

// digits zero-pads n so that sort keys sort as numbers.
func digits(n int64) string {
	s := strconv.FormatInt(n, 10)
	const width = 19
	if len(s) < width {
		s = "0000000000000000000"[:width-len(s)] + s
	}
	return s
}

func numberValue(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func number(v types.AttributeValue) (int64, error) {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, errors.New("not a number")
	}
	return strconv.ParseInt(n.Value, 10, 64)
}
