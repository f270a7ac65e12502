package dynamostore

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/sourceflow-go/sourceflow/internal/dynamo"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// minFitReason is the shortest reason fitDead cuts a dead letter's reason
// to while the dead letter keeps its lease.
const minFitReason = 64

// fitDead returns dead, the dead letter of an outbox item, made to fit
// DynamoDB's item limit as dynamo.ItemSize counts it. A message an earlier
// version wrote close to 400 KB, keeping no room for the sweep
// (sweepHeadroom), has its reason cut to the room its item has left: first
// its start naming the destination (publishStart), which the dead letter's
// Destination says, so that what is left names the cause, then as
// sqsrules.Reason cuts it; when
// less than minFitReason bytes would be left, its lease is dropped too,
// which leaves room for a short reason in any item the sweep could claim
// (the claim set a lease as large). The message is kept whole. A dead
// letter that does not fit even so is returned as it is: DynamoDB refuses
// it, and the sweep skips the message (SkippedMessages).
//
// Without its lease, a dead letter whose move was applied but whose answer
// was lost is not recognised as this sweep's (movedBefore): the move counts
// as another instance's, neither logged nor counted here.
func fitDead(dead outboxItem) outboxItem {
	over := itemSize(dead) - dynamo.MaxItemSize
	if over <= 0 {
		return dead
	}
	if cause, ok := strings.CutPrefix(dead.Failure, publishStart(dead.Destination)); ok {
		over -= len(dead.Failure) - len(cause)
		dead.Failure = cause
		if over <= 0 {
			return dead
		}
	}
	if len(dead.Failure)-over < minFitReason && dead.Lease != 0 {
		dead.Lease = 0
		over = itemSize(dead) - dynamo.MaxItemSize
	}
	if room := len(dead.Failure) - over; over > 0 && room > 0 {
		dead.Failure = sqsrules.Reason(dead.Failure, room)
	}
	return dead
}

// itemSize is the size dynamo.ItemSize counts for it, or 0 when it cannot
// be encoded (the move that writes it then fails saying so).
func itemSize(it outboxItem) int {
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return 0
	}
	return dynamo.ItemSize(av)
}
