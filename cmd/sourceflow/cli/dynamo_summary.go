package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// The layout of an outbox's items (package cqrs/dynamostore) the summary
// reads: an item's partition key is its outbox's name, "#" and its shard,
// and "#dead" for a shard's dead letters; a dead letter an earlier version
// kept in its shard has a failure attribute there.
const (
	dynamoOutboxShards = 8
	dynamoDeadSuffix   = "#dead"
)

// summaryProjection names every attribute of a dead letter the summary
// reads: all but its payload, which may be a message too large to send
// (up to DynamoDB's 400 KB item).
const summaryProjection = "pk, sk, #uuid, metadata, failure"

// summaryItem is a dead letter as the summary reads it.
type summaryItem struct {
	SK       string            `dynamodbav:"sk"`
	UUID     string            `dynamodbav:"uuid"`
	Metadata map[string]string `dynamodbav:"metadata"`
	Failure  string            `dynamodbav:"failure"`
}

// tallyDeadLetters counts the outbox's dead letters by type and reason,
// up to maxScannedLetters, shard by shard: its dead-letter partition, then
// the dead letters an earlier version kept in the shard that are not in
// that partition too, as Outbox.DeadLetters finds them. It reads them
// without their payloads, a page at a time.
func (c *dynamoConn) tallyDeadLetters(ctx context.Context) (letterTally, error) {
	t := newLetterTally(true)
	for shard := range dynamoOutboxShards {
		key := fmt.Sprintf("%s#%d", c.f.outbox, shard)
		moved := map[string]bool{}
		err := c.eachSummaryPage(ctx, key+dynamoDeadSuffix, false, func(it summaryItem) error {
			moved[it.SK] = true
			return t.addItem(it)
		})
		if err == nil {
			err = c.eachSummaryPage(ctx, key, true, func(it summaryItem) error {
				if moved[it.SK] {
					return nil
				}
				return t.addItem(it)
			})
		}
		if errors.Is(err, errTallied) {
			return t, nil
		}
		if err != nil {
			return t, err
		}
	}
	return t, nil
}

// addItem counts it, or says the tally is full.
func (t *letterTally) addItem(it summaryItem) error {
	if t.total == maxScannedLetters {
		t.atLeast = true
		return errTallied
	}
	m := message.NewMessage(it.UUID, nil)
	for k, v := range it.Metadata {
		m.Metadata.Set(k, v)
	}
	t.add(decodeSQLLetter(cqrs.DeadLetter{Message: m, Reason: it.Failure}, false, false))
	return nil
}

// eachSummaryPage calls each with every item of the partition pk (only
// those with a failure attribute when failed), in pages, projected.
func (c *dynamoConn) eachSummaryPage(ctx context.Context, pk string, failed bool, each func(summaryItem) error) error {
	in := &dynamodb.QueryInput{
		TableName: aws.String(c.f.tablePrefix + "outbox"), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ProjectionExpression:      aws.String(summaryProjection),
		ExpressionAttributeNames:  map[string]string{"#uuid": "uuid"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	}
	if failed {
		in.FilterExpression = aws.String("attribute_exists(failure)")
	}
	for out, err := range dynamo.QueryPages(ctx, c.api, &dynamo.Retry{}, in) {
		if err != nil {
			return err
		}
		var items []summaryItem
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
			return fmt.Errorf("decode the dead letters of %s: %w", printable(c.f.outbox), err)
		}
		for _, it := range items {
			if err := each(it); err != nil {
				return err
			}
		}
	}
	return nil
}
