package awsbus

import (
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// entryID is the id of the i-th entry of a batch call (SendMessageBatch,
// PublishBatch, ChangeMessageVisibilityBatch), which entryIndex maps back.
func entryID(i int) *string { return aws.String(strconv.Itoa(i)) }

// entryIndex returns the index of the batch entry id names (see entryID),
// of a batch of n entries; false for an id the call did not send.
func entryIndex(id *string, n int) (int, bool) {
	i, err := strconv.Atoi(aws.ToString(id))
	return i, err == nil && i >= 0 && i < n && aws.ToString(id) == strconv.Itoa(i)
}

// entryOf returns the delivery of batch entry id (its index in held), nil
// for an id the call did not send.
func entryOf(held []*delivery, id *string) *delivery {
	if i, ok := entryIndex(id, len(held)); ok {
		return held[i]
	}
	return nil
}
